"""Game access levels and the lifecycle, enforced on catalog detail, start and joining."""
import pytest

from webapp.accounts.access import can_access_game
from webapp.accounts.models import GameAccess
from webapp.extensions import db
from webapp.models import Game, Session, User

from ..conftest import csrf_from
from .conftest import post_form


def set_status(app, slug, status):
    with app.app_context():
        Game.query.filter_by(slug=slug).one().status = status
        db.session.commit()


def set_level(app, user_id, level, slugs=()):
    with app.app_context():
        ids = [Game.query.filter_by(slug=s).one().id for s in slugs]
        db.session.add(GameAccess(user_id=user_id, level=level, game_ids=ids))
        db.session.commit()


def start(client, slug):
    token = csrf_from(client.get("/").get_data(as_text=True))
    return client.post(f"/games/{slug}/start", data={"csrf_token": token})


@pytest.mark.parametrize("level, sees", [
    ("published", {"tic_tac_toe"}),
    ("beta", {"tic_tac_toe", "guess_my_age"}),
    ("all", {"tic_tac_toe", "guess_my_age", "deduction_cards"}),
    ("custom", {"guess_my_age"}),
])
def test_levels_decide_list_detail_and_start(app, make_user, logged_in, level, sees):
    set_status(app, "guess_my_age", "beta")
    set_status(app, "deduction_cards", "dev")
    set_status(app, "rock_paper_scissors", "deprecated")
    teacher = make_user("teach", kind="instructor")
    set_level(app, teacher, level, ["guess_my_age"] if level == "custom" else [])
    client = logged_in("teach")
    listing = client.get("/games/").get_data(as_text=True)
    for slug in ("tic_tac_toe", "guess_my_age", "deduction_cards"):
        allowed = slug in sees
        assert (f'href="/games/{slug}"' in listing) == allowed, slug
        detail = client.get(f"/games/{slug}")
        assert detail.status_code == (200 if allowed else 404)
        if not allowed:
            assert "not open to you" in detail.get_data(as_text=True) \
                or "does not have access" in detail.get_data(as_text=True)
        assert start(client, slug).status_code == (302 if allowed else 403), slug
    assert 'href="/games/rock_paper_scissors"' not in listing


def test_deprecated_game_starts_no_session_but_running_ones_go_on(app, make_session, client):
    key = make_session("tic_tac_toe")
    set_status(app, "tic_tac_toe", "deprecated")
    response = start(client, "tic_tac_toe")
    assert response.status_code == 403 and "deprecated" in response.get_data(as_text=True)
    assert client.get(f"/s/{key}/lobby").status_code == 200
    page = client.get("/games/tic_tac_toe").get_data(as_text=True)
    assert 'id="start-session"' not in page and 'id="deprecated-note"' in page


def test_dev_games_only_for_game_admins_and_their_debug_sessions(app, make_user, make_admin,
                                                                   logged_in):
    set_status(app, "guess_my_age", "dev")
    make_admin("plain", perms=("perm_accounts",))
    make_admin("gamer", perms=("perm_games",))
    assert logged_in("plain").get("/games/guess_my_age").status_code == 404
    gamer = logged_in("gamer")
    assert "Guess" in gamer.get("/games/").get_data(as_text=True)
    response = start(gamer, "guess_my_age")
    key = response.headers["Location"].split("/s/")[1].split("/")[0]
    guest = app.test_client()
    assert guest.get(f"/s/{key}").status_code == 403       # a dev game, not a debug session
    response = post_form(gamer, "/", "/s/debug/guess_my_age")
    key = response.headers["Location"].split("/s/")[1].split("/")[0]
    with app.app_context():
        assert Session.query.filter_by(key=key).one().debug
    assert guest.get(f"/s/{key}").status_code == 200       # anyone with a debug session's link


