"""Checkpoint, export and validation jobs through a real Redis and RQ worker."""
import json
import zipfile

from click.testing import CliRunner

from engine.bundle import validate_bundle
from engine.log import read_events
from engine.replay import validate
from tests.webapp.conftest import csrf_from
from tests.webapp.players import Player
from tests.webapp.test_live import live_pt, move, play_setup, setup_game, start
from webapp.cli import main
from webapp.extensions import db
from webapp.jobs.models import JobRecord
from webapp.jobs.queue import enqueue
from webapp.models import PlayThroughRecord, Session
from workers.app import job


def play_ttt(app, live_server, cells=(0, 3, 1, 4, 2)):
    owner, (ann, bob), key = play_setup(app, live_server, "tic_tac_toe",
                                        [("Ann", [0]), ("Bob", [1])])
    pt = live_pt(app, key)
    for i, cell in enumerate(cells):
        version = pt.version
        move((ann, bob)[i % 2], pt, i % 2, cell)
        for p in (owner, ann, bob):
            p.wait_version(version + 1)
    return owner, ann, bob, key


def wait_for_checkpoint_events(app, key, timeout=10):
    import time
    pt = live_pt(app, key)
    deadline = time.time() + timeout
    while time.time() < deadline:
        events = read_events(pt.log.path) if pt.log else []
        if any(e["type"] == "checkpoint_written" for e in events):
            return events
        time.sleep(0.1)
    raise AssertionError("no checkpoint_written event")


def test_checkpoints_are_written_and_recorded_in_the_log(app, live_server, run_jobs):
    owner, ann, bob, key = play_ttt(app, live_server, cells=(0, 3, 1))   # not finished
    run_jobs()
    events = wait_for_checkpoint_events(app, key)
    written = [e for e in events if e["type"] == "checkpoint_written"]
    pt = live_pt(app, key)
    assert written[0]["k"] == 2 and written[0]["state_hash"] == pt.moves[1]["state_hash"]
    folder = pt.log.path.rsplit("/", 1)[0] + "/checkpoints"
    import os
    files = sorted(os.listdir(folder))
    assert files and files[0].startswith("s") and files[0].endswith(".json")
    checkpoint = json.load(open(os.path.join(folder, files[0])))
    assert checkpoint["game_version"] == pt.game.version and checkpoint["rng_state"]
    assert len(checkpoint["stack"]) == checkpoint["k"] + 1
    from engine.loader import GameSource
    source = GameSource(pt.game.folder, slug=pt.game.slug)
    report = validate(pt.log.path, lambda s, v: source, allow_open=True)
    assert report["status"] == "canonical"


def test_finished_playthrough_is_validated_automatically(app, live_server, run_jobs):
    owner, ann, bob, key = play_ttt(app, live_server)
    run_jobs()
    with app.app_context():
        record = Session.query.filter_by(key=key).one().current_playthrough
        assert record.status == "ended"
        assert record.validation_status == "canonical"
        assert record.validation_report["steps_replayed"] == 5
    page = owner.http.get(f"{live_server}/playthroughs/{record.id}/validation").text
    assert "canonical" in page and "Steps replayed" in page


def export_via_page(player, base, path, data, run_jobs):
    response = player.post(path, data, csrf_from="/")
    assert response.ok and "/jobs/" in response.url, response.text[:500]
    job_page = response.text
    assert 'id="job-progress"' in job_page
    run_jobs()
    progress = player.http.get(response.url + "/progress").text
    assert "Finished" in progress and "100%" in progress and "Download" in progress
    download = player.http.get(response.url + "/download")
    assert download.status_code == 200
    return download.content, response.url.rsplit("/", 1)[1]


