"""Only researchers and admins granted research access may use the panel."""
import pytest

from webapp.extensions import db
from webapp.models import User

from ..conftest import csrf_from
from .conftest import record_of

PAGES = ["/research/", "/research/notes", "/research/charts", "/research/tokens",
         "/research/charts/outcomes.csv"]


def detail_pages(app, key):
    record = record_of(app, key)
    return [f"/research/s/{key}", f"/research/playthroughs/{record}",
            f"/research/playthroughs/{record}/artifacts"]


def test_anonymous_visitors_are_sent_to_log_in(client, app, played):
    key = played()
    for path in PAGES + detail_pages(app, key):
        response = client.get(path)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("kind", ["student", "instructor", "admin"])
def test_other_accounts_get_403_everywhere(client, app, make_user, login, played, kind):
    key = played()
    make_user("olga", kind=kind)
    login("olga")
    for path in PAGES + detail_pages(app, key):
        assert client.get(path).status_code == 403, path
    token = csrf_from(client.get("/").get_data(as_text=True))
    assert client.post("/research/tokens", data={"name": "x", "csrf_token": token}
                       ).status_code == 403
    assert ">Research</a>" not in client.get("/").get_data(as_text=True)


def test_researchers_and_admins_with_research_permission_get_in(client, app, make_user,
                                                                login, played):
    key = played()
    admin_id = make_user("ada", kind="admin")
    with app.app_context():
        db.session.get(User, admin_id).perm_research = True
        db.session.commit()
    make_user("rita", kind="researcher")
    for username in ("ada", "rita"):
        login(username)
        for path in PAGES + detail_pages(app, key):
            assert client.get(path).status_code == 200, (username, path)
        assert ">Research</a>" in client.get("/").get_data(as_text=True)
