"""What players of a class notice on the game page: pause, their own moves first, the
history of every move."""
import re

from .test_live import live_pt, move, play_setup


def region(text, rid):
    """The outer HTML of the element with id ``rid`` in a pushed text (up to the next
    top-level region)."""
    start = text.index(f'id="{rid}"')
    after = text.index(">", start)
    end = text.find("hx-swap-oob", after)
    return text[start:end if end >= 0 else len(text)]


def test_pause_says_so_to_every_player_and_disables_their_moves(app, live_server):
    owner, (ann, bob), key = play_setup(app, live_server, "tic_tac_toe",
                                        [("Ann", [0]), ("Bob", [1])])
    pt = live_pt(app, key)
    assert owner.post(f"/s/{key}/pause", {}, csrf_from=f"/s/{key}/play").ok
    text = ann.wait_for(lambda t: 'class="turn-banner paused"' in t)
    banner = region(text, "turn-banner")
    assert "Your turn" not in banner and "paused" in banner
    ops = region(text, "operators")
    assert 'data-applicable=""' in ops and "op-move" not in ops
    move(ann, pt, 0, 4)
    assert "The game is paused" in ann.flash()
    assert pt.k == 0
    assert owner.post(f"/s/{key}/resume", {}, csrf_from=f"/s/{key}/play").ok
    text = ann.wait_for(lambda t: "Your turn (X)" in t)
    assert "op-move" in region(text, "operators")
    for p in (owner, ann, bob):
        p.close()


def test_a_player_sees_their_own_moves_first_and_the_rest_behind_a_toggle(app, live_server):
    owner, (ann, bob), key = play_setup(app, live_server, "tic_tac_toe",
                                        [("Ann", [0]), ("Bob", [1])])
    page = bob.http.get(f"{live_server}/s/{key}/play").text
    ops = page[page.index('id="operators"'):page.index("</section>", page.index('id="operators"'))]
    shown, _, hidden = ops.partition('<details class="all-moves"')
    assert "Place X" not in shown and "No moves for you right now." in shown
    assert "Place X" in hidden and "Show all moves" in hidden
    ann_page = ann.http.get(f"{live_server}/s/{key}/play").text
    ann_ops = ann_page[ann_page.index('id="operators"'):]
    assert len(re.findall(r'class="op applicable"', ann_ops.split('class="all-moves"')[0])) == 9
    # the owner's perspective switch still shows the role's moves, not playable
    viewed = owner.http.get(f"{live_server}/s/{key}/play?as=0").text
    assert "Moves of X" in viewed and "Place X" in viewed.split('class="all-moves"')[0]
    assert "op-move" not in viewed.split('id="operators"')[1]
    for p in (owner, ann, bob):
        p.close()


def test_a_long_list_of_moves_is_grouped(app, live_server):
    owner, players, key = play_setup(app, live_server, "deduction_cards",
                                     [(f"P{n}", [n]) for n in range(3)])
    page = players[0].http.get(f"{live_server}/s/{key}/play").text
    ops = page[page.index('id="operators"'):page.index('id="my-actions"')]
    assert ops.count('class="op applicable"') + ops.count('class="op inapplicable"') > 12
    assert 'class="op-group"' in ops
    for p in [owner] + players:
        p.close()


def test_lobby_tells_a_seated_student_their_role_and_the_end_says_what_comes_next(
        app, live_server):
    from .players import Player
    from .test_live import setup_game, start
    owner, (ann,), key = setup_game(app, live_server, "tic_tac_toe", [("Ann", [0])])
    bob = Player(live_server).join(key, "Bob")
    page = ann.http.get(f"{live_server}/s/{key}/lobby").text
    assert "You are X." in page and "Waiting for Teacher to start the game." in page
    assert "You are" not in bob.http.get(f"{live_server}/s/{key}/lobby").text
    from .test_live import seat
    seat(owner, app, key, "Bob", 1)
    pushed = ann.wait_for(lambda t: 'id="lobby-status"' in t and "2 of 2" in t)
    assert "You are X." in pushed
    bob.connect(key)
    assert "You are O." in bob.wait_for(lambda t: 'id="lobby-status"' in t)
    start(owner, key, [owner, ann])
    assert owner.post(f"/s/{key}/end", {}, csrf_from=f"/s/{key}/play").ok
    end = ann.http.get(f"{live_server}/s/{key}/play").text
    assert "may start a rematch" in end.split('id="end-screen"')[1].split("</section>")[0]
    for p in (owner, ann, bob):
        p.close()
