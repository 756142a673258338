"""A researcher steps through a play-through with the arrow keys in a real browser."""
import re

import pytest

from tests.support.browser import launch_chromium
from tests.webapp.research.conftest import log_events, played, record_of  # noqa: F401

pytestmark = pytest.mark.browser
TIMEOUT = 10_000


def test_arrow_keys_step_through_the_log(app, live_server, make_user, played):  # noqa: F811
    record = record_of(app, played())
    events = log_events(app, record)
    first_move = next(e for e in events if e["type"] == "move")["seq"]
    make_user("rita", kind="researcher")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            page = browser.new_page()
            page.set_default_timeout(TIMEOUT)
            errors = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(live_server + "/auth/login")
            page.fill("input[name=username]", "rita")
            page.fill("input[name=password]", "pw")
            page.click("button[type=submit]")
            page.goto(f"{live_server}/research/playthroughs/{record}?seq={first_move - 1}")
            before = page.inner_html("#replay-view")
            page.keyboard.press("ArrowRight")
            page.wait_for_url(re.compile(rf"seq={first_move}\b"))
            assert page.text_content("#event-detail h2").strip().startswith(
                f"Event {first_move + 1}: move")
            assert page.inner_html("#replay-view") != before
            page.keyboard.press("ArrowRight")
            page.wait_for_url(re.compile(rf"seq={first_move + 1}\b"))
            page.keyboard.press("ArrowLeft")
            page.wait_for_url(re.compile(rf"seq={first_move}\b"))
            assert page.inner_html("#replay-view") != before
            page.keyboard.press("ArrowLeft")
            page.wait_for_url(re.compile(rf"seq={first_move - 1}\b"))
            assert page.inner_html("#replay-view") == before
            page.click("#event-detail textarea[name=body]")
            page.keyboard.press("ArrowRight")       # typing in a note does not step
            page.wait_for_timeout(300)
            assert f"seq={first_move - 1}" in page.url
            page.select_option("#role-select", "1")
            page.click(".role-form button")
            page.wait_for_url(re.compile(r"role=1"))
            page.locator("body").press("ArrowRight")
            page.wait_for_url(re.compile(rf"seq={first_move}&role=1"))
            assert not [e for e in errors if "Content Security Policy" in e], errors
        finally:
            browser.close()


def test_game_buttons_in_the_viewer_look_and_are_inert(app, live_server, make_user,
                                                       played):  # noqa: F811
    record = record_of(app, played())          # empty cells carry data-op-index, cursor:pointer
    make_user("rita", kind="researcher")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            page = browser.new_page()
            page.set_default_timeout(TIMEOUT)
            page.goto(live_server + "/auth/login")
            page.fill("input[name=username]", "rita")
            page.fill("input[name=password]", "pw")
            page.click("button[type=submit]")
            page.goto(f"{live_server}/research/playthroughs/{record}?seq=0")
            buttons = page.locator("#replay-view [data-op-index]")
            assert buttons.count() > 0
            assert page.locator("#replay-view").evaluate("el => el.inert") is True
            for style in buttons.evaluate_all("els => els.map(el => [getComputedStyle(el)"
                                              ".cursor, getComputedStyle(el).pointerEvents])"):
                assert style == ["default", "none"], style
            url = page.url
            buttons.first.click(force=True)
            page.wait_for_timeout(300)
            assert page.url == url
        finally:
            browser.close()
