"""'What happened' is the play-through's log: every move with who made it, as each role
saw it, pushed step by step, the same after a restart; a step shows its state."""
import re

from .test_live import live_pt, move, play_setup, setup_game, start

VERSION_RE = re.compile(r'id="operators"[^>]*data-version="(\d+)"', re.S)
STEP_RE = re.compile(r'<li class="step[^"]*" id="step-(\d+)"')


def history_of(text):
    """The history part of a pushed text or a page (the whole region or an append)."""
    found = re.search(r'<(section|ol) id="(message-history|history-steps)".*?</\1>', text,
                      re.S)
    return found.group(0) if found else ""


def steps_in(text):
    """The steps listed, newest first (0: the start, in every whole list)."""
    return [int(k) for k in STEP_RE.findall(history_of(text))]


def test_every_move_is_listed_with_who_made_it_and_survives_a_restart(app, live_server):
    owner, (ann,), key = setup_game(app, live_server, "tic_tac_toe", [("Ann", [0])])
    assert owner.post(f"/s/{key}/bot", {"role": 1, "strategy": "first"},
                      csrf_from=f"/s/{key}/lobby").ok
    start(owner, key, [owner, ann])
    pt = live_pt(app, key)
    ann.received.clear()
    move(ann, pt, 0, 4)                 # X's opening move: the game says nothing about it
    first = ann.wait_for(lambda t: 1 in steps_in(t))
    assert "Ann (X): Place X at (2,2)" in history_of(first)
    after_bot = ann.wait_for(lambda t: 2 in steps_in(t))
    history = history_of(after_bot)
    assert steps_in(after_bot) == [2], "a push appends the new step, not the whole list"
    assert 'hx-swap-oob="afterbegin"' in history
    assert re.search(r"\(O, bot\) moved", history)
    page = ann.http.get(f"{live_server}/s/{key}/play").text
    assert steps_in(page) == [2, 1, 0]
    for p in (owner, ann):
        p.close()
    app.extensions["live"].forget(key)          # as if the process had restarted
    page = ann.http.get(f"{live_server}/s/{key}/play").text
    assert steps_in(page) == [2, 1, 0]
    assert "Ann (X): Place X at (2,2)" in history_of(page)


def test_a_choice_in_a_simultaneous_phase_is_named_only_to_its_chooser(app, live_server):
    owner, (ann, bob), key = play_setup(app, live_server, "rock_paper_scissors",
                                        [("Ann", [0]), ("Bob", [1])])
    pt = live_pt(app, key)
    move(ann, pt, 0, 0)                 # A plays rock
    mine = ann.wait_for(lambda t: 1 in steps_in(t))
    theirs = bob.wait_for(lambda t: 1 in steps_in(t))
    assert "A plays rock" in history_of(mine)
    assert "Ann (Player A) made a choice" in history_of(theirs)
    assert "rock" not in history_of(theirs).lower()
    watching = owner.wait_for(lambda t: 1 in steps_in(t))
    assert "rock" not in history_of(watching).lower()
    for p in (owner, ann, bob):
        p.close()


def test_an_undo_takes_the_step_out_and_says_so(app, live_server):
    owner, (ann, bob), key = play_setup(app, live_server, "tic_tac_toe",
                                        [("Ann", [0]), ("Bob", [1])])
    pt = live_pt(app, key)
    move(ann, pt, 0, 4)
    bob.wait_for(lambda t: 1 in steps_in(t))
    ann.send(action="undo", role=0)
    text = bob.wait_for(lambda t: "took back" in history_of(t))
    assert steps_in(text) == [0] and 'id="message-history"' in text
    move(ann, pt, 0, 0)
    assert steps_in(bob.wait_for(lambda t: 1 in steps_in(t))) == [1]
    page = bob.http.get(f"{live_server}/s/{key}/play").text
    assert steps_in(page) == [1, 0] and "Ann took back a move" in history_of(page)
    for p in (owner, ann, bob):
        p.close()


def test_a_step_shows_its_state_as_the_viewer_saw_it(app, live_server):
    owner, (ann, bob), key = play_setup(app, live_server, "tic_tac_toe",
                                        [("Ann", [0]), ("Bob", [1])])
    pt = live_pt(app, key)
    for player, role, op in ((ann, 0, 4), (bob, 1, 0), (ann, 0, 8)):
        version = pt.version
        move(player, pt, role, op)
        player.wait_version(version + 1)
    shown = bob.http.get(f"{live_server}/s/{key}/play/previous?k=1")
    assert shown.ok and "Step 1, as you saw it then: Ann (X) moved" in shown.text
    placed_o = "opacity:1.0\"/>"               # an O drawn on the board (not a preview)
    assert placed_o not in shown.text           # no O yet at step 1
    assert placed_o in bob.http.get(f"{live_server}/s/{key}/play/previous?k=2").text
    assert bob.http.get(f"{live_server}/s/{key}/play/previous?k=9").status_code == 404
    for p in (owner, ann, bob):
        p.close()


def test_the_games_own_bookkeeping_moves_are_listed_as_the_games(app, live_server):
    from webapp.catalog.seeding import install_game
    from webapp.config import REPO_DIR
    with app.app_context():
        install_game(REPO_DIR / "games" / "rift_mini")
    owner, players, key = play_setup(app, live_server, "rift_mini",
                                     [("Ann", [0]), ("Bob", [1])])
    pt = live_pt(app, key)
    for seed in range(40):
        if any(m["actor"]["kind"] == "host" for m in pt.moves) or pt.ended:
            break
        role = next(r for r in pt.roles_to_move() if pt.applicable(r))
        op, args = pt.bot_move(role, "random", seed=seed)
        version = pt.version
        move(players[role], pt, role, op, args)
        players[role].wait_for(lambda t: any(int(v) > version for v in VERSION_RE.findall(t)))
    forced = next(m for m in pt.moves if m["actor"]["kind"] == "host")
    for_role, other = forced["actor"]["role"], 1 - forced["actor"]["role"]
    name = pt.role_name(for_role)
    mine = players[for_role].http.get(f"{live_server}/s/{key}/play").text
    theirs = players[other].http.get(f"{live_server}/s/{key}/play").text
    assert f"The game, for {name}: {forced['op_name']}" in history_of(mine)
    assert f"The game made {name}&#39;s forced move" in history_of(theirs)
    for p in [owner] + players:
        p.close()
