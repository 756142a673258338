"""My sessions, observing without a seat, the admin dashboard and terminating a session."""
import re

from engine.playthrough import Actor
from webapp.models import Participant, PlayThroughRecord, Session

from ..conftest import csrf_from
from .conftest import post_form


def running_session(app, client, make_session):
    """A tic-tac-toe session in progress: the owner plays X, a bot plays O; X to move."""
    key = make_session("tic_tac_toe")
    with app.app_context():
        owner = Session.query.filter_by(key=key).one().participants[0].id
    lobby = f"/s/{key}/lobby"
    token = csrf_from(client.get(lobby).get_data(as_text=True))
    client.post(f"/s/{key}/seat", data={"participant_id": owner, "roles": 0,
                                        "csrf_token": token})
    client.post(f"/s/{key}/bot", data={"role": 1, "strategy": "first", "csrf_token": token})
    assert client.post(f"/s/{key}/start", data={"csrf_token": token}).status_code == 302
    with app.app_context():
        assert Session.query.filter_by(key=key).one().status == "in_progress"
    return key


def test_my_sessions_lists_own_sessions_with_controls(app, client, make_session, make_user,
                                                     logged_in):
    key = running_session(app, client, make_session)
    make_user("other", kind="instructor")
    page = client.get("/my/sessions").get_data(as_text=True)
    with app.app_context():
        code = Session.query.filter_by(key=key).one().join_code
    row = page.split(f'data-key="{key}"')[1].split("</tr>")[0]
    assert "Tic-Tac-Toe" in row and "in progress" in row and code in row
    assert f"/s/{key}/play" in row and f'href="http://localhost/s/{key}"' in row
    for action in ("pause", "end", "export"):
        assert f'action="/s/{key}/{action}"' in row, action
    assert f'action="/s/{key}/resume"' not in row
    assert "1 <small>(step 0)</small>" in row            # one play-through, no move yet
    assert key not in logged_in("other").get("/my/sessions").get_data(as_text=True)
    assert logged_in("other").get(f"/s/{key}/play").status_code == 302   # not theirs


def test_owner_observes_from_another_browser_without_a_new_seat(app, client, make_session,
                                                                logged_in):
    key = running_session(app, client, make_session)
    second_browser = logged_in("teacher")
    response = second_browser.get(f"/s/{key}/play")
    assert response.status_code == 200 and 'id="turn-banner"' in response.get_data(as_text=True)
    with app.app_context():
        assert Participant.query.filter_by(session_id=Session.query.filter_by(
            key=key).one().id, kind="human").count() == 1


def test_admin_dashboard_counts_live_sessions_and_terminates(app, client, make_session,
                                                             make_admin, logged_in):
    key = running_session(app, client, make_session)
    make_admin("boss", perms=())
    admin = logged_in("boss")
    page = admin.get("/admin/").get_data(as_text=True)
    assert 'hx-get="/admin/live" hx-trigger="every 3s"' in page
    assert "<strong>1</strong> sessions in progress" in page
    assert "/admin/rq/" in page and "/admin/jobs" in page
    live = admin.get("/admin/live").get_data(as_text=True)
    assert live.startswith('<div id="live-sessions"') and f'data-key="{key}"' in live
    assert f'href="/admin/sessions/{key}/observe">Observe' in live
    assert admin.get(f"/s/{key}/play").status_code == 302          # not a participant ...
    response = admin.get(f"/admin/sessions/{key}/observe")         # ... until they observe
    assert response.headers["Location"] == f"/s/{key}/play"
    assert 'id="turn-banner"' in admin.get(f"/s/{key}/play").get_data(as_text=True)
    response = post_form(admin, "/admin/", f"/admin/sessions/{key}/terminate",
                         follow_redirects=True)
    assert "was terminated" in response.get_data(as_text=True)
    with app.app_context():
        game_session = Session.query.filter_by(key=key).one()
        record = PlayThroughRecord.query.filter_by(session_id=game_session.id).one()
        assert game_session.status == "ended" and record.end_reason == "abandoned"
    assert f'data-key="{key}"' not in admin.get("/admin/live").get_data(as_text=True)
    page = admin.get("/admin/sessions").get_data(as_text=True)
    assert f'data-key="{key}"' in page and "ended" in page


def test_live_partial_shows_steps_after_a_move(app, client, make_session, make_admin,
                                               logged_in):
    key = running_session(app, client, make_session)
    live = app.extensions["live"].live(key)
    with app.app_context():
        name = Session.query.filter_by(key=key).one().participants[0].display_name
    with live.pt.lock:
        live.pt.apply(Actor(0, name), 0, [])
    make_admin("boss", perms=())
    page = logged_in("boss").get("/admin/live").get_data(as_text=True)
    row = re.search(rf'data-key="{key}">(.*?)</tr>', page, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>",
                                                                  row, re.S)]
    assert cells[3] == "in progress" and cells[4] == "0 / 1 +1 bot"    # no socket open
    assert int(cells[5]) >= 1                               # the step after X's move
    assert re.fullmatch(r"\d\d:\d\d:\d\d", cells[6])           # when the last move was
