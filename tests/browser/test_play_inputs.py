"""Moves with parameters in a real browser: a bounded number form, the editor and artifacts."""
import pytest

from tests.webapp.play.support import install, make_admin

from .play_support import browser, debug_play, new_page, log_in, version  # noqa: F401

pytestmark = pytest.mark.browser


def secret_age(pt):
    """The age the game chose: the same seed in this process's own engine chooses it
    again (the live game runs in its game process)."""
    from engine.loader import GameSource
    from engine.playthrough import PlayThrough
    copy = PlayThrough(GameSource(pt.game.folder, slug=pt.game.slug), seed=pt.seed,
                       config=pt.config)
    try:
        return copy.game.module.SECRET_AGE
    finally:
        copy.close()


def test_a_number_parameter_shows_its_bounds_and_the_guess_is_answered(app, live_server, browser):
    make_admin(app)
    page = new_page(browser)
    log_in(page, live_server, "admin")
    debug_play(page, live_server, "guess_my_age")
    page.click("#operators summary:has-text('Guess')")
    form = page.locator("#operators form[data-op-index='0']")
    assert "a whole number from 14 to 21" in form.inner_text()
    field = form.locator("input[name=arg0]")
    field.fill("30")
    form.locator("button[type=submit]").click()          # the browser refuses out of range
    assert not field.evaluate("el => el.validity.valid")
    assert version(page) == 1
    key = page.url.split("/s/")[1].split("/")[0]
    secret = secret_age(app.extensions["live"].live(key).pt)
    wrong = 14 if secret != 14 else 21                   # keep the game going
    field.fill(str(wrong))
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#operators[data-version='2']", state="attached")
    assert page.text_content("#message-bar").startswith(f"{wrong}? Too ")
    assert f"{wrong}?" in page.text_content("#message-history")
    page.screenshot(path="/tmp/play_guess.png", full_page=True)
    page.click("#previous-toggle")                         # the state before the guess
    page.wait_for_selector("#previous-view .previous-note")
    assert page.is_hidden("#state-view") and "step 0" in page.text_content("#previous-view")
    page.click("#previous-toggle")
    assert page.is_visible("#state-view") and page.is_hidden("#previous-view")
    page.click("#help summary")
    help_text = page.text_content("#help")
    assert "Guesses the secret age." in help_text and "Guess an age from 14 to 21." in help_text
    page.click("#fullscreen-toggle")                       # the scene fills the window
    assert page.is_hidden("#players") and page.is_visible("#operators")
    view = page.locator("#state-view").bounding_box()
    assert view["width"] > 0.9 * 1200 - 40
    page.screenshot(path="/tmp/play_fullscreen.png")
    page.keyboard.press("Escape")
    assert page.is_visible("#players")
    page.context.close()


def test_the_editor_saves_versions_that_the_writer_can_read_back(app, live_server, browser):
    install(app, "writing_exercise")
    make_admin(app)
    page = new_page(browser)
    log_in(page, live_server, "admin")
    debug_play(page, live_server, "writing_exercise")
    assert page.is_hidden("#editor")
    page.click("#operators .editor-open")
    editor = page.locator("#editor-text")
    assert page.is_visible("#editor") and editor.get_attribute("spellcheck") == "true"
    assert editor.input_value().startswith("Title: ...")      # the game's initial text
    editor.fill("Title: The harbour\n\nBoats rock gently at dawn.")
    assert page.text_content("#editor-count") == "8 words"
    editor.press("Control+Enter")
    page.wait_for_selector("#editor", state="hidden")
    link = page.locator("#artifacts a.artifact-link")
    assert link.inner_text() == "draft.txt v1"
    assert "Draft 1 saved: 8 words." in page.text_content("#message-bar")
    page.click("#operators .editor-open")                 # reopens with the saved text
    assert editor.input_value() == "Title: The harbour\n\nBoats rock gently at dawn."
    editor.fill("Title: The harbour\n\nBoats rock gently at dawn. Gulls cry.")
    page.click("#editor-save")
    page.wait_for_selector("#artifacts a.artifact-link >> nth=1")
    assert page.locator("#artifacts a.artifact-link").all_inner_texts() == \
        ["draft.txt v1", "draft.txt v2"]
    page.goto(live_server + link.first.get_attribute("href"))
    assert page.text_content("#artifact-text").strip() == \
        "Title: The harbour\n\nBoats rock gently at dawn."
    page.context.close()
