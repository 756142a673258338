"""Rules of Chat with a Model, with the built-in and a local HTTP responder."""
import copy
import http.server
import importlib
import inspect
import json
import pathlib
import random
import sys
import threading
import time

import pytest

from tests.games.conftest import applicable, load_pff

SLUG = "chat_with_model"
GAME_DIR = pathlib.Path(__file__).resolve().parents[2] / "games" / SLUG
WORDS = ["I", "am", "feel", "need", "hello", "school", "you", "why", "happy", "my",
         "mother", "yes", "no", "because", "?", "<b>", "&"]


@pytest.fixture(autouse=True)
def fast_responder(monkeypatch):
    monkeypatch.delenv("SZ_CHAT_MODEL_URL", raising=False)
    monkeypatch.setenv("SZ_CHAT_DELAY", "0")


def fill(spec, rng):
    if spec["type"] == "int":
        return rng.randint(spec["min"], spec["max"])
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 6)))


def load_vis():
    if str(GAME_DIR) not in sys.path:
        sys.path.insert(0, str(GAME_DIR))
    return importlib.import_module("Chat_With_Model_WSZ6_VIS")


def render(vis, state, role):
    params = inspect.signature(vis.render_state).parameters
    kwargs = {"role_num": role, "instance_data": None, "base_url": "/assets/"}
    return vis.render_state(state, **{k: v for k, v in kwargs.items() if k in params})


def start(tmp_path):
    module, form = load_pff(SLUG)
    state = form.initialize_problem({"session_folder": str(tmp_path), "active_roles": [0]})
    return module, form, state


def say(form, state, text):
    return form.operators.operators[0].state_xition_func(state, [text])


def test_metadata_roles_and_start(tmp_path):
    _, form, state = start(tmp_path)
    assert form.metadata.name and form.metadata.authors and form.metadata.creation_date
    assert [r.name for r in form.roles_spec.roles] == ["Student", "Observer"]
    assert form.operators.operators[0].params == [{"name": "message", "type": "str"}]
    assert applicable(form, state, 0) == [0], "cannot end before one exchange"
    assert not state.is_goal()


def test_random_playthroughs_terminate(tmp_path):
    vis = load_vis()
    for seed in range(50):
        random.seed(seed)
        rng = random.Random(seed)
        _, form, state = start(tmp_path)
        for _ in range(100):
            if state.is_goal():
                break
            ops = applicable(form, state, state.current_role_num)
            assert ops, f"stall at seed {seed}"
            op = form.operators.operators[rng.choice(ops)]
            before = copy.deepcopy(state.__dict__)
            new = (op.state_xition_func(state, [fill(s, rng) for s in op.params])
                   if op.params else op.state_xition_func(state))
            assert state.__dict__ == before, "transition mutated the old state"
            assert all(isinstance(p, tuple) and len(p) == 2 for p in new.history)
            for role in (0, 1):
                assert isinstance(render(vis, new, role), str)
            state = new
        assert state.is_goal() and state.goal_message()


def test_eliza_rules_are_deterministic(tmp_path):
    module, form, state = start(tmp_path)
    s1 = say(form, state, "I feel tired today")
    assert s1.history[-2:] == [("Student", "I feel tired today"),
                               ("Eliza", "Why do you feel tired today?")]
    assert s1.jit_transition == "Eliza: Why do you feel tired today?"
    assert say(form, state, "I feel tired today").history == s1.history
    assert "your" in module.eliza_reply("I need my phone", 0)
    assert applicable(form, s1, 0) == [0, 1]
    end = form.operators.operators[1].state_xition_func(s1)
    assert end.is_goal() and "1 exchange" in end.goal_message()
    assert applicable(form, end, 0) == []


def test_cap_of_twenty_exchanges(tmp_path):
    _, form, state = start(tmp_path)
    for i in range(20):
        assert not state.is_goal()
        state = say(form, state, f"message {i}")
    assert state.is_goal() and "limit" in state.goal_message()
    assert applicable(form, state, 0) == []
    assert state.exchanges == 20 and len(state.history) == 41


def test_simulated_delay(tmp_path, monkeypatch):
    monkeypatch.setenv("SZ_CHAT_DELAY", "0.2")
    _, form, state = start(tmp_path)
    t0 = time.monotonic()
    say(form, state, "hello")
    assert time.monotonic() - t0 >= 0.2


def test_unreachable_service_raises(tmp_path, monkeypatch):
    monkeypatch.setenv("SZ_CHAT_MODEL_URL", "http://127.0.0.1:9/chat")
    _, form, state = start(tmp_path)
    with pytest.raises(RuntimeError, match=r"model service unreachable at http://127.0.0.1:9/chat: "):
        say(form, state, "hello")
    assert state.exchanges == 0 and len(state.history) == 1


def test_external_service_is_used(tmp_path, monkeypatch):
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(json.loads(body))
            out = json.dumps({"reply": "Remote says hi"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("SZ_CHAT_MODEL_URL", f"http://127.0.0.1:{server.server_port}/")
        _, form, state = start(tmp_path)
        s1 = say(form, state, "hello there")
    finally:
        server.shutdown()
        server.server_close()
    assert s1.history[-1] == ("Eliza", "Remote says hi")
    assert received[0]["message"] == "hello there"
    assert received[0]["history"][0][0] == "Eliza"


def test_vis_escapes_messages(tmp_path):
    _, form, state = start(tmp_path)
    s1 = say(form, state, "<img src=x onerror=alert(1)>")
    out = render(load_vis(), s1, 0)
    assert "<img src=x" not in out and "&lt;img src=x" in out
    assert 'data-op-index="1"' in out
