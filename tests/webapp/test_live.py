"""The live hub over real sockets: lobby pushes, starting, moves, and refused input."""
import json
import time

from engine.loader import GameSource
from engine.replay import validate
from webapp.extensions import db
from webapp.models import PlayThroughRecord, Session

from .players import Player


def participant_id(app, key, name):
    with app.app_context():
        game_session = Session.query.filter_by(key=key).one()
        return next(p.id for p in game_session.participants if p.display_name == name)


def seat(owner, app, key, name, *roles):
    pid = participant_id(app, key, name)
    data = {"participant_id": pid, "roles": list(roles)}
    response = owner.post(f"/s/{key}/seat", data, csrf_from=f"/s/{key}/lobby")
    assert response.ok


def steps_become(app, steps, timeout=2.0):
    """True once the play-through row's step count reads ``steps`` (polled briefly)."""
    deadline = time.monotonic() + timeout
    with app.app_context():
        while True:
            db.session.rollback()
            if db.session.scalar(db.select(PlayThroughRecord.steps)) == steps:
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)


def live_pt(app, key):
    return app.extensions["live"].live(key).pt


def setup_game(app, base, slug, names_roles):
    """Instructor + guests joined, seated and connected; returns (owner, players, key)."""
    with app.app_context():
        from webapp.extensions import db
        from webapp.models import User
        user = User(username="teacher", kind="instructor", display_name="Teacher")
        user.set_password("pw")
        db.session.add(user)
        db.session.commit()
    owner = Player(base).login("teacher")
    key = owner.start_session(slug)
    players = []
    for name, roles in names_roles:
        player = Player(base).join(key, name)
        seat(owner, app, key, name, *roles)
        players.append(player)
    for p in [owner] + players:
        p.connect(key)
    return owner, players, key


def start(owner, key, everyone):
    response = owner.post(f"/s/{key}/start", {}, csrf_from=f"/s/{key}/lobby")
    assert response.ok
    for p in everyone:
        p.wait_for(lambda t: f'/s/{key}/play' in t and 'id="nav"' in t)


def test_lobby_pushes_joins_and_seats_to_everyone(app, live_server):
    owner, (ann,), key = setup_game(app, live_server, "tic_tac_toe", [("Ann", [0])])
    bob = Player(live_server).join(key, "Bob")
    text = ann.wait_for(lambda t: "Bob" in t and 'id="lobby-participants"' in t)
    assert 'class="dot off"' in text          # Bob has joined but is not connected
    seat(owner, app, key, "Bob", 1)
    status = ann.wait_for(lambda t: "2 of 2 required roles filled" in t)
    assert "seat-form" not in status         # only the owner sees seating controls
    owner.wait_for(lambda t: "2 of 2 required roles filled" in t and "seat-form" in t)
    bob.connect(key)
    row = f'id="participant-{participant_id(app, key, "Bob")}">\n      <span class="dot on"'
    ann.wait_for(lambda t: row in t)
    bob.close()
    ann.wait_for(lambda t: row.replace("dot on", "dot off") in t)
    for p in (owner, ann):
        p.close()


def test_start_moves_everyone_to_the_game_page(app, live_server):
    owner, (ann, bob), key = setup_game(app, live_server, "tic_tac_toe",
                                        [("Ann", [0]), ("Bob", [1])])
    start(owner, key, [owner, ann, bob])
    page = ann.http.get(f"{live_server}/s/{key}/lobby")
    assert page.url.endswith(f"/s/{key}/play") and "Your turn" in page.text
    assert "Waiting for Ann (X)" in bob.http.get(f"{live_server}/s/{key}/play").text
    with app.app_context():
        assert Session.query.filter_by(key=key).one().status == "in_progress"
    for p in (owner, ann, bob):
        p.close()


def play_setup(app, live_server, slug, names_roles):
    owner, players, key = setup_game(app, live_server, slug, names_roles)
    start(owner, key, [owner] + players)
    for p in [owner] + players:
        p.close()
        p.received.clear()
        p.connect(key)
        p.wait_for(lambda t: 'id="state-view"' in t)
    return owner, players, key


def move(player, pt, role, op, args=None, version=None):
    player.send(action="move", role=role, op=op, args=json.dumps(args or []),
                state_version=pt.version if version is None else version)


