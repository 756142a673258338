"""'What happened' in real browsers: every move listed on every page, still there after
a restart; a step clicked shows that state, read-only; a past state never says
'Your turn' nor offers a move."""
import pytest

from .play_support import (browser, new_page, seated_tic_tac_toe, version,  # noqa: F401
                           wait_connected, wait_version)

pytestmark = pytest.mark.browser


def tic_tac_toe(browser, base):
    teacher, xena, omar = (new_page(browser) for _ in range(3))
    seated_tic_tac_toe(teacher, xena, omar, base)
    return teacher, xena, omar


def play(pages, moves):
    for page, op in moves:
        before = version(page)
        page.click(f"#state-view [data-op-index='{op}']")
        wait_version(pages, before + 1)


def steps(page):
    return page.eval_on_selector_all("#history-steps li[id^='step-']",
                                     "els => els.map(e => e.getAttribute('data-k'))")


def read_only(page):
    """What a past state shows: no turn banner, no 'Your turn', no live move control."""
    assert page.is_hidden("#turn-banner")
    assert "Your turn" not in page.inner_text("#live")
    assert page.evaluate("document.getElementById('operators').inert")
    assert page.locator("#previous-view [data-op-index]").count() == 0


def test_the_history_lists_every_move_and_survives_a_restart(app, live_server, make_user,
                                                            browser):
    make_user("teacher", kind="instructor", password="pw")
    teacher, xena, omar = tic_tac_toe(browser, live_server)
    everyone = [teacher, xena, omar]
    try:
        play(everyone, [(xena, 4), (omar, 0), (xena, 8)])
        for page in everyone:
            page.wait_for_function("() => document.querySelectorAll('#history-steps li.step[data-seq]')"
                                   ".length >= 4")
            assert steps(page) == ["3", "2", "1", "0"]
        assert "Xena (X): Place X at (2,2)" in xena.text_content("#history-steps")
        assert "Omar (O) moved" in xena.text_content("#history-steps")
        key = omar.url.split("/s/")[1].split("/")[0]
        app.extensions["live"].forget(key)            # as if the server had restarted
        omar.reload()
        wait_connected(omar)
        assert steps(omar) == ["3", "2", "1", "0"]
        omar.click("#step-2 .step-link")
        omar.wait_for_selector("#previous-view .previous-note")
        assert "Step 2, as you saw it then: Omar (O): Place O at (1,1)" in \
            omar.text_content("#previous-view")
        assert omar.is_hidden("#state-view")
        assert omar.locator("#previous-view svg circle").count() > 0     # O's first mark
        read_only(omar)
        omar.click("#previous-toggle")                 # back to the game
        assert omar.is_visible("#state-view") and omar.is_visible("#turn-banner")
        assert "Your turn" in omar.text_content("#turn-banner")
        assert not omar.evaluate("document.getElementById('operators').inert")
    finally:
        for page in everyone:
            page.context.close()


def test_a_past_state_never_says_your_turn(app, live_server, make_user, browser):
    make_user("teacher", kind="instructor", password="pw")
    teacher, xena, omar = tic_tac_toe(browser, live_server)
    everyone = [teacher, xena, omar]
    try:
        play(everyone, [(xena, 4), (omar, 0)])
        assert "Your turn" in xena.text_content("#turn-banner")
        xena.click("#previous-toggle")                 # mid-game, on X's turn
        xena.wait_for_selector("#previous-view .previous-note")
        read_only(xena)
        xena.click("#previous-toggle")
        play(everyone, [(xena, 1), (omar, 2), (xena, 7)])     # X wins
        xena.wait_for_selector("#end-screen:not([hidden])")
        xena.click("#previous-toggle")                 # the state before X's last move
        xena.wait_for_selector("#previous-view .previous-note")
        assert "step 4" in xena.text_content("#previous-view")
        read_only(xena)
    finally:
        for page in everyone:
            page.context.close()
