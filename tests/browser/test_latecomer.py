"""A student who arrives after the start, seated by the teacher mid-game, plays from
their own page at once (no reload), and the move reaches every page and the log."""
import pytest

from engine.log import read_events

from .play_support import (browser, new_page, seat, seated_tic_tac_toe,  # noqa: F401
                           wait_connected, wait_version)

pytestmark = pytest.mark.browser


def test_a_latecomer_seated_mid_game_moves_on_their_own_page(app, live_server, make_user,
                                                             browser):
    make_user("teacher", kind="instructor", password="pw")
    teacher, xena, omar, lara = (new_page(browser) for _ in range(4))
    everyone = [teacher, xena, omar, lara]
    try:
        invite = seated_tic_tac_toe(teacher, xena, omar, live_server)
        xena.click("#state-view [data-op-index='4']")
        wait_version([teacher, xena, omar], 2)
        lara.goto(invite)                               # late: the game is running
        lara.fill("input[name=display_name]", "Lara")
        lara.click("#join-session button[type=submit]")
        lara.wait_for_url("**/play")
        wait_connected(lara)
        assert "Waiting for Omar (O)" in lara.text_content("#turn-banner")
        teacher.wait_for_selector("#seat-live-who option:has-text('Lara')", state="attached")
        teacher.select_option("#seat-live-who", label="Lara")
        teacher.select_option("#seat-live-role", label="O")
        teacher.select_option("#seat-live-mode", value="replace")
        teacher.click("#seat-live-button")
        lara.wait_for_selector("#turn-banner.your-turn")       # pushed: no reload
        assert "Your turn (O)" in lara.text_content("#turn-banner")
        assert lara.locator("#operators .op-move").count() > 0
        assert "Your turn" not in omar.text_content("#turn-banner")
        lara.click("#state-view [data-op-index='0']")          # her own move, her own page
        wait_version(everyone, 3)
        assert "Your turn (X)" in xena.text_content("#turn-banner")
        key = lara.url.split("/s/")[1].split("/")[0]
        pt = app.extensions["live"].live(key).pt
        last = [e for e in read_events(pt.log.path) if e["type"] == "move"][-1]
        assert (last["op"], last["actor"]["role"], last["actor"]["kind"]) == (0, 1, "human")
        seats = [e for e in read_events(pt.log.path) if e["type"] == "seat_changed"]
        assert seats and seats[-1]["participant"] == last["actor"]["participant"]
    finally:
        for page in everyone:
            page.context.close()
