"""The research charts read at a glance in a real browser: every label at least 11 px as
drawn, axis titles, game names (not slugs), more than two ticks on the y-axis."""
import datetime
import os

import pytest

from tests.support.browser import chromium_available, launch_chromium
from tests.webapp.research.conftest import played  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available() and not os.environ.get("CI"),
                       reason="/usr/bin/chromium missing (apt-get install chromium)"),
]

# Each <text> of each chart: its computed font size, and that size as drawn (times the
# SVG's scale on the screen, rotated or not), with its class and its text.
LABELS = """svg => [...svg.querySelectorAll('text')].filter(t => t.textContent.trim()).map(t => ({
    text: t.textContent.trim(), cls: t.getAttribute('class') || '',
    axis: t.closest('.axis') ? (t.closest('.axis.x') ? 'x' : 'y') : '',
    css: parseFloat(getComputedStyle(t).fontSize),
    drawn: parseFloat(getComputedStyle(t).fontSize) *
           Math.hypot(t.getScreenCTM().a, t.getScreenCTM().b)}))"""


def test_charts_are_readable(app, live_server, make_user, played):  # noqa: F811
    for day, slug in ((1, "tic_tac_toe"), (2, "rock_paper_scissors"), (3, "tic_tac_toe")):
        played(slug, playthroughs=2, created=datetime.datetime(2025, 2, day))
    make_user("rita", kind="researcher")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(live_server + "/auth/login")
            page.fill("input[name=username]", "rita")
            page.fill("input[name=password]", "pw")
            page.click("main button[type=submit]")
            page.wait_for_url(live_server + "/")
            page.goto(live_server + "/research/charts")
            charts = page.locator(".chart-card svg")
            assert charts.count() == 4
            for i in range(4):
                labels = charts.nth(i).evaluate(LABELS)
                small = [(l["text"], l["css"], round(l["drawn"], 1)) for l in labels
                         if l["css"] < 11 or l["drawn"] < 11]
                assert not small, small
                titles = [l["text"] for l in labels if l["cls"] == "title"]
                assert "Play-throughs" in titles and len(titles) == 2, titles
                y_ticks = [l["text"] for l in labels if l["axis"] == "y" and l["cls"] != "title"]
                assert len(y_ticks) > 2, y_ticks
            outcomes = page.locator("#chart-outcomes svg").evaluate(LABELS)
            x_labels = {l["text"] for l in outcomes if l["axis"] == "x" and l["cls"] != "title"}
            assert x_labels == {"Tic-Tac-Toe", "Rock-Paper-Scissors"}, x_labels
            assert not any("_" in l["text"] for l in outcomes)
            with page.expect_download() as download:
                page.click("#chart-outcomes a[download]")
            assert download.value.suggested_filename == "outcomes.csv"
            assert errors == []
        finally:
            browser.close()
