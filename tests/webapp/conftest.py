"""Fixtures: an app on a fresh database (SQLite, or PostgreSQL with --database), a test
client, factories, a live server."""
import re
import threading

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from webapp import create_app
from webapp.catalog.seeding import install_game
from webapp.config import REPO_DIR
from webapp.extensions import db
from webapp.models import User

from .players import close_players

GAMES = ("tic_tac_toe", "rock_paper_scissors", "guess_my_age", "deduction_cards")
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def test_config(folder, database_url):
    return {
        "INSTANCE_PATH": str(folder / "instance"),
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "DATA_DIR": str(folder / "data"),
        "BOT_DELAY_SECONDS": 0.0,
        "LIVE_LOCK_CHECKS": "raise",
    }


@pytest.fixture(scope="session")
def template_db(tmp_path_factory, databases):
    """The URL of a database migrated to the latest revision with the test games
    installed, built once per run; tests get copies of it (``database_url``)."""
    folder = tmp_path_factory.mktemp("template")
    url = databases.empty(folder)
    app = create_app(test_config(folder, url))
    with app.app_context():
        upgrade()
        for slug in GAMES:
            install_game(REPO_DIR / "games" / slug)
        db.session.remove()
        db.engine.dispose()          # PostgreSQL copies a template only when no one is on it
    app.extensions["live"].close()
    return url


@pytest.fixture
def database_url(tmp_path, template_db, databases):
    """The URL of this test's own copy of the template database."""
    url = databases.copy(template_db, tmp_path)
    yield url
    databases.drop(url)


@pytest.fixture
def app(tmp_path, database_url):
    app = create_app(test_config(tmp_path, database_url))
    yield app
    app.extensions["live"].close()
    app.extensions["rows"].close()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(app):
    """Create an account: make_user("ann", kind="instructor", password="pw")."""
    def make(username, kind="student", password="pw", display_name=None):
        with app.app_context():
            user = User(username=username, kind=kind, display_name=display_name or username.title())
            user.set_password(password)
            db.session.add(user)
            db.session.commit()
            return user.id
    return make


def csrf_from(html):
    found = CSRF_RE.search(html)
    assert found, "page has no CSRF token"
    return found.group(1)


@pytest.fixture
def login(client):
    """Log the test client in through the real form."""
    def do(username, password="pw"):
        token = csrf_from(client.get("/auth/login").get_data(as_text=True))
        return client.post("/auth/login", data={"username": username, "password": password,
                                                "csrf_token": token})
    return do


@pytest.fixture
def make_session(client, login, make_user):
    """Start a session of ``slug`` as a fresh instructor; returns its key."""
    def make(slug="tic_tac_toe", username="teacher"):
        make_user(username, kind="instructor")
        login(username)
        token = csrf_from(client.get(f"/games/{slug}").get_data(as_text=True))
        response = client.post(f"/games/{slug}/start", data={"csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response.headers["Location"].split("/s/")[1].split("/")[0]
    return make


class InFlight:
    """WSGI middleware counting the requests being handled (a socket's, until it closes)."""

    def __init__(self, app):
        self.app, self.count, self.changed = app, 0, threading.Condition()

    def __call__(self, environ, start_response):
        with self.changed:
            self.count += 1
        try:
            return self.app(environ, start_response)
        finally:
            with self.changed:
                self.count -= 1
                self.changed.notify_all()

    def wait_idle(self, timeout):
        with self.changed:
            return self.changed.wait_for(lambda: self.count == 0, timeout)


@pytest.fixture
def live_server(app):
    """The real app served over HTTP and WebSocket on a free loopback port."""
    served = InFlight(app)
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    yield base
    # A socket the test left open is handled until it closes: by then this test's
    # database is gone (dropped, on PostgreSQL), and the handler's last writes fail.
    close_players(base)
    served.wait_idle(timeout=5)
    server.shutdown()
    thread.join(timeout=5)
