"""Faults, really done: SIGKILL of the web process and of a worker, Redis restarted."""
import time

import pytest
import redis
from rq.registry import StartedJobRegistry
from rq import Queue
from sqlalchemy import create_engine, text

from engine.bundle import validate_bundle
from engine.log import read_events
from engine.replay import validate
from tests.support.redis_server import RedisProcess
from tests.support.server import WebServer, Worker, cli, portal_env
from tests.webapp.players import Player

pytestmark = pytest.mark.slow
VERSION = __import__("re").compile(r'id="operators"[^>]*data-version="(\d+)"')


@pytest.fixture
def portal(tmp_path, empty_database_url):
    redis_server = RedisProcess(tmp_path).start()
    env = portal_env(tmp_path, redis_server.url, empty_database_url)
    cli(env, "init-db")
    cli(env, "seed")
    yield env, redis_server
    redis_server.stop()


def participant_ids(env, key):
    engine = create_engine(env["DATABASE_URL"])
    try:
        with engine.connect() as connection:
            return dict(connection.execute(
                text("SELECT p.display_name, p.id FROM participant p JOIN session s "
                     "ON p.session_id = s.id WHERE s.key = :key"), {"key": key}).all())
    finally:
        engine.dispose()


def lobby_game(base, env):
    """Instructor starts tic-tac-toe; Ann (X) and Bob (O) seated; returns players and key."""
    teacher = Player(base).login("instructor", "instructor-demo")
    key = teacher.start_session("tic_tac_toe")
    ann, bob = Player(base).join(key, "Ann"), Player(base).join(key, "Bob")
    ids = participant_ids(env, key)
    for name, role in (("Ann", 0), ("Bob", 1)):
        response = teacher.post(f"/s/{key}/seat", {"participant_id": ids[name], "roles": [role]},
                                csrf_from=f"/s/{key}/lobby")
        assert response.ok
    assert teacher.post(f"/s/{key}/start", {}, csrf_from=f"/s/{key}/lobby").ok
    return teacher, ann, bob, key


def version_of(player):
    text = player.wait_for(lambda t: 'id="operators"' in t and "data-version" in t)
    return int(VERSION.search(text).group(1))


def move(player, role, cell, version):
    """Send a move and wait until the server acknowledges it with the next version."""
    player.send(action="move", role=role, op=cell, args="[]", state_version=version)
    text = player.wait_for(lambda t: 'id="operators"' in t
                           and f'data-version="{version + 1}"' in t)
    return version + 1, text


def log_path_of(env, key):
    import glob
    paths = glob.glob(f"{env['DATA_DIR']}/gdm/tic_tac_toe/sessions/*/playthroughs/1/log.jsonl")
    assert len(paths) == 1
    return paths[0]


def test_sigkill_of_the_web_process_loses_no_acknowledged_move(portal, tmp_path):
    env, _ = portal
    web = WebServer(env, tmp_path).start()
    try:
        teacher, ann, bob, key = lobby_game(web.base, env)
        for p in (ann, bob):
            p.connect(key)
        v = version_of(ann)
        bob.drain(0.3)
        acknowledged = []
        for role, cell, player in ((0, 0, ann), (1, 3, bob), (0, 1, ann)):
            v, _ = move(player, role, cell, v)
            acknowledged.append(cell)
            (bob if player is ann else ann).drain(0.1)
        web.kill()                                   # SIGKILL, mid-game
        web = WebServer(env, tmp_path, port=web.port).start()
        for p in (ann, bob):
            p.connect(key)                           # same cookies: the same seats
        v = version_of(bob)
        ann.drain(0.3)
        v, _ = move(bob, 1, 4, v)
        ann.drain(0.2)
        v, text = move(ann, 0, 2, v)                 # X completes the top row
        events = read_events(log_path_of(env, key))
        cells = [e["op"] for e in events if e["type"] == "move"]
        assert cells == acknowledged + [4, 2]
        assert events[-1]["type"] == "playthrough_ended" and events[-1]["reason"] == "goal"
        games = env["PYTHONPATH"] + "/games/tic_tac_toe"
        from engine.loader import GameSource
        source = GameSource(games)
        assert validate(log_path_of(env, key), lambda s, ver: source)["status"] == "canonical"
    finally:
        web.stop()


