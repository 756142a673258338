"""Self-service password reset: a signed, expiring, single-use link sent to the account's
address by a real SMTP server (aiosmtpd, started here)."""
import email
import re
import threading
import time

import pytest
from aiosmtpd.controller import Controller

from webapp.extensions import db
from webapp.models import User
from tests.support.server import free_port

from ..conftest import csrf_from
from .conftest import log_in

LINK_RE = re.compile(r"(https?://\S+/auth/reset/\S+)")


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages, self.arrived = [], threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        with self.arrived:
            self.messages.append((envelope.rcpt_tos, email.message_from_bytes(
                envelope.content)))
            self.arrived.notify_all()
        return "250 OK"

    def wait(self, count=1, timeout=10):
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout)
        return self.messages


@pytest.fixture
def smtp(app):
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_FROM="portal@school.test",
                      PUBLIC_URL="http://portal.school.test")
    yield inbox
    controller.stop()


@pytest.fixture
def ann(app, make_user):
    user_id = make_user("ann", password="old-password")
    with app.app_context():
        db.session.get(User, user_id).email = "ann@school.test"
        db.session.commit()


def ask_for_link(app, account):
    client = app.test_client()
    token = csrf_from(client.get("/auth/forgot").get_data(as_text=True))
    return client.post("/auth/forgot", data={"account": account, "csrf_token": token})


def reset_path(message):
    body = message.get_payload(decode=True).decode()
    return LINK_RE.search(body).group(1).replace("http://portal.school.test", "")


def choose(app, path, password):
    client = app.test_client()
    page = client.get(path)
    if page.status_code != 200:
        return page
    return client.post(path, data={"password": password, "password2": password,
                                   "csrf_token": csrf_from(page.get_data(as_text=True))})


def test_the_link_arrives_works_once_and_logs_out_old_cookies(app, smtp, ann):
    old_browser = app.test_client()
    assert log_in(old_browser, "ann", "old-password").status_code == 302
    assert "Forgot your password" in app.test_client().get("/auth/login").get_data(as_text=True)
    response = ask_for_link(app, "ANN@school.test")
    assert response.status_code == 302
    (recipients, message), = smtp.wait()
    assert recipients == ["ann@school.test"] and message["From"] == "portal@school.test"
    path = reset_path(message)
    assert "http://portal.school.test/auth/reset/" in message.get_payload(decode=True).decode()
    assert choose(app, path, "new-password").status_code == 302
    assert log_in(app.test_client(), "ann", "new-password").status_code == 302
    assert log_in(app.test_client(), "ann", "old-password").status_code == 401
    assert old_browser.get("/auth/account").status_code == 302
    again = choose(app, path, "third-password")
    assert again.status_code == 400 and "not valid" in again.get_data(as_text=True)


def test_by_username_too_and_the_answer_never_tells_who_exists(app, smtp, ann):
    answers = [ask_for_link(app, name) for name in ("ann", "nobody", "nobody@school.test")]
    assert len({(r.status_code, r.headers["Location"]) for r in answers}) == 1
    smtp.wait()
    time.sleep(0.5)
    assert len(smtp.messages) == 1


def test_an_expired_or_altered_link_is_refused(app, smtp, ann):
    app.config["PASSWORD_RESET_SECONDS"] = 1
    ask_for_link(app, "ann")
    path = reset_path(smtp.wait()[0][1])
    assert choose(app, path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb"),
                  "new-password").status_code == 400
    time.sleep(2.1)
    assert choose(app, path, "new-password").status_code == 400
    assert log_in(app.test_client(), "ann", "old-password").status_code == 302


def test_without_a_mail_server_there_is_no_reset_page(app, ann):
    assert app.test_client().get("/auth/forgot").status_code == 404
    assert "Forgot your password" not in app.test_client().get("/auth/login").get_data(
        as_text=True)


def test_users_set_their_own_address(app, make_user, smtp):
    make_user("bob", password="bob-password")
    client = app.test_client()
    log_in(client, "bob", "bob-password")
    token = csrf_from(client.get("/auth/account").get_data(as_text=True))
    bad = client.post("/auth/account", data={"action": "email", "email": "not an address",
                                             "csrf_token": token})
    assert bad.status_code == 400
    client.post("/auth/account", data={"action": "email", "email": "Bob@School.test",
                                       "csrf_token": token})
    ask_for_link(app, "bob@school.test")
    assert smtp.wait()[0][0] == ["bob@school.test"]
