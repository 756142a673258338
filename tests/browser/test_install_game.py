"""An admin installs a game from a ZIP in a real browser, publishes it, and a student sees it."""

import pytest

from tests.support.browser import launch_chromium
from tests.webapp.admin.zips import game_zip, tic_tac_toe_files
from webapp.extensions import db
from webapp.models import User

pytestmark = pytest.mark.browser
TIMEOUT = 15_000


def log_in(page, base, username):
    page.goto(base + "/auth/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw")
    page.click("main button[type=submit]")
    page.wait_for_url(base + "/")


def test_install_publish_and_student_sees_it(app, live_server, make_user, tmp_path):
    from playwright.sync_api import sync_playwright
    admin_id = make_user("gamer", kind="admin")
    make_user("stu")
    with app.app_context():
        db.session.get(User, admin_id).perm_games = True
        db.session.commit()
    archive = tmp_path / "ttt_deluxe.zip"
    archive.write_bytes(game_zip("ttt_deluxe", tic_tac_toe_files("Tic-Tac-Toe Deluxe")))
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            admin, student = (browser.new_context().new_page() for _ in range(2))
            for page in (admin, student):
                page.set_default_timeout(TIMEOUT)
            log_in(admin, live_server, "gamer")
            admin.click("text=Admin")
            admin.click(".admin-nav >> text=Install a game")
            admin.set_input_files("#install-form input[name=archive]", str(archive))
            admin.click("#install-form button[type=submit]")
            admin.wait_for_selector("#check-passed")
            assert "Plays the X marks" in admin.text_content("#review-roles")
            assert admin.locator("#check-table tr.fail").count() == 0
            admin.click("#confirm-install")
            admin.wait_for_url("**/admin/games/")
            row = admin.locator("tr.admin-game[data-slug=ttt_deluxe]")
            assert row.locator(".status").text_content() == "dev"

            log_in(student, live_server, "stu")
            student.goto(live_server + "/games/")
            assert "Tic-Tac-Toe Deluxe" not in student.text_content("main")

            row.locator("button[data-status=beta]").click()
            admin.locator("tr.admin-game[data-slug=ttt_deluxe] .status",
                          has_text="beta").wait_for()
            admin.locator("tr.admin-game[data-slug=ttt_deluxe] "
                          "button[data-status=published]").click()
            admin.locator("tr.admin-game[data-slug=ttt_deluxe] .status",
                          has_text="published").wait_for()

            student.goto(live_server + "/games/")
            student.click("text=Tic-Tac-Toe Deluxe")
            student.wait_for_url("**/games/ttt_deluxe")
            assert "Plays the X marks" in student.text_content("main")
        finally:
            browser.close()
