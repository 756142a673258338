"""Deduction cards in a real browser: every card's label is shown whole, and the choice
just clicked leaves no highlight on the choice that takes its place next round."""
import pytest

from tests.webapp.play.support import make_admin

from .play_support import browser, debug_play, log_in, new_page, version  # noqa: F401

pytestmark = pytest.mark.browser

# Whatever cuts off what it holds (in any phase, larger text included).
CLIPPED = """() => Array.from(document.querySelectorAll('#state-view *'))
    .filter(el => getComputedStyle(el).overflow !== 'visible'
            && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1))
    .map(el => el.textContent.trim())"""
# A phone's text boosting or a reader's minimum font size: larger text than the game's own.
LARGER_TEXT = ("#state-view .game-scene div, #state-view .game-scene span"
               " { font-size: 15px !important; }")
CANCEL_ACCUSATION = 59
HIGHLIGHTED = """() => Array.from(document.querySelectorAll('#state-view *'))
    .filter(el => { const s = getComputedStyle(el);
                    return s.outlineStyle !== 'none' && s.outlineWidth !== '0px'
                           || s.filter !== 'none'; })
    .map(el => el.textContent.trim().slice(0, 40))"""
FOCUSED = "() => document.getElementById('state-view').contains(document.activeElement)"


def choose(page, op):
    before = version(page)
    page.click(f"#state-view [data-op-index='{op}']")
    page.wait_for_selector(f"#operators[data-version='{before + 1}']", state="attached")
    page.wait_for_timeout(200)          # the browser's hover state follows the new scene


def test_card_labels_fit_and_no_choice_looks_chosen_next_round(app, live_server, browser):
    make_admin(app)
    page = new_page(browser)
    log_in(page, live_server, "admin")
    debug_play(page, live_server, "deduction_cards")
    page.add_style_tag(content=LARGER_TEXT)
    assert page.evaluate(CLIPPED) == []                     # the suspects, the hand
    choose(page, 39)                                        # accuse now: long notes
    assert page.evaluate(CLIPPED) == []
    choose(page, CANCEL_ACCUSATION)
    choose(page, 0)                                         # a suspect
    assert page.evaluate(HIGHLIGHTED) == [], "a weapon looks chosen already"
    assert not page.evaluate(FOCUSED)
    assert page.evaluate(CLIPPED) == []                     # the weapons
    choose(page, 6)                                         # a weapon
    assert page.evaluate(HIGHLIGHTED) == []
    assert page.evaluate(CLIPPED) == []                     # the rooms (Observatory…)
    page.context.close()
