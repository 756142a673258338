"""HTTP pages: login, catalog, starting a session, joining by link and code, escaping."""
from webapp.models import Participant, Session

from .conftest import csrf_from


def test_home_and_catalog_render(client):
    assert "Join code" in client.get("/").get_data(as_text=True)
    page = client.get("/games/").get_data(as_text=True)
    assert "Tic-Tac-Toe" in page and "Rock-Paper-Scissors" in page


def test_game_detail_shows_roles_and_counts(client):
    page = client.get("/games/tic_tac_toe").get_data(as_text=True)
    assert "Plays the X marks" in page and "at least 2" in page
    assert "Start a session" not in page  # anonymous visitors cannot start sessions


def test_login_wrong_password_says_so(client, make_user, login):
    make_user("ann")
    response = login("ann", "nope")
    assert response.status_code == 401
    assert "Wrong username or password" in response.get_data(as_text=True)


def test_student_cannot_start_a_session(client, make_user, login):
    make_user("stu")
    login("stu")
    token = csrf_from(client.get("/").get_data(as_text=True))
    assert client.post("/games/tic_tac_toe/start", data={"csrf_token": token}).status_code == 403


def test_instructor_starts_session_and_sees_lobby(client, app, make_session):
    key = make_session()
    page = client.get(f"/s/{key}/lobby").get_data(as_text=True)
    with app.app_context():
        game_session = Session.query.filter_by(key=key).one()
        assert game_session.status == "lobby" and len(game_session.participants) == 1
        assert game_session.join_code in page
    assert 'id="lobby-participants"' in page and 'ws-connect="/ws/s/' in page


def test_form_post_without_csrf_token_is_refused(client, make_user, login):
    make_user("teacher", kind="instructor")
    login("teacher")
    response = client.post("/games/tic_tac_toe/start", data={})
    assert response.status_code == 400


def join_as_guest(app, key, name):
    guest = app.test_client()
    token = csrf_from(guest.get(f"/s/{key}").get_data(as_text=True))
    response = guest.post(f"/s/{key}/join", data={"display_name": name, "csrf_token": token})
    return guest, response


def test_guest_joins_by_link(app, make_session):
    key = make_session()
    guest, response = join_as_guest(app, key, "  Bea   Bee ")
    assert response.status_code == 302 and response.headers["Location"].endswith("/lobby")
    with app.app_context():
        names = [p.display_name for p in Session.query.filter_by(key=key).one().participants]
    assert names[-1] == "Bea Bee"
    assert guest.get(f"/s/{key}").status_code == 302  # already in: straight to the lobby


def test_join_by_code_is_case_insensitive(app, client, make_session):
    key = make_session()
    with app.app_context():
        code = Session.query.filter_by(key=key).one().join_code
    guest = app.test_client()
    token = csrf_from(guest.get("/").get_data(as_text=True))
    response = guest.post("/join", data={"code": code.lower(), "csrf_token": token})
    assert response.headers["Location"].endswith(f"/s/{key}")
    response = guest.post("/join", data={"code": "ZZZZZZ", "csrf_token": token},
                          follow_redirects=True)
    assert "No open session has the code ZZZZZZ" in response.get_data(as_text=True)


def test_display_name_with_html_is_escaped(app, client, make_session):
    key = make_session()
    join_as_guest(app, key, "<script>alert(1)</script>")
    page = client.get(f"/s/{key}/lobby").get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_seat_token_is_stored_hashed(app, make_session):
    key = make_session()
    guest, _ = join_as_guest(app, key, "Cy")
    with guest.session_transaction() as cookie:
        token = cookie["seats"][key]
    with app.app_context():
        stored = [p.token_hash for p in Participant.query.all()]
    assert token not in stored and all(len(h) == 64 for h in stored)


def test_unknown_visitor_is_sent_to_the_invite_page(app, make_session):
    key = make_session()
    stranger = app.test_client()
    assert stranger.get(f"/s/{key}/lobby").headers["Location"].endswith(f"/s/{key}")
    assert stranger.get(f"/s/{key}/play").headers["Location"].endswith(f"/s/{key}")


def test_security_headers_forbid_inline_scripts(client):
    csp = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("style-src")[0]
