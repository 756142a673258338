"""Game HTML is shown as its author wrote it: cards keep the size the game gave them, a
scene wider than its column is scaled to fit and a click at its right edge still reports
the scene's natural coordinates, and a three-line message shows three lines."""
import pytest

from tests.webapp.play.support import FIXTURES, install, make_admin

from .play_support import browser, debug_play, log_in, new_page, version  # noqa: F401

pytestmark = pytest.mark.browser


def test_authored_sizes_wide_scenes_and_multi_line_messages(app, live_server, browser):
    install(app, "authored_html", FIXTURES / "authored_html")
    make_admin(app)
    page = new_page(browser, width=1200, height=900)
    log_in(page, live_server, "admin")
    debug_play(page, live_server, "authored_html")
    page.wait_for_function("() => [...document.querySelectorAll('#hand img')]"
                           ".every(i => i.complete && i.naturalWidth)")
    # Laid out at the game's 80 px (the whole scene may then be scaled to fit, below).
    heights = page.eval_on_selector_all("#hand img", "els => els.map(e => e.offsetHeight)")
    assert heights == [80, 80, 80]
    page_height = page.evaluate("() => document.documentElement.scrollHeight")
    assert page_height < 2000
    scene = page.locator("#wide-scene").bounding_box()
    column = page.locator("#state-view").bounding_box()
    assert scene["width"] < 1200 and scene["x"] + scene["width"] <= column["x"] + column["width"]
    page.mouse.click(scene["x"] + scene["width"] - 2, scene["y"] + scene["height"] / 2)
    page.wait_for_selector("#operators[data-version='2']", state="attached")
    key = page.url.split("/s/")[1].split("/")[0]
    pt = app.extensions["live"].live(key).pt
    x, y = pt.moves[-1]["args"]
    assert 1190 <= x <= 1199 and 140 <= y <= 160
    bar = page.locator("#message-bar")
    assert bar.inner_text().strip().splitlines() == ["Round result:", f"x was {x}", f"y was {y}"]
    line = page.evaluate("() => parseFloat(getComputedStyle(document.getElementById("
                         "'message-bar')).lineHeight)")
    assert bar.bounding_box()["height"] >= 3 * line
