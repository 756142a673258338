"""Request size limits, staged installs that expire, and the live path's watchdog."""
import logging
import os
import socket
import time

from webapp import create_app
from webapp.install.services import staged

from .conftest import csrf_from, test_config as config_for


def raw_request(base, head):
    """Send a request head (no body) and return the status line the server answers."""
    host, port = base.split("//")[1].split(":")
    with socket.create_connection((host, int(port)), timeout=5) as conn:
        conn.sendall(head.encode())
        return conn.recv(200).split(b"\r\n")[0].decode()


def test_a_huge_form_post_is_refused_before_its_body_is_read(live_server):
    started = time.monotonic()
    status = raw_request(live_server, "POST /auth/login HTTP/1.1\r\nHost: x\r\n"
                         "Content-Type: application/x-www-form-urlencoded\r\n"
                         f"Content-Length: {300 * 1024 * 1024}\r\n\r\nusername=a")
    assert status.endswith("413 REQUEST ENTITY TOO LARGE"), status
    assert time.monotonic() - started < 2


def test_forms_are_small_but_uploads_may_be_large(app, client, make_user, login):
    too_big = b"x" * (app.config["FORM_MAX_BYTES"] + 10)
    response = client.post("/auth/login", data=too_big,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
    make_user("boss", kind="admin")
    with app.app_context():
        from webapp.extensions import db
        from webapp.models import User
        User.query.filter_by(username="boss").one().perm_games = True
        db.session.commit()
    login("boss")
    token = csrf_from(client.get("/admin/games/install").get_data(as_text=True))
    import io
    upload = io.BytesIO(b"PK\x03\x04" + b"\0" * (3 * 1024 * 1024))
    response = client.post("/admin/games/install", content_type="multipart/form-data",
                           data={"csrf_token": token, "archive": (upload, "big.zip")})
    assert response.status_code != 413          # read and judged as a ZIP, not refused


def test_staged_installs_expire(tmp_path, database_url):
    staging = tmp_path / "data" / "install_staging"
    old, fresh = staging / "st_old", staging / "st_fresh"
    for folder in (old, fresh):
        folder.mkdir(parents=True)
        (folder / "review.json").write_text("{}")
    stale = time.time() - 2 * 3600
    os.utime(old / "review.json", (stale, stale))
    os.utime(old, (stale, stale))
    app = create_app(config_for(tmp_path, database_url))   # start-up sweeps old ones
    try:
        assert not old.exists() and fresh.exists()
        with app.test_request_context("/"):
            assert staged("st_fresh") == {}
            os.utime(fresh / "review.json", (stale, stale))
            assert staged("st_fresh") is None and not fresh.exists()
    finally:
        app.extensions["live"].close()
        app.extensions["rows"].close()
        with app.app_context():
            from webapp.extensions import db
            db.engine.dispose()


def test_the_watchdog_logs_every_stack_once_when_moves_stall(app, caplog):
    dog = app.extensions["live"].watchdog
    dog.seconds = 0.5
    token = dog.begin()                  # a move that never finishes
    dog.last_progress = time.monotonic() - 1
    with caplog.at_level(logging.ERROR, logger="webapp.live.watchdog"):
        deadline = time.monotonic() + 5
        while dog.dumps == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.5)
    dumps = [r for r in caplog.records if "no progress" in r.getMessage()]
    assert len(dumps) == 1 and dog.dumps == 1
    assert "--- thread MainThread" in dumps[0].getMessage()
    dog.end(token)
    assert dog.stalled() is None
