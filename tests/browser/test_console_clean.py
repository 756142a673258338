"""The console stays clean on the whole classroom path: lobby, game, end, rematch, on
every page (no htmx error for a pushed fragment a page has no place for, no script
error)."""
import pytest

from .play_support import (browser, join_as_guest, log_in, new_page, seat,  # noqa: F401
                           start_game, start_session, version, wait_connected, wait_version)

pytestmark = pytest.mark.browser


def watch_console(page, name, errors):
    page.on("console", lambda msg: msg.type == "error"
            and errors.append(f"{name}: {msg.text} {msg.location.get('url', '')}"))
    page.on("pageerror", lambda exc: errors.append(f"{name}: page error {exc}"))


def play(pages, moves):
    for page, op in moves:
        before = version(page)
        page.click(f"#state-view [data-op-index='{op}']")
        wait_version(pages, before + 1)


def test_lobby_game_end_rematch_logs_no_console_error(app, live_server, make_user, browser):
    make_user("teacher", kind="instructor", password="pw")
    teacher, xena, omar, wendy = (new_page(browser) for _ in range(4))
    everyone = [teacher, xena, omar, wendy]
    errors = []
    for name, page in zip(("teacher", "Xena", "Omar", "Wendy"), everyone):
        watch_console(page, name, errors)
    try:
        log_in(teacher, live_server, "teacher")
        invite = start_session(teacher, live_server, "tic_tac_toe")
        for page, name in ((xena, "Xena"), (omar, "Omar"), (wendy, "Wendy")):
            join_as_guest(page, invite, name)
        seat(teacher, "Xena", 0)
        seat(teacher, "Omar", 1)
        for page in everyone:
            wait_connected(page)
        start_game(teacher, everyone)
        wait_version(everyone, 1)
        play(everyone, [(xena, 4), (omar, 0), (xena, 1), (omar, 2), (xena, 7)])
        for page in everyone:
            page.wait_for_selector("#end-screen:not([hidden])")
        teacher.click("#rematch-button")
        for page in everyone:
            page.wait_for_function("() => { const live = document.getElementById('live');"
                                   " return live && live.dataset.playthrough === '2'; }")
            wait_connected(page)
        wait_version(everyone, 1)
        play(everyone, [(xena, 4)])
        for page in everyone:
            page.wait_for_timeout(300)         # anything still arriving is logged too
    finally:
        for page in everyone:
            page.context.close()
    assert not errors, "\n".join(errors)
