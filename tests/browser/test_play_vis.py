"""Clickable visualizations in a real browser: Tier 1 menus and popups, Tier 2 regions."""
import json

import pytest

from tests.webapp.play.support import install, make_admin

from .play_support import browser, debug_play, log_in, new_page, version  # noqa: F401

pytestmark = pytest.mark.browser


def live_pt(app, page):
    key = page.url.split("/s/")[1].split("/")[0]
    return app.extensions["live"].live(key).pt


def test_debug_play_with_options_a_context_menu_and_info_popups(app, live_server, browser):
    make_admin(app)
    page = new_page(browser)
    log_in(page, live_server, "admin")
    page.goto(f"{live_server}/games/deduction_cards")
    page.click("#debug-play")
    page.wait_for_url("**/lobby")
    for role in (3, 4, 5):                                   # three detectives are enough
        page.uncheck(f"#role-options input[value='{role}']")
        page.wait_for_timeout(150)
    page.click("#start-button")
    page.wait_for_url("**/play")
    pt = live_pt(app, page)
    assert pt.active_roles == [0, 1, 2]
    assert "debug session" in page.text_content("h1")
    row = page.locator("#state-view [data-context]").first      # the first suspect's row
    card = json.loads(row.get_attribute("data-context"))[0]["label"].replace("About ", "")
    row.click()
    assert page.is_visible("#info-popup")
    assert page.text_content("#info-popup") == row.get_attribute("data-info")
    row.click(button="right")
    menu = page.locator("#context-menu")
    assert menu.is_visible()
    assert menu.locator("button").all_inner_texts() == [f"About {card}", f"Suggest {card}"]
    menu.locator(f"button:has-text('Suggest {card}')").click()
    page.wait_for_selector("#operators[data-version='2']", state="attached")
    assert pt.moves[-1]["op_name"].endswith(card) and pt.phase == "pick_weapon"
    page.select_option("#perspective", "1")                   # play as another detective
    page.wait_for_url("**/play?as=1")
    assert "Detective" in page.text_content("#turn-banner") or page.is_visible("#turn-banner")
    assert pt.k == 1
    page.context.close()


def test_tier2_click_sends_the_natural_coordinates_of_the_pixel(app, live_server, browser):
    install(app, "pixel_probe")
    make_admin(app)
    page = new_page(browser, width=800)
    log_in(page, live_server, "admin")
    debug_play(page, live_server, "pixel_probe")
    scene = page.locator("#pp-scene")
    box = scene.bounding_box()
    manifest = json.loads(page.get_attribute("#wsz6-regions", "data-manifest"))
    natural_w, natural_h = manifest["scene_width"], manifest["scene_height"]
    assert box["width"] < natural_w                             # shown smaller than its size
    # Mouse events carry whole pixels: click on one and scale it as the page should.
    px, py = round(box["x"] + 0.3 * box["width"]), round(box["y"] + 0.6 * box["height"])
    page.mouse.move(px, py)
    assert page.text_content("#hover-label") == "Probe this pixel"
    assert page.is_visible("#region-highlight")
    page.mouse.click(px, py)
    page.wait_for_selector("#operators[data-version='2']", state="attached")
    args = live_pt(app, page).moves[-1]["args"]
    expected = [int((px - box["x"]) * natural_w / box["width"]),
                int((py - box["y"]) * natural_h / box["height"])]
    assert abs(args[0] - expected[0]) <= 1 and abs(args[1] - expected[1]) <= 1, (args, expected)
    assert f"({args[0]}, {args[1]})" in page.text_content("#state-view")
    page.context.close()


def region_point(page, container, region):
    """Where to click, in page pixels, to hit the centre of a manifest region."""
    box = page.locator(f"#{container}").bounding_box()
    manifest = json.loads(page.get_attribute("#wsz6-regions", "data-manifest"))
    sx, sy = box["width"] / manifest["scene_width"], box["height"] / manifest["scene_height"]
    if region["shape"] == "circle":
        cx, cy = region["cx"], region["cy"]
    else:
        cx, cy = region["x"] + region["w"] / 2, region["y"] + region["h"] / 2
    return box["x"] + cx * sx, box["y"] + cy * sy


def test_tier2_regions_apply_moves_and_show_info(app, live_server, browser):
    install(app, "click_the_word")
    make_admin(app)
    page = new_page(browser)
    log_in(page, live_server, "admin")
    debug_play(page, live_server, "click_the_word")
    regions = json.loads(page.get_attribute("#wsz6-regions", "data-manifest"))["regions"]
    hint = next(r for r in regions if r.get("hover_label") == "Hint")
    page.mouse.click(*region_point(page, "ctw-scene", hint))
    assert page.is_visible("#info-popup") and page.text_content("#info-popup") == hint["info"]
    assert version(page) == 1                                    # information only
    word = regions[2]
    page.mouse.click(*region_point(page, "ctw-scene", word))
    page.wait_for_selector("#operators[data-version='2']", state="attached")
    assert live_pt(app, page).moves[-1]["op"] == word["op_index"] == 2
    page.context.close()
