"""The lobby's copy buttons put the invite link and the join code on the clipboard."""
import os

import pytest

from tests.support.browser import chromium_available, launch_chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available() and not os.environ.get("CI"),
                       reason="/usr/bin/chromium missing (apt-get install chromium)"),
]


def test_copy_the_invite_link_and_the_join_code(app, live_server, make_user):
    from playwright.sync_api import sync_playwright
    make_user("teach", kind="instructor")
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            context = browser.new_context()
            context.grant_permissions(["clipboard-read", "clipboard-write"],
                                      origin=live_server)
            page = context.new_page()
            page.set_default_timeout(15_000)
            page.goto(live_server + "/auth/login")
            page.fill("input[name=username]", "teach")
            page.fill("input[name=password]", "pw")
            page.click("main button[type=submit]")
            page.wait_for_url(live_server + "/")
            page.goto(live_server + "/games/tic_tac_toe")
            page.click("#start-session")
            page.wait_for_url("**/lobby")
            page.click("#copy-invite-link")
            page.locator("#copy-invite-link", has_text="Copied").wait_for()
            link = page.get_attribute("#invite-link", "href")
            assert page.evaluate("navigator.clipboard.readText()") == link
            page.click("#copy-join-code")
            assert page.evaluate("navigator.clipboard.readText()") == \
                page.text_content("#join-code-value").strip()
        finally:
            browser.close()