def test_tic_tac_toe_moves_reach_every_socket_and_the_rows(app, live_server):
    import sys
    loaded_before = {name for name in sys.modules if name.startswith("szgame_")}
    owner, (ann, bob), key = play_setup(app, live_server, "tic_tac_toe",
                                        [("Ann", [0]), ("Bob", [1])])
    pt = live_pt(app, key)
    move(ann, pt, 0, 4)
    for p in (owner, ann, bob):
        p.wait_version(2)
    assert "Your turn" in bob.received[-1] and "Waiting for Bob (O)" in ann.received[-1]
    assert steps_become(app, 1)    # written off the move path, within a moment
    for op, player, role in ((0, bob, 1), (1, ann, 0), (8, bob, 1), (7, ann, 0)):
        version = pt.version
        move(player, pt, role, op)
        player.wait_version(version + 1)
    end = owner.wait_for(lambda t: 'id="end-screen"' in t and "X wins" in t)
    assert "X (Ann)" not in end or "won" in end
    ann_end = ann.received[-1]
    assert "You won!" in ann_end
    assert "hidden" not in ann_end.split('id="end-screen"')[1].split(">")[0]
    bob.wait_for(lambda t: "You lost." in t)
    with app.app_context():
        record = PlayThroughRecord.query.one()
        assert (record.status, record.end_reason, record.steps) == ("ended", "goal", 5)
        assert record.outcome == {"0": "win", "1": "loss"}
        assert Session.query.one().status == "ended"
        log_path = record.log_path
    folder = app.config["GAMES_DIR"] + "/tic_tac_toe"
    report = validate(log_path, lambda slug, v: GameSource(folder)
                      if GameSource(folder).version == v else None)
    assert report["status"] == "canonical", json.dumps(report["first_failure"])
    reload = ann.http.get(f"{live_server}/s/{key}/play").text
    assert "You won!" in reload
    # Game code ran in a game process, never here.
    assert {name for name in sys.modules if name.startswith("szgame_")} <= loaded_before
    # A finished play-through leaves its game process once it has lingered; its page
    # still reads.
    runtime = app.extensions["live"]
    held = lambda: pt.pool.process(*pt.game).call("ping", 10)["held"]  # noqa: E731
    assert pt.pid in held()
    assert runtime.sweep() == 0                               # seen ended: not yet
    assert runtime.sweep(time.monotonic() + runtime.linger + 1) == 1
    assert runtime.live(key) is None
    deadline = time.monotonic() + 5
    while pt.pid in held() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pt.pid not in held()
    assert "You won!" in ann.http.get(f"{live_server}/s/{key}/play").text
    reread = runtime.live(key)
    assert reread is not None and reread.pt.ended and not reread.owned
    for p in (owner, ann, bob):
        p.close()


def test_all_bot_session_runs_to_the_end(app, live_server):
    owner, _, key = setup_game(app, live_server, "tic_tac_toe", [])
    for role in (0, 1):
        owner.post(f"/s/{key}/bot", {"role": role, "strategy": "first"},
                   csrf_from=f"/s/{key}/lobby")
    owner.post(f"/s/{key}/start", {}, csrf_from=f"/s/{key}/lobby")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with app.app_context():
            if Session.query.filter_by(key=key).one().status == "ended":
                break
        time.sleep(0.05)
    with app.app_context():
        record = PlayThroughRecord.query.one()
        assert record.status == "ended" and record.steps >= 5
    owner.close()


def test_undo_takes_back_my_last_move(app, live_server):
    owner, (ann, bob), key = play_setup(app, live_server, "tic_tac_toe",
                                        [("Ann", [0]), ("Bob", [1])])
    pt = live_pt(app, key)
    move(ann, pt, 0, 4)
    bob.wait_version(2)
    bob.send(action="undo", role=1)
    assert "no move to undo" in bob.flash() or "only undo your own" in bob.received[-1]
    ann.send(action="undo", role=0)
    text = bob.wait_version(3)
    assert pt.k == 0 and "Ann took back a move." in text
    for p in (owner, ann, bob):
        p.close()


def test_play_through_resumes_from_its_log_after_a_restart(app, live_server):
    owner, (ann, bob), key = play_setup(app, live_server, "tic_tac_toe",
                                        [("Ann", [0]), ("Bob", [1])])
    pt = live_pt(app, key)
    move(ann, pt, 0, 4)
    bob.wait_version(2)
    for p in (owner, ann, bob):
        p.close()
    app.extensions["live"].forget(key)          # as if the process had restarted
    page = bob.http.get(f"{live_server}/s/{key}/play").text
    assert "Your turn" in page
    resumed = live_pt(app, key)
    assert resumed is not pt and resumed.k == 1
    bob.connect(key)
    bob.wait_for(lambda t: 'id="operators"' in t)
    version = resumed.version
    move(bob, resumed, 1, 0)
    bob.wait_version(version + 1)
    folder = app.config["GAMES_DIR"] + "/tic_tac_toe"
    report = validate(resumed.log.path, lambda slug, v: GameSource(folder), allow_open=True)
    assert report["status"] == "canonical", report
    bob.close()


