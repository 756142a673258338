"""Refused input over real sockets: a clear message to the sender only, nothing changed."""
import pytest

from .players import Player
from .test_live import live_pt, move, play_setup


def log_lines(pt):
    with open(pt.log.path, "rb") as f:
        return f.read().count(b"\n")


@pytest.fixture
def ttt(app, live_server):
    owner, (ann, bob), key = play_setup(app, live_server, "tic_tac_toe",
                                        [("Ann", [0]), ("Bob", [1])])
    yield owner, ann, bob, key, live_pt(app, key)
    for p in (owner, ann, bob):
        p.close()


def assert_refused(sender, others, pt, expected):
    """The sender gets ``expected`` in #flash; nobody else hears anything; no state change."""
    version, lines = pt.version, log_lines(pt)
    text = sender.flash()
    assert expected in text, text
    assert text.startswith('<div id="flash"') and 'id="state-view"' not in text
    for other in others:
        assert all('id="flash"' not in t or "<p class" not in t for t in other.drain())
    assert (pt.version, log_lines(pt)) == (version, lines)


def test_malformed_json(ttt):
    owner, ann, bob, key, pt = ttt
    ann.ws.send("{not json")
    assert_refused(ann, [bob, owner], pt, "could not read")


def test_oversized_message(ttt, app):
    owner, ann, bob, key, pt = ttt
    ann.send(action="move", role=0, op=0, state_version=pt.version,
             pad="x" * (app.config["WS_MAX_MESSAGE_BYTES"] + 1))
    assert_refused(ann, [bob], pt, "too large")


def test_unknown_action(ttt):
    owner, ann, bob, key, pt = ttt
    ann.send(action="launch_missiles")
    assert_refused(ann, [bob], pt, "Unknown action")


def test_out_of_turn_move(ttt):
    owner, ann, bob, key, pt = ttt
    move(bob, pt, 1, 4)
    assert_refused(bob, [ann], pt, "not your turn")


def test_seat_not_held(ttt):
    owner, ann, bob, key, pt = ttt
    move(bob, pt, 0, 4)           # Bob claims X's seat
    assert_refused(bob, [ann], pt, "You are not seated as X")
    move(owner, pt, 0, 4)         # the owner watches without a seat
    assert_refused(owner, [ann], pt, "You are not seated as X")


def test_stale_state_version(ttt):
    owner, ann, bob, key, pt = ttt
    old = pt.version
    move(ann, pt, 0, 4)
    bob.wait_version(old + 1)
    ann.wait_version(old + 1)
    move(bob, pt, 1, 0, version=old)
    text = bob.wait_for(lambda t: 'id="flash"' in t and "<p class" in t)
    assert "moved on" in text
    assert pt.version == old + 1 and pt.k == 1


def test_missing_fields(ttt):
    owner, ann, bob, key, pt = ttt
    ann.send(action="move", role=0, op="four", state_version=pt.version)
    assert_refused(ann, [bob], pt, "whole number")


def test_operator_of_another_role(app, live_server):
    owner, (ann, bob), key = play_setup(app, live_server, "rock_paper_scissors",
                                        [("Ann", [0]), ("Bob", [1])])
    pt = live_pt(app, key)
    move(ann, pt, 0, 3)           # "B plays rock" sent by Player A
    assert_refused(ann, [bob], pt, "is a move for Player B")
    for p in (owner, ann, bob):
        p.close()


def test_bad_parameters(app, live_server):
    owner, (gus,), key = play_setup(app, live_server, "guess_my_age", [("Gus", [0])])
    pt = live_pt(app, key)
    guess = next(op.index for op in pt.view(0).operators if op.params)
    gus.send(action="move", role=0, op=guess, arg0="99", state_version=pt.version)
    assert_refused(gus, [owner], pt, "Age must be at most 21")
    gus.send(action="move", role=0, op=guess, arg0="abc", state_version=pt.version)
    assert_refused(gus, [owner], pt, "Age must be a whole number")
    version = pt.version
    gus.send(action="move", role=0, op=guess, arg0="17", state_version=pt.version)
    gus.wait_version(version + 1)
    assert pt.moves[-1]["args"] == [17]
    for p in (owner, gus):
        p.close()


def test_handshake_from_another_origin_is_rejected(ttt, live_server):
    owner, ann, bob, key, pt = ttt
    evil = Player(live_server)
    evil.http.cookies.update(ann.http.cookies)
    evil.connect(key, origin="http://evil.example")
    assert evil.close_code() == 1008


def test_socket_for_a_session_you_are_not_in_is_rejected(ttt, live_server):
    owner, ann, bob, key, pt = ttt
    stranger = Player(live_server)
    stranger.connect(key)
    assert stranger.close_code() == 1008


def test_flooding_is_rate_limited(ttt, app):
    owner, ann, bob, key, pt = ttt
    for _ in range(int(app.config["WS_RATE_PER_SECOND"]) + 5):
        ann.send(action="ping")
    assert "too fast" in ann.flash()
    assert pt.version == 1
