"""Two web processes sharing Redis, the database and the data folder.

The players of one game are connected to different processes; moves reach
every screen, and when the owning process is killed the other one takes the
play-through over with no acknowledged move lost.
"""
import os
import time

import pytest
import redis

from engine.loader import GameSource
from engine.log import read_events
from engine.replay import validate
from tests.support.server import REPO, WebServer, Worker
from tests.workers.test_faults import lobby_game, log_path_of, portal  # noqa: F401

pytestmark = pytest.mark.slow
VERSION = __import__("re").compile(r'id="operators"[^>]*data-version="(\d+)"')
TTT = GameSource(os.path.join(REPO, "games", "tic_tac_toe"))


def servers(env, tmp_path):
    folders = [tmp_path / "a", tmp_path / "b"]
    for folder in folders:
        folder.mkdir(exist_ok=True)
    return [WebServer(env, folder).start() for folder in folders]


def on(player, server):
    """The same browser (its cookies) pointed at another server."""
    player.base = server.base
    return player


def versions_seen(player):
    return {int(m.group(1)) for text in player.received for m in VERSION.finditer(text)}


def wait_version(players, version, timeout=10):
    for p in players:
        try:
            p.wait_for(lambda t: 'id="operators"' in t and f'data-version="{version}"' in t,
                       timeout)
        except Exception:
            raise AssertionError(f"{p.base}: version {version} never came; last: "
                                 + " | ".join(t[:150] for t in p.received[-3:]))


def play(mover, role, cell, version, watchers):
    mover.send(action="move", role=role, op=cell, args="[]", state_version=version)
    wait_version([mover] + watchers, version + 1)
    return version + 1


def owner_of(redis_url, log_path):
    """The processes holding a play-through lease (from Redis)."""
    client = redis.Redis.from_url(redis_url)
    keys = client.keys("sz:lease:*")
    return [client.get(k).decode() for k in keys]


def current_version(player):
    text = player.wait_for(lambda t: 'id="operators"' in t and "data-version" in t)
    return int(VERSION.search(text).group(1))


def test_players_on_two_processes_see_every_move(portal, tmp_path):  # noqa: F811
    env, redis_server = portal
    a, b = servers(env, tmp_path)
    try:
        teacher, ann, bob, key = lobby_game(a.base, env)     # started (owned) on a
        on(bob, b)
        on(teacher, b)
        for p in (ann, bob, teacher):
            p.connect(key)
        v = current_version(ann)
        wait_version([bob, teacher], v)
        # X on a, O on b (forwarded to a), the observer on b: X wins on the top row.
        for role, cell, mover in ((0, 0, ann), (1, 3, bob)):
            v = play(mover, role, cell, v, [p for p in (ann, bob, teacher) if p is not mover])
        # The teacher's page is served by b; pausing there runs in a, the owner.
        assert teacher.post(f"/s/{key}/pause", {}, csrf_from=f"/s/{key}/play").ok
        ann.wait_for(lambda t: "paused" in t.lower())
        ann.send(action="move", role=0, op=1, args="[]", state_version=v)
        assert "paused" in ann.flash().lower()
        assert teacher.post(f"/s/{key}/resume", {}, csrf_from=f"/s/{key}/play").ok
        for role, cell, mover in ((0, 1, ann), (1, 4, bob), (0, 2, ann)):
            v = play(mover, role, cell, v, [p for p in (ann, bob, teacher) if p is not mover])
        for p in (ann, bob, teacher):
            ended = [t for t in p.received if '<section id="end-screen"' in t
                     and 'class="end-screen" hx-swap-oob="true">' in t]
            assert ended, "the end screen never reached this screen"
            assert set(range(v - 4, v + 1)) <= versions_seen(p), p.received[-1][:300]
        log = log_path_of(env, key)
        events = read_events(log)
        assert [e["op"] for e in events if e["type"] == "move"] == [0, 3, 1, 4, 2]
        assert [e["type"] for e in events if e["type"] in ("paused", "resumed")] == [
            "paused", "resumed"]                # written once, by the owner
        assert validate(log, lambda s, ver: TTT)["status"] == "canonical"
        web_b = open(tmp_path / "b" / "web.log").read()
        assert "took over" not in web_b           # a stayed the owner throughout
    finally:
        a.stop()
        b.stop()


