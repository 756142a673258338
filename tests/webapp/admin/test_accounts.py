"""Accounts: search, create, edit, deactivate, reset password, and students from a CSV file."""
import io

from webapp.extensions import db
from webapp.models import User
from webapp.accounts.models import GameAccess

from .conftest import post_form


def test_account_list_searches_by_name_and_type(app, make_admin, make_user, logged_in):
    make_admin("boss")
    make_user("ann.lee", display_name="Ann Lee")
    make_user("bob", kind="instructor", display_name="Bob Stone")
    admin = logged_in("boss")
    page = admin.get("/admin/accounts/?q=lee").get_data(as_text=True)
    assert "ann.lee" in page and "bob" not in page
    page = admin.get("/admin/accounts/?kind=instructor").get_data(as_text=True)
    assert "Bob Stone" in page and "ann.lee" not in page


def test_create_with_generated_password_shown_once(app, make_admin, logged_in):
    make_admin("boss")
    admin = logged_in("boss")
    response = post_form(admin, "/admin/accounts/new", "/admin/accounts/new", {
        "username": "carol", "display_name": "Carol", "kind": "admin", "perm_games": "on",
        "access_level": "published"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = page.split('id="new-password">')[1].split("<")[0]
    with app.app_context():
        carol = User.query.filter_by(username="carol").one()
        assert carol.perm_games and not carol.perm_accounts and carol.kind == "admin"
        assert password not in carol.password_hash and carol.check_password(password)
    assert logged_in("carol", password).get("/admin/games/").status_code == 200
    assert logged_in("carol", password).get("/admin/accounts/").status_code == 403


def test_bad_account_form_says_why_and_changes_nothing(app, make_admin, make_user, logged_in):
    make_admin("boss")
    make_user("taken")
    admin = logged_in("boss")
    response = post_form(admin, "/admin/accounts/new", "/admin/accounts/new", {
        "username": "Taken", "display_name": "X", "kind": "student",
        "access_level": "published"})
    assert response.status_code == 400
    assert "already taken" in response.get_data(as_text=True)
    response = post_form(admin, "/admin/accounts/new", "/admin/accounts/new", {
        "username": "new one", "display_name": "X", "kind": "student",
        "access_level": "published"})
    assert "not a valid username" in response.get_data(as_text=True)
    with app.app_context():
        assert User.query.count() == 2


def test_edit_access_level_deactivate_and_reset(app, make_admin, make_user, logged_in):
    make_admin("boss")
    stu = make_user("stu")
    admin = logged_in("boss")
    page = f"/admin/accounts/{stu}"
    with app.app_context():
        from webapp.models import Game
        ttt = Game.query.filter_by(slug="tic_tac_toe").one().id
    response = post_form(admin, page, page, {"username": "stu", "display_name": "Stu Dent",
                                             "kind": "student", "access_level": "custom",
                                             "games": [str(ttt)]})
    assert response.status_code == 302
    with app.app_context():
        row = db.session.get(GameAccess, stu)
        assert row.level == "custom" and row.game_ids == [ttt]
    student = logged_in("stu")
    catalog = student.get("/games/").get_data(as_text=True)
    assert "Tic-Tac-Toe" in catalog and "Rock-Paper-Scissors" not in catalog

    response = post_form(admin, page, page + "/password", {})
    new_password = response.get_data(as_text=True).split('id="new-password">')[1].split("<")[0]
    assert logged_in("stu", new_password)
    post_form(admin, page, page + "/active", {"active": "0"})
    from ..conftest import csrf_from
    fresh = app.test_client()
    token = csrf_from(fresh.get("/auth/login").get_data(as_text=True))
    assert fresh.post("/auth/login", data={"username": "stu", "password": new_password,
                                           "csrf_token": token}).status_code == 401


def test_admin_cannot_lock_themselves_out(app, make_admin, logged_in):
    boss = make_admin("boss")
    admin = logged_in("boss")
    page = f"/admin/accounts/{boss}"
    response = post_form(admin, page, page + "/active", {"active": "0"}, follow_redirects=True)
    assert "cannot deactivate your own account" in response.get_data(as_text=True)
    response = post_form(admin, page, page, {"username": "boss", "display_name": "Boss",
                                             "kind": "instructor", "access_level": "all"})
    assert "own right to manage accounts" in response.get_data(as_text=True)
    with app.app_context():
        user = db.session.get(User, boss)
        assert user.active and user.kind == "admin" and user.perm_accounts


def csv_upload(admin, text):
    return post_form(admin, "/admin/accounts/import", "/admin/accounts/import",
                     {"csv": (io.BytesIO(text.encode("utf-8")), "class.csv")},
                     content_type="multipart/form-data")


def test_csv_import_without_background_jobs_says_so_and_creates_nobody(app, make_admin,
                                                                       logged_in):
    make_admin("boss")
    admin = logged_in("boss")
    response = csv_upload(admin, "username,name,password\nzoe,Zoë Quinn,\n")
    assert response.status_code == 503
    assert "Background jobs are not available" in response.get_data(as_text=True)
    with app.app_context():
        assert User.query.filter_by(kind="student").count() == 0


def test_csv_with_errors_creates_nobody(app, make_admin, make_user, logged_in):
    make_admin("boss")
    make_user("taken")
    admin = logged_in("boss")
    response = csv_upload(admin, "ok1,Fine\ntaken,Again\nok1,Twice\nbad name,X\nok2,\nok3,Short,pw\n")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Nothing was created" in page
    for expected in ("Line 2: The username “taken” is already taken.",
                     "Line 3: The username “ok1” appears twice", "Line 4:",
                     "Line 5: The name is missing.", "Line 6: A password needs at least 8"):
        assert expected in page
    with app.app_context():
        assert User.query.count() == 2