def test_session_export_with_progress_and_download(app, live_server, run_jobs, tmp_path):
    owner, ann, bob, key = play_ttt(app, live_server)
    content, job_id = export_via_page(owner, live_server, f"/s/{key}/export", {}, run_jobs)
    path = tmp_path / "session.zip"
    path.write_bytes(content)
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        manifest = json.loads(zf.read("manifest.json"))
    assert "playthroughs/1/log.jsonl" in names and "game/Tic_Tac_Toe_SZ6.py" in names
    assert manifest["session"] == key and manifest["game"] == "tic_tac_toe"
    summary = validate_bundle(str(path))
    assert summary["status"] == "canonical" and summary["logs"] == 1
    with app.app_context():
        job = db.session.get(JobRecord, job_id)
        assert job.status == "finished" and job.progress == 100 and job.attempts == 1
    stranger = Player(live_server)
    response = stranger.http.get(f"{live_server}/jobs/{job_id}/download", allow_redirects=False)
    assert response.status_code in (302, 401, 403)
    assert ann.http.get(f"{live_server}/jobs/{job_id}/download").status_code in (401, 403) \
        or "login" in ann.http.get(f"{live_server}/jobs/{job_id}/download").url


def test_exports_name_no_one_unless_an_admin_includes_the_names(app, live_server, run_jobs,
                                                                tmp_path):
    """Research exports carry pseudonymous ids and no display names by default; an admin
    may include the name table; the logs (chain, signature) are as written either way."""
    owner, ann, bob, key = play_ttt(app, live_server)
    plain, _ = export_via_page(owner, live_server, f"/s/{key}/export", {}, run_jobs)
    asked, _ = export_via_page(owner, live_server, f"/s/{key}/export",
                               {"include_names": "1"}, run_jobs)
    for n, (content, named) in enumerate(((plain, False), (asked, False))):
        path = tmp_path / f"e{n}.zip"
        path.write_bytes(content)
        with zipfile.ZipFile(path) as zf:
            manifest = json.loads(zf.read("manifest.json"))
            log_text = zf.read("playthroughs/1/log.jsonl").decode()
        assert "Ann" not in log_text and "Bob" not in log_text
        assert all(s["participant"].startswith("p-") for s in manifest["seats"])
        assert ("Ann" in json.dumps(manifest)) == named     # not an admin: no names
        assert manifest["pseudonymised"] is True
        assert validate_bundle(str(path))["status"] == "canonical"
    with app.app_context():                  # the owner becomes an admin: names on request
        Session.query.filter_by(key=key).one().owner.kind = "admin"
        db.session.commit()
    named, _ = export_via_page(owner, live_server, f"/s/{key}/export",
                               {"include_names": "1"}, run_jobs)
    path = tmp_path / "named.zip"
    path.write_bytes(named)
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert "Ann" not in zf.read("playthroughs/1/log.jsonl").decode()
    assert any(s.get("name") == "Ann" for s in manifest["seats"])
    assert "pseudonymised" not in manifest


def test_playthrough_log_and_zip_exports(app, live_server, run_jobs, tmp_path):
    owner, ann, bob, key = play_ttt(app, live_server)
    with app.app_context():
        record = Session.query.filter_by(key=key).one().current_playthrough
        log_bytes = open(record.log_path, "rb").read()
        rid = record.id
    raw, _ = export_via_page(owner, live_server, f"/playthroughs/{rid}/export",
                             {"format": "log"}, run_jobs)
    assert raw == log_bytes
    zipped, _ = export_via_page(owner, live_server, f"/playthroughs/{rid}/export",
                                {"format": "zip"}, run_jobs)
    (tmp_path / "pt.zip").write_bytes(zipped)
    assert validate_bundle(str(tmp_path / "pt.zip"))["status"] == "canonical"


def test_same_export_asked_twice_is_one_job(app, live_server, run_jobs):
    owner, ann, bob, key = play_ttt(app, live_server)
    first = owner.post(f"/s/{key}/export", {}, csrf_from="/")
    second = owner.post(f"/s/{key}/export", {}, csrf_from="/")
    assert first.url == second.url
    with app.app_context():
        assert JobRecord.query.filter_by(kind="export").count() == 1


