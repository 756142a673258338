"""The catalog in a real browser: every game shows a picture that loads, player counts,
and the search narrows the list."""
import os

import pytest

from tests.support.browser import chromium_available, launch_chromium
from webapp.catalog.seeding import install_game
from webapp.config import REPO_DIR

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available() and not os.environ.get("CI"),
                       reason="/usr/bin/chromium missing (apt-get install chromium)"),
]


def test_pictures_player_counts_and_search(app, live_server):
    from playwright.sync_api import sync_playwright
    with app.app_context():
        install_game(REPO_DIR / "games" / "picture_tour")
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            page = browser.new_page()
            page.set_default_timeout(15_000)
            errors = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(live_server + "/games/")
            cards = page.locator("#catalog .game-card")
            assert cards.count() == 5
            page.wait_for_function("""() => [...document.querySelectorAll('#catalog img')]
                .every(img => img.complete && img.naturalWidth > 0)""")
            for card in cards.all():
                box = card.locator("img.game-picture").bounding_box()
                assert box["width"] > 150 and box["height"] > 80
                assert "players" in card.locator(".players").text_content()
            page.fill("#catalog-q", "tour")
            page.click("#catalog-search button[type=submit]")
            page.wait_for_url("**q=tour**")
            assert page.locator("#catalog .game-card").count() == 1
            assert page.locator("#catalog .game-card h2").text_content().strip() == "Picture Tour"
            assert errors == []
        finally:
            browser.close()
