"""No player ever receives another role's private view or anyone's seat token."""
import json
import re

from .test_live import live_pt, move, play_setup


def seat_tokens(app, players):
    serializer = app.session_interface.get_signing_serializer(app)
    tokens = []
    for p in players:
        cookie = serializer.loads(p.http.cookies["session"])
        tokens.extend(cookie.get("seats", {}).values())
    assert tokens
    return tokens


def assert_no_tokens(app, everyone):
    tokens = seat_tokens(app, everyone)
    for p in everyone:
        for text in p.received:
            assert not any(t in text for t in tokens)


def test_rock_paper_scissors_pending_choice_stays_private(app, live_server):
    owner, (ann, bob), key = play_setup(app, live_server, "rock_paper_scissors",
                                        [("Ann", [0]), ("Bob", [1])])
    pt = live_pt(app, key)
    version = pt.version
    move(ann, pt, 0, 2)                       # A plays scissors, B has not chosen
    ann.wait_version(version + 1)
    bob_view = bob.wait_version(version + 1)
    owner_view = owner.wait_version(version + 1)
    assert "You chose <b>scissors</b>" in ann.received[-1]
    assert "Choice submitted" in ann.received[-1]
    for text in bob.received + owner.received:
        assert "You chose" not in text and "A plays" not in text
    assert "has chosen" in bob_view and "has chosen" in owner_view
    assert "Your turn" in bob_view
    move(bob, pt, 1, 3)                       # B plays rock: the round is revealed
    reveal = owner.wait_for(lambda t: "Player A throws scissors, Player B throws rock" in t)
    assert 'id="message-bar"' in reveal
    for text in ann.received:
        assert "B plays" not in text
    assert_no_tokens(app, [owner, ann, bob])
    for p in (owner, ann, bob):
        p.close()


VERSION_RE = re.compile(r'id="operators"[^>]*data-version="(\d+)"', re.S)
HAND_RE = re.compile(r'data-info="([^"]*It is in your hand\.)"')


def private_markers(player):
    """The hand markers this player's own pushes carry (each card in a hand carries
    one: its description and "It is in your hand.")."""
    return {m for t in player.received for m in HAND_RE.findall(t)}


def test_deduction_cards_hands_and_envelope_stay_secret(app, live_server):
    names_roles = [("Ann", [0]), ("Bob", [1]), ("Cy", [2])]
    owner, players, key = play_setup(app, live_server, "deduction_cards", names_roles)
    pt = live_pt(app, key)
    by_role = dict(zip((0, 1, 2), players))
    for step in range(40):
        if pt.ended:
            break
        role = pt.roles_to_move()[0]
        choice = pt.bot_move(role, "first")
        if choice is None:
            break
        version = pt.version
        by_role[role].send(action="move", role=role, op=choice[0],
                           args=json.dumps(choice[1]), state_version=version)
        by_role[role].wait_for(lambda t: any(int(v) > version for v in VERSION_RE.findall(t)))
    assert pt.k >= 10
    for p in [owner] + players:
        p.drain()
    envelope_markers = ['>in the envelope<', "In the envelope (the game is over)"]
    hands = {role: private_markers(player) for role, player in by_role.items()}
    for role, player in by_role.items():
        assert hands[role], f"role {role} never saw its own hand"
        for other in (0, 1, 2):
            if other != role:
                for marker in hands[other] - hands[role]:
                    assert not any(marker in t for t in player.received), (role, other)
        if not pt.ended:
            assert not any(m in t for t in player.received for m in envelope_markers)
    for text in owner.received:                       # the owner is not seated: public only
        assert "It is in your hand." not in text
        assert "secretly showed you" not in text
    assert_no_tokens(app, [owner] + players)
    for p in [owner] + players:
        p.close()
