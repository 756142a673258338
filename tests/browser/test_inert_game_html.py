"""Game HTML is inert in the page: a game whose picture carries htmx attributes (a post
to an admin route on load, a get, a ws-send form) is watched by an admin in Observe
and by its player; none of it fires, and only the portal's own Tier 1 data attributes
react."""
import pytest

from tests.webapp.play.support import FIXTURES, install, make_admin
from webapp.extensions import db
from webapp.models import Session, User

from .play_support import (browser, join_as_guest, log_in, new_page, seat,  # noqa: F401
                           start_game, start_session, version, wait_connected)

pytestmark = pytest.mark.browser


def test_game_markup_cannot_act_as_the_admin_who_watches(app, live_server, browser):
    install(app, "inert_html", FIXTURES / "inert_html")
    make_admin(app)
    with app.app_context():
        teacher = User(username="teacher", kind="instructor", display_name="Teacher")
        teacher.set_password("pw")
        db.session.add(teacher)
        db.session.commit()
    # A debug session that the game's hx-post would delete (the admin may purge them).
    admin = new_page(browser)
    log_in(admin, live_server, "admin")
    admin.goto(f"{live_server}/games/tic_tac_toe")
    admin.click("#debug-play")
    admin.wait_for_url("**/lobby")
    owner = new_page(browser)
    log_in(owner, live_server, "teacher")
    invite = start_session(owner, live_server, "inert_html")
    player = new_page(browser)
    join_as_guest(player, invite, "Pia")
    seat(owner, "Pia", 0)
    start_game(owner, [owner, player])
    key = player.url.split("/s/")[1].split("/")[0]
    sent = []
    admin.on("request", lambda r: sent.append((r.method, r.url)))
    admin.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(
        ("ws", frame))))
    admin.goto(f"{live_server}/admin/sessions/{key}/observe")
    admin.wait_for_url("**/play")
    wait_connected(admin)
    admin.wait_for_selector("#inert-n")
    admin.wait_for_timeout(1500)             # time for any hx-trigger="load" to fire
    bad = [s for s in sent if "/s/debug/purge" in str(s) or "/admin/accounts" in str(s)
           or (s[0] == "ws" and '"op"' in str(s[1]))]
    assert not bad, bad
    with app.app_context():
        assert Session.query.filter_by(debug=True).count() == 1        # nothing purged
    assert version(admin) == 1 and "n = 0" in admin.text_content("#inert-n")
    # The portal's own Tier 1 attributes still work for the player.
    player.click("#inert-step")
    player.wait_for_selector("#operators[data-version='2']", state="attached")
    admin.wait_for_selector("#operators[data-version='2']", state="attached")
    assert "n = 1" in admin.text_content("#inert-n")
    # The CSRF token is not on any element the game's markup sits inside.
    assert admin.evaluate("() => document.querySelector('#live').closest('[hx-headers]')") \
        is None
