"""Admin test helpers: accounts with permissions, logged-in clients, CSRF-carrying posts."""
import pytest

from webapp.extensions import db
from webapp.models import User

from ..conftest import csrf_from


@pytest.fixture
def make_admin(app, make_user):
    """An admin account with the given permissions (all by default)."""
    def make(username="boss", perms=("perm_accounts", "perm_games", "perm_research")):
        user_id = make_user(username, kind="admin")
        with app.app_context():
            user = db.session.get(User, user_id)
            for perm in perms:
                setattr(user, perm, True)
            db.session.commit()
        return user_id
    return make


@pytest.fixture
def logged_in(app):
    """A new test client logged in as ``username`` (password ``pw``)."""
    def make(username, password="pw"):
        client = app.test_client()
        token = csrf_from(client.get("/auth/login").get_data(as_text=True))
        response = client.post("/auth/login", data={"username": username,
                                                    "password": password,
                                                    "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client
    return make


def post_form(client, page, url, data=None, **kwargs):
    """POST ``data`` to ``url`` with the CSRF token of ``page``."""
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={**(data or {}), "csrf_token": token}, **kwargs)
