"""Students from a CSV file: checked in the request (limits, no 500 on bad input), created
by an RQ job with progress, their generated passwords shown until the admin deletes them."""
import io

import pytest

from tests.webapp.admin.conftest import logged_in, post_form  # noqa: F401 (fixture)
from tests.webapp.conftest import csrf_from
from webapp.extensions import db
from webapp.jobs.models import JobRecord
from webapp.models import User


@pytest.fixture
def boss(make_user, app, login, client):
    user_id = make_user("boss", kind="admin")
    with app.app_context():
        db.session.get(User, user_id).perm_accounts = True
        db.session.commit()
    login("boss")
    return client


def send(client, text, name="students.csv"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return post_form(client, "/admin/accounts/import", "/admin/accounts/import",
                     {"csv": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_three_hundred_students_in_a_job_with_progress(app, boss, run_jobs):
    lines = ["username,name,email,password"] + [
        f"s{n:03},Student {n},s{n:03}@school.test," for n in range(300)]
    lines[5] = "s004,Student 4,,given-password"
    response = send(boss, "\n".join(lines))
    assert response.status_code == 302
    job_page = response.headers["Location"]
    waiting = boss.get(job_page).get_data(as_text=True)
    assert "Creating students" in waiting and "Waiting for a worker" in waiting
    with app.app_context():
        assert User.query.filter_by(kind="student").count() == 0
    run_jobs()
    with app.app_context():
        job = db.session.get(JobRecord, job_page.rsplit("/", 1)[1])
        assert (job.status, job.progress, job.kind) == ("finished", 100, "import")
        assert User.query.filter_by(kind="student").count() == 300
        assert db.session.get(User, User.query.filter_by(username="s007").one().id).email \
            == "s007@school.test"
    page = boss.get(job_page).get_data(as_text=True)
    assert "300 students created." in page
    assert page.count("<code>") >= 299 and "as given in the file" in page
    assert "← Back to the accounts" in page
    download = boss.get(job_page + "/download")
    assert download.status_code == 200 and download.headers["Cache-Control"] == "no-store"
    rows = download.get_data(as_text=True).splitlines()
    password = rows[1].split(",")[2]
    fresh = app.test_client()                              # the password works
    token = csrf_from(fresh.get("/auth/login").get_data(as_text=True))
    assert fresh.post("/auth/login", data={"username": "s000", "password": password,
                                           "csrf_token": token}).status_code == 302
    post_form(boss, job_page, job_page + "/forget")
    assert boss.get(job_page + "/download").status_code == 404
    assert "The generated passwords were deleted" in boss.get(job_page).get_data(as_text=True)


@pytest.mark.parametrize("content, reason", [
    ("ann,Ann," + "x" * 140_000 + "\n", "cannot be read as CSV"),
    ("ann,Ann," + "x" * 1000 + "\n", "longer than 256 characters"),
    ("ann,Ann,,ann@x.test,extra\n", "at most 4 (username, name, password, email)"),
    ("ann,Ann,,not-an-address\n", "is not an e-mail address"),
    ("username,name,shoe size\nann,Ann,42\n", "unknown column"),
])
def test_bad_files_are_refused_with_a_reason_and_nothing_is_queued(app, boss, content, reason):
    response = send(boss, content)
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page[:500]
    assert reason in page
    with app.app_context():
        assert JobRecord.query.count() == 0 and User.query.filter_by(kind="student").count() == 0


def test_quoted_names_blank_lines_and_given_passwords(app, boss, run_jobs, logged_in):
    response = send(boss, "username,name,password\nzoe,Zoë Quinn,\n"
                          "yan,Yan Li,given-pass-1\n\nxia,\"Xia, Wu\",\n")
    job_page = response.headers["Location"]
    run_jobs()
    page = boss.get(job_page).get_data(as_text=True)
    assert "3 students created" in page
    rows = page.split('id="created-students"')[1]
    zoe_password = rows.split("zoe</td>")[1].split("<code>")[1].split("</code>")[0]
    assert "as given in the file" in rows.split("yan</td>")[1].split("</tr>")[0]
    with app.app_context():
        users = {u.username: u for u in User.query.filter_by(kind="student")}
        assert set(users) == {"zoe", "yan", "xia"} and users["xia"].display_name == "Xia, Wu"
        assert users["zoe"].check_password(zoe_password)
    assert logged_in("yan", "given-pass-1")


def test_a_username_taken_while_the_job_waited_creates_nobody(app, boss, run_jobs, make_user):
    job_page = send(boss, "ann,Ann\nbob,Bob\n").headers["Location"]
    make_user("bob")
    run_jobs()
    page = boss.get(job_page).get_data(as_text=True)
    assert "Nothing was created: The username “bob” is already taken" in page
    with app.app_context():
        assert User.query.filter_by(username="ann").first() is None


def test_only_the_admin_who_imported_sees_the_passwords(app, boss, run_jobs, make_user,
                                                        logged_in):
    job_page = send(boss, "ann,Ann\n").headers["Location"]
    run_jobs()
    other = make_user("other_admin", kind="admin")
    with app.app_context():
        db.session.get(User, other).perm_accounts = True
        db.session.commit()
    client = logged_in("other_admin")
    assert client.get(job_page).status_code == 403
    assert client.get(job_page + "/download").status_code == 403