def test_killing_the_owner_hands_the_game_to_the_other_process(portal, tmp_path):  # noqa: F811
    env, redis_server = portal
    # A worker writes checkpoints, as in production; the takeover must still rebuild
    # the play-through from the whole log (module globals: test_takeover_state.py).
    worker = Worker(env, tmp_path).start()
    a, b = servers(env, tmp_path)
    try:
        teacher, ann, bob, key = lobby_game(a.base, env)
        on(bob, b)
        ann.connect(key)
        bob.connect(key)
        v = current_version(ann)
        wait_version([bob], v)
        acknowledged = []
        for role, cell, mover in ((0, 0, ann), (1, 3, bob), (0, 1, ann)):
            v = play(mover, role, cell, v, [ann if mover is bob else bob])
            acknowledged.append(cell)
        log = log_path_of(env, key)
        deadline = time.time() + 20                     # CHECKPOINT_EVERY=2: one after k=2
        while not any(e["type"] == "checkpoint_written" for e in read_events(log)):
            assert time.time() < deadline, "no checkpoint was written"
            time.sleep(0.1)
        owners = owner_of(redis_server.url, log)
        a.kill()                                        # SIGKILL of the owner, mid-game
        client = redis.Redis.from_url(redis_server.url)
        deadline = time.time() + 10                     # Redis notices its closed sockets
        while client.pubsub_numsub(f"sz:p:{owners[0]}")[0][1]:
            assert time.time() < deadline
            time.sleep(0.05)
        bob.drain(0.2)
        on(teacher, b)                                  # the teacher pauses: b takes over
        assert teacher.post(f"/s/{key}/pause", {}, csrf_from=f"/s/{key}/play").ok
        bob.wait_for(lambda t: "paused" in t.lower())
        assert teacher.post(f"/s/{key}/resume", {}, csrf_from=f"/s/{key}/play").ok
        bob.drain(0.3)
        v = play(bob, 1, 4, v, [])                      # now applied by b
        acknowledged.append(4)
        on(ann, b).connect(key)                         # Ann's page reconnects to b
        assert current_version(ann) == v
        v = play(ann, 0, 2, v, [bob])                   # X completes the top row
        acknowledged.append(2)
        events = read_events(log)
        assert [e["op"] for e in events if e["type"] == "move"] == acknowledged
        assert events[-1]["type"] == "playthrough_ended" and events[-1]["reason"] == "goal"
        assert [e["type"] for e in events if e["type"] in ("paused", "resumed")] == [
            "paused", "resumed"]
        assert validate(log, lambda s, ver: TTT)["status"] == "canonical"
        web_b = open(tmp_path / "b" / "web.log").read()
        assert web_b.count("took over play-through") == 1
        assert len(owners) == 1 and owner_of(redis_server.url, log) not in ([], owners)
    finally:
        a.stop()
        b.stop()
        worker.stop()


def test_a_class_on_one_server_with_several_gunicorn_workers(portal, tmp_path):  # noqa: F811
    """gunicorn -w 3: every request and socket lands on any worker; games still play
    to the end and every screen sees every move."""
    env, redis_server = portal
    web = WebServer(env, tmp_path, workers=3).start()
    try:
        games = [lobby_game(web.base, env) for _ in range(3)]
        for teacher, ann, bob, key in games:
            for p in (ann, bob, teacher):
                p.connect(key)
        for teacher, ann, bob, key in games:
            v = current_version(ann)
            wait_version([bob, teacher], v)
            for role, cell, mover in ((0, 0, ann), (1, 3, bob), (0, 1, ann), (1, 4, bob),
                                      (0, 2, ann)):
                v = play(mover, role, cell, v, [p for p in (ann, bob, teacher)
                                                if p is not mover])
        client = redis.Redis.from_url(redis_server.url)
        workers = {k.decode() for k in client.keys("sz:alive:*")}
        assert len(workers) >= 2      # the kernel spread the sockets over several workers
        import glob
        logs = glob.glob(f"{env['DATA_DIR']}/gdm/tic_tac_toe/sessions/*/playthroughs/1/log.jsonl")
        assert len(logs) == 3
        for log in logs:
            events = read_events(log)
            assert [e["op"] for e in events if e["type"] == "move"] == [0, 3, 1, 4, 2]
            assert validate(log, lambda s, ver: TTT)["status"] == "canonical"
    finally:
        web.stop()
