"""A login cookie copied before logout, a password change, a reset or a deactivation
stops working; API tokens of an account that lost access never come back."""
import re

import pytest

from webapp.extensions import db
from webapp.models import User

from ..admin.conftest import post_form
from ..conftest import csrf_from
from .conftest import log_in

SECRET_RE = re.compile(r'id="token-secret">(szr_[^<]+)<')


@pytest.fixture
def accounts(make_user, app):
    make_user("teacher", kind="instructor", password="teacher-pw")
    boss = make_user("boss", kind="admin")
    with app.app_context():
        db.session.get(User, boss).perm_accounts = True
        db.session.commit()


def copy_of(app, client):
    """Another browser holding a copy of ``client``'s cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def logged_in(app, username, password):
    client = app.test_client()
    assert log_in(client, username, password).status_code == 302
    return client


def user_id(app, username):
    with app.app_context():
        return User.query.filter_by(username=username).one().id


def test_a_cookie_copied_before_logout_is_dead_after_it(app, accounts):
    teacher = logged_in(app, "teacher", "teacher-pw")
    thief = copy_of(app, teacher)
    assert thief.get("/my/sessions").status_code == 200
    teacher.post("/auth/logout", data={"csrf_token": csrf_from(
        teacher.get("/my/sessions").get_data(as_text=True))})
    assert thief.get("/my/sessions").status_code == 302
    assert teacher.get("/my/sessions").status_code == 302


def test_changing_your_password_ends_the_other_cookies_but_not_yours(app, accounts):
    teacher = logged_in(app, "teacher", "teacher-pw")
    thief = copy_of(app, teacher)
    response = post_form(teacher, "/auth/account", "/auth/account",
                         {"action": "password", "current": "teacher-pw",
                          "password": "a-new-password", "password2": "a-new-password"})
    assert response.status_code == 302
    assert thief.get("/my/sessions").status_code == 302
    assert teacher.get("/my/sessions").status_code == 200
    assert log_in(app.test_client(), "teacher", "a-new-password").status_code == 302


def test_an_admin_reset_ends_the_accounts_cookies(app, accounts):
    teacher = logged_in(app, "teacher", "teacher-pw")
    boss = logged_in(app, "boss", "pw")
    page = f"/admin/accounts/{user_id(app, 'teacher')}"
    post_form(boss, page, page + "/password", {"password": "reset-by-admin"})
    assert teacher.get("/my/sessions").status_code == 302
    own = f"/admin/accounts/{user_id(app, 'boss')}"              # resetting your own: you
    post_form(boss, own, own + "/password", {"password": "the-boss-anew"})   # stay in
    assert boss.get("/admin/").status_code == 200


def test_reactivating_an_account_does_not_revive_its_old_cookies(app, accounts):
    teacher = logged_in(app, "teacher", "teacher-pw")
    boss = logged_in(app, "boss", "pw")
    page = f"/admin/accounts/{user_id(app, 'teacher')}"
    post_form(boss, page, page + "/active", {"active": "0"})
    assert teacher.get("/my/sessions").status_code == 302
    post_form(boss, page, page + "/active", {"active": "1"})
    assert teacher.get("/my/sessions").status_code == 302
    assert log_in(app.test_client(), "teacher", "teacher-pw").status_code == 302


def new_api_token(client):
    token = csrf_from(client.get("/research/tokens").get_data(as_text=True))
    page = client.post("/research/tokens", data={"name": "script", "csrf_token": token})
    return SECRET_RE.search(page.get_data(as_text=True)).group(1)


def api_status(app, secret):
    return app.test_client().get("/api/v1/sessions", headers={
        "Authorization": f"Bearer {secret}"}).status_code


def test_api_tokens_stay_revoked_after_reactivation(app, accounts, make_user):
    make_user("res", kind="researcher", password="res-pw")
    secret = new_api_token(logged_in(app, "res", "res-pw"))
    assert api_status(app, secret) == 200
    boss = logged_in(app, "boss", "pw")
    page = f"/admin/accounts/{user_id(app, 'res')}"
    post_form(boss, page, page + "/active", {"active": "0"})
    assert api_status(app, secret) == 401
    post_form(boss, page, page + "/active", {"active": "1"})
    assert api_status(app, secret) == 401


def test_api_tokens_stay_revoked_when_research_access_comes_back(app, accounts, make_user):
    make_user("res", kind="researcher", password="res-pw")
    secret = new_api_token(logged_in(app, "res", "res-pw"))
    boss = logged_in(app, "boss", "pw")
    page = f"/admin/accounts/{user_id(app, 'res')}"
    form = {"username": "res", "display_name": "Res", "access_level": "published"}
    post_form(boss, page, page, {**form, "kind": "student"})
    assert api_status(app, secret) == 401
    post_form(boss, page, page, {**form, "kind": "researcher"})
    assert api_status(app, secret) == 401
