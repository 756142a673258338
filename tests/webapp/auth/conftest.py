"""Auth test helpers: clients with their own address, logins through the real form."""
import pytest

from ..conftest import csrf_from


def log_in(client, username, password="pw"):
    """POST the real login form; returns the response."""
    token = csrf_from(client.get("/auth/login").get_data(as_text=True))
    return client.post("/auth/login", data={"username": username, "password": password,
                                            "csrf_token": token})


@pytest.fixture
def client_from(app):
    """A new test client whose requests come from ``address``."""
    def make(address="10.1.1.1"):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        return client
    return make


@pytest.fixture
def limits(app):
    """Set the login limits of the app: limits(account="3/minute")."""
    def set_limits(**names):
        from webapp.auth.throttle import Throttle
        for name, value in names.items():
            app.config[f"LOGIN_LIMITS_{name.upper()}"] = value
        app.extensions["login_throttle"] = Throttle(app)
    return set_limits
