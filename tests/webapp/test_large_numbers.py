"""A number too large for a row's INTEGER column (32-bit on PostgreSQL) names nothing:
the page says so (404, or the form's refusal), never a server error."""
from webapp.extensions import db
from webapp.models import Game, MAX_INTEGER, Participant, ResearchNote

from .admin.conftest import logged_in, make_admin, post_form  # noqa: F401
from .conftest import csrf_from
from .research.conftest import played, record_of, researcher  # noqa: F401
from .research.test_api import api  # noqa: F401
from .research.test_notes import add

TOO_LARGE = MAX_INTEGER + 1


def test_ids_in_urls(app, client, researcher, api, make_user, login):  # noqa: F811
    assert client.get(f"/research/playthroughs/{TOO_LARGE}").status_code == 404
    assert client.get(f"/research/playthroughs/{10**30}/artifacts").status_code == 404
    assert api(f"/playthroughs/{TOO_LARGE}").status_code == 404
    make_user("boss", kind="admin")
    login("boss")
    assert client.get(f"/admin/accounts/{TOO_LARGE}").status_code == 404


def test_ids_and_steps_in_note_forms(app, client, researcher, played):  # noqa: F811
    key = played()
    assert add(client, key, "x", TOO_LARGE).status_code == 404
    page = add(client, key, "x", record_of(app, key), TOO_LARGE).get_data(as_text=True)
    assert "needs a play-through and a step number" in page
    with app.app_context():
        assert ResearchNote.query.count() == 0


def test_a_page_number_past_any_offset(client, researcher):  # noqa: F811
    page = client.get(f"/research/?page={10**20}", follow_redirects=True)
    assert "page must be a number between 1 and" in page.get_data(as_text=True)


def test_a_participant_id_in_the_seat_form(app, client, make_session):
    key = make_session()
    token = csrf_from(client.get(f"/s/{key}/lobby").get_data(as_text=True))
    page = client.post(f"/s/{key}/seat", data={"participant_id": str(TOO_LARGE), "roles": "0",
                                               "csrf_token": token}, follow_redirects=True)
    assert "No such participant in this session." in page.get_data(as_text=True)
    with app.app_context():
        assert all(p.roles == [] for p in Participant.query)


def test_a_game_id_in_the_account_form(app, make_admin, make_user, logged_in):
    make_admin("boss")
    stu = make_user("stu")
    admin = logged_in("boss")
    with app.app_context():
        ttt = Game.query.filter_by(slug="tic_tac_toe").one().id
    page = f"/admin/accounts/{stu}"
    response = post_form(admin, page, page, {"username": "stu", "display_name": "Stu",
                                             "kind": "student", "access_level": "custom",
                                             "games": [str(ttt), str(TOO_LARGE)]})
    assert "One of the chosen games does not exist." in response.get_data(as_text=True)
    with app.app_context():
        from webapp.accounts.models import GameAccess
        assert db.session.get(GameAccess, stu) is None
