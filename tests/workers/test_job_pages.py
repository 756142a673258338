"""Finished means shown: a validation job's page gives the verdict, the class and the
report's link; every job page links back to where it was asked."""
import re

from tests.webapp.conftest import csrf_from
from webapp.models import Session


def corrupt(path):
    lines = open(path, "rb").read().splitlines(keepends=True)
    lines[2] = lines[2].replace(b'"op":', b'"op": ', 1)
    open(path, "wb").write(b"".join(lines))


def test_the_instructors_validate_ends_on_the_verdict(app, filled_session, run_jobs, client,
                                                      make_user, login):
    key = filled_session(count=2, owner="prof")
    with app.app_context():
        records = Session.query.filter_by(key=key).one().playthroughs
        corrupt(records[0].log_path)
        ids = [r.id for r in records]
    login("prof")                          # fill_session's owner has the password pw
    token = csrf_from(client.get("/my/sessions").get_data(as_text=True))
    response = client.post(f"/s/{key}/validate", data={"csrf_token": token},
                           headers={"Referer": "http://localhost/my/sessions"})
    job_page = response.headers["Location"]
    run_jobs()
    page = client.get(job_page).get_data(as_text=True)
    assert "1 of 2 play-throughs not canonical" in page
    assert 'href="/my/sessions" id="job-back">← Back to My sessions' in page
    rows = re.findall(r'<tr class="verdict-row" data-status="(\w+)">(.*?)</tr>', page, re.S)
    assert [status for status, _ in rows] == ["non_canonical", "canonical"]
    assert "structure" in rows[0][1]
    assert f'href="/playthroughs/{ids[0]}/validation"' in rows[0][1]


def test_a_batch_validation_gives_its_counts(app, filled_session, run_jobs, client, make_user,
                                             login):
    filled_session(count=2, owner="prof")
    make_user("boss", kind="admin")
    login("boss")
    token = csrf_from(client.get("/admin/jobs").get_data(as_text=True))
    job_page = client.post("/admin/validation/run", data={"csrf_token": token}).headers[
        "Location"]
    run_jobs()
    page = client.get(job_page).get_data(as_text=True)
    assert "2 of 2 play-throughs canonical" in page
    assert "← Back to the job monitor" in page
