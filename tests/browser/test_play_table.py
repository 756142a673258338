"""Several people at one table in real browsers: parallel choices, undo, reconnect, rematch."""
import time

import pytest

from .play_support import (TIMEOUT, browser, join_as_guest, log_in,  # noqa: F401
                           new_page, seat, start_game, start_session, wait_connected)

pytestmark = pytest.mark.browser


def table(app, live_server, browser, make_user, slug):
    make_user("teacher", kind="instructor")
    teacher = new_page(browser)
    log_in(teacher, live_server, "teacher")
    invite = start_session(teacher, live_server, slug)
    ann, bob = new_page(browser), new_page(browser)
    join_as_guest(ann, invite, "Ann")
    join_as_guest(bob, invite, "Bob")
    seat(teacher, "Ann", 0)
    seat(teacher, "Bob", 1)
    start_game(teacher, [teacher, ann, bob])
    key = teacher.url.split("/s/")[1].split("/")[0]
    return teacher, ann, bob, app.extensions["live"].live(key).pt


def current(pt):
    with pt.lock:           # not halfway through a move and its forced follow-ups
        return pt.version


def synced(pt, *pages, after=None):
    """Every page shows the play-through's version; with ``after`` (the version before
    a click), once the server has moved past it: a click reaches the server a moment
    later, and meanwhile the pages would agree on the old version, or some would have
    moved on to the new one while the others are awaited at the old one."""
    if after is not None:
        deadline = time.monotonic() + TIMEOUT / 1000
        while current(pt) == after:
            assert time.monotonic() < deadline, f"the click never moved the game past {after}"
            time.sleep(0.02)
    version = current(pt)
    for page in pages:
        page.wait_for_selector(f"#operators[data-version='{version}']", state="attached")


def act(pt, page, selector, *pages):
    """Click ``selector`` (a move or an undo) on ``page``; wait until ``pages`` show it."""
    before = current(pt)
    page.click(selector)
    synced(pt, *pages, after=before)


def test_parallel_choices_stay_secret_until_everyone_has_chosen(app, live_server, browser,
                                                               make_user):
    teacher, ann, bob, pt = table(app, live_server, browser, make_user, "rock_paper_scissors")
    act(pt, ann, "#operators button:has-text('plays scissors')", ann, bob, teacher)
    assert "Choice submitted, waiting for Bob (Player B)" in ann.text_content("#turn-banner")
    assert "Your turn" in bob.text_content("#turn-banner")
    assert "You chose scissors" in ann.text_content("#state-view")
    assert "You chose" not in bob.text_content("#state-view") + teacher.text_content("#state-view")
    assert "has chosen" in bob.text_content("#message-bar")
    act(pt, bob, "#operators button:has-text('plays rock')", ann, bob, teacher)
    for page in (ann, bob, teacher):
        assert "Player A throws scissors, Player B throws rock" in page.text_content("#message-bar")
    for page in (teacher, ann, bob):
        page.context.close()


def test_undo_reconnect_and_rematch_at_a_tic_tac_toe_table(app, live_server, browser, make_user):
    teacher, ann, bob, pt = table(app, live_server, browser, make_user, "tic_tac_toe")
    cell = "#state-view [data-op-index='{}']"
    act(pt, ann, cell.format(4), ann, bob, teacher)
    assert ann.is_visible("#undo-button") and not bob.is_visible("#undo-button")
    act(pt, ann, "#undo-button", ann, bob, teacher)           # Ann takes her move back
    assert pt.k == 0 and "Your turn" in ann.text_content("#turn-banner")
    act(pt, ann, cell.format(4), ann, bob)
    act(pt, bob, cell.format(0), ann, bob, teacher)
    assert not ann.is_visible("#undo-button")                 # Bob has moved since
    act(pt, teacher, "#owner-undo", ann, bob, teacher)        # the owner may undo any move
    assert pt.k == 1 and "Your turn" in bob.text_content("#turn-banner")

    bob_context = bob.context
    bob.close()                                               # Bob's tab closes ...
    ann.wait_for_selector("#players li:has-text('Bob') .presence:has-text('disconnected')")
    bob = bob_context.new_page()                              # ... and he comes back
    bob.goto(teacher.url.split("?")[0])
    wait_connected(bob)
    assert "Your turn" in bob.text_content("#turn-banner")
    ann.wait_for_selector("#players li:has-text('Bob') .dot.on")

    for page, op in ((bob, 0), (ann, 1), (bob, 2), (ann, 7)):  # X wins down the middle
        act(pt, page, cell.format(op), ann, bob, teacher)
    assert "You won!" in ann.text_content("#end-screen")
    teacher.check("#rematch-form input[name=rotate]")
    teacher.click("#rematch-button")
    for page in (teacher, ann, bob):
        page.wait_for_selector("h1:has-text('play-through 2')")
        wait_connected(page)
    assert "Your turn (X)" in bob.text_content("#turn-banner")   # roles rotated
    assert "Waiting for Bob (X)" in ann.text_content("#turn-banner")
    for page in (teacher, ann, bob):
        page.context.close()