def test_the_owner_ends_the_play_through_from_the_game_page(app, live_server):
    owner, (ann, bob), key = play_setup(app, live_server, "tic_tac_toe",
                                        [("Ann", [0]), ("Bob", [1])])
    move(ann, live_pt(app, key), 0, 4)
    bob.wait_version(2)
    page = owner.http.get(f"{live_server}/s/{key}/play").text
    button = page.split('id="end-game"')[0].rsplit("<button", 1)[1]
    assert f'hx-post="/s/{key}/end"' in button
    assert 'id="end-game"' not in ann.http.get(f"{live_server}/s/{key}/play").text
    assert owner.post(f"/s/{key}/end", {}, csrf_from=f"/s/{key}/play").ok
    for p in (ann, bob):
        p.wait_for(lambda t: '<section id="end-screen"' in t
                   and 'class="end-screen" hx-swap-oob="true">' in t)
    with app.app_context():
        record = PlayThroughRecord.query.one()
        assert (record.status, record.end_reason, record.steps) == ("ended", "abandoned", 1)
        assert Session.query.one().status == "ended"
    for p in (owner, ann, bob):
        p.close()


def test_a_log_that_does_not_validate_is_never_resumed_silently(app, live_server):
    """After a restart, a play-through whose log was changed (here: a move swapped for
    another legal one and everything re-chained, as a careful forger would) is not
    resumed: players are told it cannot go on and why, the owner can end it, and the
    session is not bricked (a new play-through starts)."""
    from tests.engine.logtools import seal
    owner, (ann, bob), key = play_setup(app, live_server, "tic_tac_toe",
                                        [("Ann", [0]), ("Bob", [1])])
    pt = live_pt(app, key)
    move(ann, pt, 0, 4)
    bob.wait_version(2)
    move(bob, pt, 1, 0)
    ann.wait_version(3)
    for p in (owner, ann, bob):
        p.close()
    path = pt.log.path
    import time as _time
    deadline = _time.time() + 10
    while True:                                  # the row writer has noted the tip
        with app.app_context():
            tip = PlayThroughRecord.query.one().tip_seq
        if tip is not None and tip >= pt.log.next_seq - 2 or _time.time() > deadline:
            break
        _time.sleep(0.05)
    assert tip is not None
    original = open(path).read()
    events = [json.loads(line) for line in original.splitlines()]
    # Re-sealed after an edit in the middle: the row's tip is no longer on the chain.
    edited = [dict(e) for e in events]
    first = next(e for e in edited if e["type"] == "move")
    first["actor"] = dict(first["actor"], kind="host")
    open(path, "w").write(seal(edited))
    app.extensions["live"].forget(key)          # as if the process had restarted
    page = bob.http.get(f"{live_server}/s/{key}/play")
    assert page.status_code == 409 and "is not the one the portal wrote" in page.text
    # A forged line appended after the row's tip: the host's rules catch it (a real
    # decision recorded as the host's).
    last = events[-1]
    forged = dict(last, k=last["k"] + 1, op=1, op_name="Place X at (0,1)",
                  actor={"role": 0, "participant": None, "kind": "host"})
    events.append(forged)
    open(path, "w").write(seal(events))
    app.extensions["live"].forget(key)
    page = bob.http.get(f"{live_server}/s/{key}/play")
    assert page.status_code == 409 and "cannot go on" in page.text, page.text[:500]
    assert "spurious bookkeeping" in page.text and f"line {len(events)}:" in page.text
    assert 'id="end-game"' not in page.text
    owner_page = owner.http.get(f"{live_server}/s/{key}/play").text
    assert 'id="end-damaged"' in owner_page
    ann.connect(key)                              # a move is refused with the reason
    ann.send(action="move", role=0, op=1, args="[]", state_version=3)
    assert "cannot go on" in ann.flash()
    ann.close()
    after = owner.post(f"/s/{key}/end-damaged", {}, csrf_from=f"/s/{key}/play")
    assert "The play-through has ended" in after.text, after.text[-800:]
    with app.app_context():
        record = PlayThroughRecord.query.one()
        assert (record.status, record.end_reason) == ("ended", "interrupted")
        assert (record.validation_status, record.validation_class) == \
            ("non_canonical", "spurious_bookkeeping")
        assert Session.query.one().status == "ended"
    assert open(path).read() == seal(events)      # never repaired
    again = owner.http.get(f"{live_server}/s/{key}/play").text
    assert 'id="new-playthrough"' in again or 'id="rematch-form"' in again
    owner.post(f"/s/{key}/rematch", {}, csrf_from=f"/s/{key}/play")
    with app.app_context():
        assert PlayThroughRecord.query.count() == 2
        assert Session.query.one().status == "in_progress"