def test_joining_follows_access_level_and_guests_follow_the_owner(app, make_session,
                                                                  make_user, logged_in):
    set_status(app, "guess_my_age", "beta")
    teacher = make_user("beta_teacher", kind="instructor")
    set_level(app, teacher, "beta")
    key = start(logged_in("beta_teacher"), "guess_my_age").headers["Location"].split("/")[2]
    make_user("pub_student")
    student = logged_in("pub_student")
    response = student.get(f"/s/{key}")
    assert response.status_code == 403
    assert "does not have access" in response.get_data(as_text=True)
    assert post_form(student, "/", f"/s/{key}/join").status_code == 403
    beta_student = make_user("beta_student")
    set_level(app, beta_student, "beta")
    assert post_form(logged_in("beta_student"), "/", f"/s/{key}/join").status_code == 302
    guest = app.test_client()
    token = csrf_from(guest.get(f"/s/{key}").get_data(as_text=True))
    assert guest.post(f"/s/{key}/join", data={"display_name": "Gus",
                                              "csrf_token": token}).status_code == 302
    with app.app_context():
        names = {p.display_name for p in Session.query.filter_by(key=key).one().participants}
        assert names == {"Beta_Teacher", "Beta_Student", "Gus"}


def test_guest_cannot_join_a_dev_game_outside_debug_sessions(app, make_session):
    key = make_session("tic_tac_toe")
    set_status(app, "tic_tac_toe", "dev")
    guest = app.test_client()
    assert guest.get(f"/s/{key}").status_code == 403


def test_can_access_game_for_anonymous_visitors(app):
    from flask_login import AnonymousUserMixin
    with app.app_context():
        game = Game.query.filter_by(slug="tic_tac_toe").one()
        assert can_access_game(AnonymousUserMixin(), game)
        game.status = "beta"
        assert not can_access_game(AnonymousUserMixin(), game)
        assert not can_access_game(None, game)


def test_lifecycle_buttons_move_the_game_and_record_when(app, make_admin, make_user,
                                                        logged_in):
    make_admin("gamer", perms=("perm_games",))
    make_user("stu")
    set_status(app, "guess_my_age", "dev")
    admin = logged_in("gamer")
    for status in ("beta", "published"):
        response = post_form(admin, "/admin/games/", "/admin/games/guess_my_age/status",
                             {"status": status}, follow_redirects=True)
        assert f"is now {status}" in response.get_data(as_text=True)
    page = admin.get("/admin/games/").get_data(as_text=True)
    row = page.split('data-slug="guess_my_age"')[1].split("</tr>")[0]
    assert "beta 20" in row and "published 20" in row and "by gamer" in row
    assert 'data-status="deprecated"' in row
    assert "Guess" in logged_in("stu").get("/games/").get_data(as_text=True)
    response = post_form(admin, "/admin/games/", "/admin/games/guess_my_age/status",
                         {"status": "dev"}, follow_redirects=True)
    assert "cannot become dev" in response.get_data(as_text=True)
    with app.app_context():
        assert Game.query.filter_by(slug="guess_my_age").one().status == "published"
        assert User.query.count() == 2


def test_assets_of_a_game_follow_access_but_players_of_a_session_get_them(
        app, make_session, make_user, client, logged_in):
    from webapp.catalog.seeding import install_game
    from webapp.config import REPO_DIR
    from tests.webapp.conftest import csrf_from
    with app.app_context():
        version = install_game(REPO_DIR / "games" / "picture_tour")
        image = next((REPO_DIR / "games" / "picture_tour" / "Picture_Tour_images").iterdir())
        url = f"/games/picture_tour/{version.version_hash}/assets/Picture_Tour_images/{image.name}"
    anonymous = app.test_client()
    assert anonymous.get(url).status_code == 200                     # published: public
    key = make_session("picture_tour")
    guest = app.test_client()
    token = csrf_from(guest.get(f"/s/{key}").get_data(as_text=True))
    assert guest.post(f"/s/{key}/join", data={"display_name": "Gus", "csrf_token": token}
                      ).status_code == 302
    set_status(app, "picture_tour", "beta")
    make_user("stu")
    assert logged_in("stu").get(url).status_code == 404            # level: published only
    assert anonymous.get(url).status_code == 404
    assert guest.get(url).status_code == 200                        # plays in a session of it
    assert client.get(url).status_code == 200                       # the session's owner