def test_sigkill_of_a_worker_mid_export_retries_to_a_complete_zip(portal, tmp_path):
    env, redis_server = portal
    fill = ("from webapp import create_app; from bench.fixtures import fill_session; "
            "app = create_app(); ctx = app.app_context(); ctx.push(); "
            "print(fill_session('tic_tac_toe', 12, owner_username='instructor').key)")
    import subprocess
    import sys
    key = subprocess.run([sys.executable, "-c", fill], env=env, cwd=env["PYTHONPATH"],
                         capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    web = WebServer(env, tmp_path).start()
    slow = dict(env, SZPORTAL_EXPORT_THROTTLE="0.4")
    worker = Worker(slow, tmp_path).start()
    try:
        teacher = Player(web.base).login("instructor", "instructor-demo")
        response = teacher.post(f"/s/{key}/export", {}, csrf_from="/")
        job_url = response.url
        assert "/jobs/" in job_url
        deadline = time.time() + 30
        while time.time() < deadline:
            page = teacher.http.get(job_url + "/progress").text
            if "Started" in page and "0%" not in page.split("<span")[1][:10]:
                break
            time.sleep(0.2)
        else:
            raise AssertionError("the export never made progress")
        worker.kill()                                # SIGKILL the worker and its work horse
        connection = redis.Redis.from_url(redis_server.url)
        registry = StartedJobRegistry(queue=Queue("exports", connection=connection))
        # The dead worker's heartbeat would lapse after its TTL; RQ's own clean-up
        # then retries the job.  Run that clean-up as of a time past the TTL.
        registry.cleanup(timestamp=time.time() + 3600)
        worker = Worker(env, tmp_path).start()     # retries after the job's back-off
        deadline = time.time() + 90
        while time.time() < deadline:
            page = teacher.http.get(job_url + "/progress").text
            if "Finished" in page or "Failed" in page:
                break
            time.sleep(0.5)
        assert "Finished" in page and "attempt 2" in page, page
        data = teacher.http.get(job_url + "/download").content
        (tmp_path / "export.zip").write_bytes(data)
        summary = validate_bundle(str(tmp_path / "export.zip"))
        assert summary["status"] == "canonical" and summary["logs"] == 12
    finally:
        worker.stop()
        web.stop()


def test_redis_restart_while_sessions_are_live(portal, tmp_path):
    env, redis_server = portal
    web = WebServer(env, tmp_path).start()
    try:
        teacher, ann, bob, key = lobby_game(web.base, env)
        admin = Player(web.base).login("admin", "admin-demo")
        for p in (ann, bob):
            p.connect(key)
        v = version_of(ann)
        bob.drain(0.3)
        v, _ = move(ann, 0, 0, v)
        bob.drain(0.1)
        redis_server.stop()                          # Redis goes away mid-game
        assert "not reachable" in admin.http.get(f"{web.base}/admin/jobs").text
        response = teacher.post(f"/s/{key}/export", {}, csrf_from="/")
        assert "Cannot start the job now" in response.text
        v, _ = move(bob, 1, 3, v)                    # play goes on
        ann.drain(0.1)
        v, _ = move(ann, 0, 1, v)
        redis_server.start()                         # back, empty
        assert "Background jobs are running" in admin.http.get(f"{web.base}/admin/jobs").text
        bob.drain(0.1)
        v, _ = move(bob, 1, 4, v)
        ann.drain(0.1)
        v, _ = move(ann, 0, 2, v)
        events = read_events(log_path_of(env, key))
        assert [e["op"] for e in events if e["type"] == "move"] == [0, 3, 1, 4, 2]
        response = teacher.post(f"/s/{key}/export", {}, csrf_from="/")
        assert "/jobs/" in response.url
    finally:
        web.stop()


@pytest.mark.browser
def test_pages_reconnect_by_themselves_after_the_web_process_is_killed(portal, tmp_path):
    from playwright.sync_api import sync_playwright

    from tests.support.browser import launch_chromium
    env, _ = portal
    web = WebServer(env, tmp_path).start()
    try:
        teacher = Player(web.base).login("instructor", "instructor-demo")
        key = teacher.start_session("tic_tac_toe")
        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            page = browser.new_context().new_page()
            page.set_default_timeout(20_000)
            page.goto(f"{web.base}/s/{key}")
            page.fill("input[name=display_name]", "Ann")
            page.click("#join-session button[type=submit]")
            page.wait_for_url("**/lobby")
            bob = Player(web.base).join(key, "Bob")
            ids = participant_ids(env, key)
            for name, role in (("Ann", 0), ("Bob", 1)):
                teacher.post(f"/s/{key}/seat", {"participant_id": ids[name], "roles": [role]},
                             csrf_from=f"/s/{key}/lobby")
            teacher.post(f"/s/{key}/start", {}, csrf_from=f"/s/{key}/lobby")
            page.wait_for_url("**/play")
            page.click("#state-view [data-op-index='4']")          # X in the centre
            page.wait_for_selector("#operators[data-version='2']", state="attached")
            web.kill()
            web = WebServer(env, tmp_path, port=web.port).start()
            bob.connect(key)
            v = version_of(bob)
            move(bob, 1, 0, v)                                   # O moves after the restart
            # Ann's page was never reloaded: its socket reconnects and shows O's move.
            page.wait_for_selector(f"#operators[data-version='{v + 1}']", state="attached")
            page.click("#state-view [data-op-index='8']")
            bob.wait_for(lambda t: f'data-version="{v + 2}"' in t)
            browser.close()
        cells = [e["op"] for e in read_events(log_path_of(env, key)) if e["type"] == "move"]
        assert cells == [4, 0, 8]
    finally:
        web.stop()
