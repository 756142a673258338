"""Playwright drives Debian's Chromium: load a page, click, read the result."""

import urllib.parse

import pytest

from tests.support.browser import launch_chromium

# Skipped on a developer machine without Chromium; under CI (.ci/run installs it)
# a missing browser fails (tests/support/requirements.py).
pytestmark = pytest.mark.browser

PAGE = """<!doctype html>
<html><head><title>szportal smoke</title></head><body>
<p id="msg">before</p>
<button id="go" onclick="document.getElementById('msg').textContent='after click'">Go</button>
</body></html>"""


def test_click_changes_text():
    from playwright.sync_api import sync_playwright

    url = "data:text/html," + urllib.parse.quote(PAGE)
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            page = browser.new_page()
            page.goto(url)
            assert page.title() == "szportal smoke"
            assert page.text_content("#msg") == "before"
            page.click("#go")
            page.wait_for_function("document.getElementById('msg').textContent === 'after click'")
            assert page.text_content("#msg") == "after click"
        finally:
            browser.close()
