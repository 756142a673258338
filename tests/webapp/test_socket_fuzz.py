"""Hostile socket messages: every one gets a clear flash, the socket stays open, and
no message changes the state or the log (the edge parses them into typed values)."""
import json
import random
import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from .test_bad_input import log_lines
from .test_live import live_pt, play_setup

HOSTILE = [
    '{"action": "move", "role": Infinity, "op": 0, "state_version": 0}',
    '{"action": "move", "role": 0, "op": -Infinity, "state_version": 0}',
    '{"action": "move", "role": 0, "op": 0, "state_version": NaN}',
    '{"action": "move", "role": 0, "op": 1e999, "state_version": 0}',
    '{"action": "move", "role": 0, "op": 0, "args": "[Infinity]"}',
    '{"action": "move", "role": 0, "op": ' + "9" * 5000 + "}",
    '{"action": "move", "role": "9' + "9" * 30 + '", "op": 0}',
    '{"action": "move", "role": 0, "op": 0, "args": ' + "[" * 20000 + "]" * 20000 + "}",
    "[" * 50000,
    '{"action": ' + '{"a":' * 3000 + "1" + "}" * 3000 + "}",
    '{"action": "move", "role": true, "op": 0}',
    '{"action": "move", "role": 0, "op": [0]}',
    '{"action": "move", "role": 0, "op": {"x": 1}, "state_version": 0}',
    '{"action": "move", "role": 0, "op": 0, "args": {"a": 1}}',
    '{"action": "move", "role": 0, "op": 0, "args": [' + ",".join(["1"] * 500) + "]}",
    '{"action": "undo", "role": "abc"}',
    '{"action": null}',
    '"just a string"',
    "null",
    b"\xff\xfe{\"action\": \"move\"}",          # a binary frame, not UTF-8
    b"\x00" * 100,
]


def answered(player):
    """The next flash the player is sent (every hostile message gets one)."""
    text = player.flash(timeout=5)
    assert 'id="flash"' in text and "<p class" in text
    return text


def test_every_hostile_message_gets_a_flash_and_the_socket_stays(app, live_server):
    owner, (ann, bob), key = play_setup(app, live_server, "tic_tac_toe",
                                        [("Ann", [0]), ("Bob", [1])])
    pt = live_pt(app, key)
    before = (pt.version, log_lines(pt))
    try:
        for raw in HOSTILE:
            if isinstance(raw, bytes):
                ann.ws.send_binary(raw)
            else:
                ann.ws.send(raw)
            text = answered(ann)
            assert "Traceback" not in text and "500" not in text, (raw[:60], text)
        assert (pt.version, log_lines(pt)) == before
        # The socket still works: a real move is applied (once the flood guard, which
        # the burst above tripped, lets messages through again).
        time.sleep(1.1)
        ann.send(action="move", role=0, op=4, args="[]", state_version=pt.version)
        ann.wait_version(before[0] + 1)
    finally:
        for p in (owner, ann, bob):
            p.close()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True,
                                                          allow_infinity=True) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner,
                                                                max_size=4),
    max_leaves=20)


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(fields=st.dictionaries(st.sampled_from(["role", "op", "args", "state_version",
                                               "arg0", "pad"]), json_values, max_size=5),
       action=st.sampled_from(["move", "undo", "ping", "nope", None]))
def test_random_messages_never_break_the_socket(fuzz_table, fields, action):
    ann = fuzz_table
    ann.ws.send(json.dumps(dict(fields, action=action), allow_nan=True))
    texts = ann.drain(quiet=0.03)
    assert not any("Traceback" in t or "Internal Server Error" in t for t in texts)
    ann.ws.ping()


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory, template_db, databases):
    """One table for all the examples (the flood guard off: every message is parsed)."""
    import threading

    from werkzeug.serving import make_server

    from webapp import create_app

    from .conftest import test_config
    folder = tmp_path_factory.mktemp("fuzz")
    url = databases.copy(template_db, folder)
    app = create_app(dict(test_config(folder, url), WS_RATE_PER_SECOND=100000))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    owner, (ann, bob), key = play_setup(app, base, "tic_tac_toe",
                                        [("Ann", [0]), ("Bob", [1])])
    yield app, ann, key
    for p in (owner, ann, bob):
        p.close()
    server.shutdown()
    app.extensions["live"].close()
    app.extensions["rows"].close()
    with app.app_context():
        from webapp.extensions import db
        db.session.remove()
        db.engine.dispose()
    databases.drop(url)


@pytest.fixture
def fuzz_table(fuzz_server):
    return fuzz_server[1]


def test_after_the_fuzz_the_log_is_canonical(fuzz_server):
    """Whatever the random messages did, they did it by the rules (run after them)."""
    from engine import replay
    from engine.cli import folder_resolver
    app, ann, key = fuzz_server
    pt = live_pt(app, key)
    with pt.lock:
        report = replay.validate(pt.log.path, folder_resolver("games"), allow_open=True)
    assert report["status"] == "canonical", report["first_failure"]
