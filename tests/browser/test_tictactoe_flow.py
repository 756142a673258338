"""A whole tic-tac-toe session in four real browsers: instructor, two students, an observer."""

import pytest

from engine.loader import GameSource
from engine.replay import validate
from tests.support.browser import launch_chromium
from webapp.models import PlayThroughRecord

pytestmark = pytest.mark.browser
TIMEOUT = 10_000


def join_as_guest(page, name):
    page.fill("input[name=display_name]", name)
    page.click("#join-session button[type=submit]")
    page.wait_for_url("**/lobby")


def seat(teacher, name, role):
    row = teacher.locator("li.person", has_text=name)
    row.wait_for(timeout=TIMEOUT)
    row.locator(f"input[name=roles][value='{role}']").check()
    teacher.locator("li.person", has_text=name).locator(
        f"input[name=roles][value='{role}']:checked").wait_for(timeout=TIMEOUT)


def wait_version(pages, version):
    for page in pages:
        page.wait_for_selector(f"#operators[data-version='{version}']", state="attached",
                               timeout=TIMEOUT)


def test_tic_tac_toe_in_four_browsers(app, live_server, make_user):
    from playwright.sync_api import sync_playwright
    make_user("teacher", kind="instructor", password="pw")
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            play_session(app, live_server, browser)
        finally:
            browser.close()


def play_session(app, base, browser):
    teacher, sam, tess, olly = (browser.new_context().new_page() for _ in range(4))
    teacher.set_default_timeout(TIMEOUT)
    teacher.goto(base + "/auth/login")
    teacher.fill("input[name=username]", "teacher")
    teacher.fill("input[name=password]", "pw")
    teacher.click("button[type=submit]")
    teacher.goto(base + "/games/tic_tac_toe")
    teacher.click("#start-session")
    teacher.wait_for_url("**/lobby")
    code = teacher.text_content("#join-code-value").strip()
    invite = teacher.get_attribute("#invite-link", "href")

    sam.goto(base + "/")
    sam.fill("#join-code", code.lower())
    sam.click(".join-form button[type=submit]")
    join_as_guest(sam, "Sam")
    tess.goto(invite)
    join_as_guest(tess, "Tess")
    olly.goto(invite)
    join_as_guest(olly, "Olly")

    seat(teacher, "Sam", 0)
    seat(teacher, "Tess", 1)
    seat(teacher, "Olly", 2)
    teacher.wait_for_selector("#minimum.ok")
    sam.wait_for_selector("#minimum.ok", timeout=TIMEOUT)   # the lobby is live for students too
    teacher.click("#start-button")
    everyone = [teacher, sam, tess, olly]
    for page in everyone:
        page.wait_for_url("**/play", timeout=TIMEOUT)
    wait_version(everyone, 1)
    assert "Your turn" in sam.text_content("#turn-banner")
    assert "Waiting for Sam (X)" in tess.text_content("#turn-banner")

    # X takes the middle column: 1, 4, 7; O plays 0 and 2.
    moves = [(sam, 4), (tess, 0), (sam, 1), (tess, 2), (sam, 7)]
    for version, (page, op) in enumerate(moves, start=1):
        page.click(f"#state-view [data-op-index='{op}']")
        wait_version(everyone, version + 1)
    for page in everyone:
        page.wait_for_selector("#end-screen:not([hidden])", timeout=TIMEOUT)
    assert "You won!" in sam.text_content("#end-screen")
    assert "You lost." in tess.text_content("#end-screen")
    assert "X wins in 5 moves" in olly.text_content("#end-screen")
    assert "X wins" in olly.text_content("#message-bar")
    olly.reload()
    assert "X wins in 5 moves" in olly.text_content("#end-screen")

    with app.app_context():
        log_path = PlayThroughRecord.query.one().log_path
    folder = app.config["GAMES_DIR"] + "/tic_tac_toe"
    report = validate(log_path, lambda slug, v: GameSource(folder)
                      if GameSource(folder).version == v else None)
    assert report["status"] == "canonical", str(report["first_failure"])