def test_students_cannot_export(app, live_server, run_jobs):
    owner, ann, bob, key = play_ttt(app, live_server)
    response = ann.post(f"/s/{key}/export", {}, csrf_from="/")
    assert response.status_code in (401, 403) or "/auth/login" in response.url


def test_validation_of_a_corrupt_and_a_truncated_log(app, filled_session, run_jobs, client,
                                                     make_user, login):
    key = filled_session(count=3, owner="prof")
    with app.app_context():
        records = Session.query.filter_by(key=key).one().playthroughs
        paths = [r.log_path for r in records]
        ids = [r.id for r in records]
    lines = open(paths[0], "rb").read().splitlines(keepends=True)
    open(paths[0], "wb").write(b"".join(lines[:-1]) + lines[-1][:20])     # truncated
    lines = open(paths[1], "rb").read().splitlines(keepends=True)
    lines[2] = lines[2].replace(b'"op":', b'"op": ', 1)                   # edited
    open(paths[1], "wb").write(b"".join(lines))
    make_user("admin1", kind="admin")
    login("admin1")
    token = csrf_from(client.get("/admin/jobs").get_data(as_text=True))
    assert client.post(f"/s/{key}/validate", data={"csrf_token": token}).status_code == 302
    run_jobs()
    with app.app_context():
        got = {r.id: (r.validation_status, r.validation_class)
               for r in PlayThroughRecord.query.filter(PlayThroughRecord.id.in_(ids))}
    assert got[ids[0]] == ("non_canonical", "structure")
    assert got[ids[1]] == ("non_canonical", "structure")
    assert got[ids[2]] == ("canonical", None)
    page = client.get(f"/playthroughs/{ids[0]}/validation").get_data(as_text=True)
    assert "structure" in page and "First divergence" in page


def test_pause_and_resume_by_the_owner(app, live_server, run_jobs):
    owner, (ann, bob), key = setup_game(app, live_server, "tic_tac_toe",
                                        [("Ann", [0]), ("Bob", [1])])
    start(owner, key, [owner, ann, bob])
    pt = live_pt(app, key)
    assert owner.post(f"/s/{key}/pause", {}, csrf_from="/").ok
    ann.drain(0.2)
    ann.send(action="move", role=0, op=4, args="[]", state_version=pt.version)
    assert "paused" in ann.flash()
    assert pt.k == 0
    with app.app_context():
        from webapp.models import User
        student = User(username="stud", kind="student", display_name="Stud")
        student.set_password("pw")
        db.session.add(student)
        db.session.commit()
    refused = Player(live_server).login("stud").post(f"/s/{key}/resume", {}, csrf_from="/")
    assert refused.status_code == 403
    with app.app_context():
        assert Session.query.filter_by(key=key).one().status == "paused"
    assert owner.post(f"/s/{key}/resume", {}, csrf_from="/").ok
    version = pt.version
    ann.send(action="move", role=0, op=4, args="[]", state_version=version)
    ann.wait_version(version + 1)
    types = [e["type"] for e in read_events(pt.log.path)]
    assert types.index("paused") < types.index("resumed") < types.index("move")
    with app.app_context():
        assert Session.query.filter_by(key=key).one().status == "in_progress"


def test_admin_monitor_retries_a_failed_job(app, client, make_user, login, filled_session,
                                            run_jobs):
    key = filled_session(count=1, owner="prof")
    make_user("admin1", kind="admin")
    login("admin1")
    with app.app_context():
        record = Session.query.filter_by(key=key).one().playthroughs[0]
        log_path = record.log_path
    import os
    os.rename(log_path, log_path + ".away")
    token = csrf_from(client.get("/admin/jobs").get_data(as_text=True))
    response = client.post(f"/playthroughs/{record.id}/export",
                           data={"format": "log", "csrf_token": token})
    job_url = response.headers["Location"]
    run_jobs()
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "Failed jobs" in page and "FileNotFoundError" in page
    os.rename(log_path + ".away", log_path)
    job_id = job_url.rsplit("/", 1)[1]
    client.post(f"/admin/jobs/{job_id}/retry", data={"csrf_token": token})
    run_jobs()
    with app.app_context():
        assert db.session.get(JobRecord, job_id).status == "finished"


@job("export")
def fail_with_a_long_message(progress=None):
    """A job whose error names a long path (as a missing log file does)."""
    raise FileNotFoundError("/srv/szportal/" + "deeper/" * 60 + "log.jsonl")


def test_a_job_failing_with_a_long_message_is_shown_failed(app, client, make_user, login,
                                                          run_jobs):
    with app.app_context():
        enqueue("export", "tests.workers.test_jobs.fail_with_a_long_message", [], "long-fail",
                "exports")
    run_jobs()
    with app.app_context():
        record = db.session.get(JobRecord, "long-fail")
        assert record.status == "failed" and record.finished_at is not None
        assert record.message.startswith("FileNotFoundError: /srv/szportal/deeper/")
        assert "deeper/" * 60 + "log.jsonl" in record.error          # all of it kept
    make_user("boss", kind="admin")
    login("boss")
    failed = client.get("/admin/jobs").get_data(as_text=True).split("Failed jobs")[1]
    assert "long-fail" in failed and "FileNotFoundError" in failed


def test_rq_dashboard_is_for_admins_only(app, client, make_user, login):
    make_user("stu")
    login("stu")
    assert client.get("/admin/rq/").status_code == 403
    client.post("/auth/logout", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))})
    make_user("boss", kind="admin")
    login("boss")
    assert client.get("/admin/rq/").status_code == 200


def test_cli_export_session_and_game_then_validate_zip(app, filled_session, tmp_path,
                                                      monkeypatch):
    key = filled_session(count=2, owner="prof")
    filled_session(count=1, owner="prof")
    for name, value in (("DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"]),
                        ("DATA_DIR", app.config["DATA_DIR"]), ("SECRET_KEY", "x")):
        monkeypatch.setenv(name, value)
    runner = CliRunner()
    out = tmp_path / "s.zip"
    result = runner.invoke(main, ["export", "--session", key, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(main, ["validate", str(out)]).exit_code == 0
    bulk = tmp_path / "bulk.zip"
    result = runner.invoke(main, ["export", "--game", "tic_tac_toe", "--out", str(bulk)])
    assert result.exit_code == 0 and "2 sessions" in result.output, result.output
    check = runner.invoke(main, ["validate", str(bulk), "--json"])
    assert check.exit_code == 0 and json.loads(check.output)["logs"] == 3
    assert runner.invoke(main, ["export", "--session", "nope", "--out", str(out)]).exit_code != 0


def test_without_redis_the_page_says_so_and_play_goes_on(tmp_path, database_url):
    from webapp import create_app
    from tests.webapp.conftest import test_config as cfg
    config = cfg(tmp_path, database_url)
    config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    app = create_app(config)
    with app.app_context():
        from webapp.jobs.queue import redis_status
        ok, message = redis_status()
        db.engine.dispose()
    app.extensions["live"].close()
    assert not ok and "not reachable" in message


def test_my_sessions_shows_validation_badges(app, client, make_user, login, filled_session,
                                             run_jobs):
    make_user("prof", kind="instructor")
    key = filled_session(count=2, owner="prof")
    login("prof")
    page = client.get("/my/sessions").get_data(as_text=True)
    assert page.count("not validated") == 2 and f"/s/{key}/validate" in page
    token = csrf_from(page)
    client.post(f"/s/{key}/validate", data={"csrf_token": token})
    run_jobs()
    page = client.get("/my/sessions").get_data(as_text=True)
    assert page.count("validation-canonical") == 2
