"""A lost connection says so on every page, disables the board, and a click made while
offline is dropped with a message, never applied when the server is back."""
import threading

import pytest
from werkzeug.serving import make_server

from .play_support import (browser, new_page, seated_tic_tac_toe, version,  # noqa: F401
                           wait_connected)

pytestmark = pytest.mark.browser


class Restartable:
    """The app served on one port that can go away (its sockets cut) and come back."""

    def __init__(self, app):
        self.app, self.port, self.server = app, 0, None

    def start(self):
        self.server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.app.extensions["live"].close_sockets()


def test_server_down_mid_game_shows_the_banner_and_drops_offline_clicks(app, make_user,
                                                                         browser):
    make_user("teacher", kind="instructor", password="pw")
    server = Restartable(app)
    base = server.start()
    teacher, xena, omar = (new_page(browser) for _ in range(3))
    errors = []
    try:
        seated_tic_tac_toe(teacher, xena, omar, base)
        for page in (teacher, xena, omar):
            assert page.is_hidden("#connection-banner")
        before = version(xena)
        server.stop()
        for page in (teacher, xena, omar):
            page.wait_for_selector("#connection-banner", state="visible")
            assert "Connection lost" in page.text_content("#connection-banner")
            assert page.evaluate("document.getElementById('live').classList.contains('offline')")
        assert xena.evaluate("getComputedStyle(document.getElementById('state-view'))"
                             ".pointerEvents") == "none"
        # a move sent anyway (the page's own send path) is dropped and the player is told
        xena.evaluate("document.getElementById('click-move')"
                      ".requestSubmit()")
        xena.wait_for_selector("#flash .flash.error")
        assert "offline" in xena.text_content("#flash")
        server.start()
        for page in (teacher, xena, omar):
            page.wait_for_selector("#connection-banner", state="hidden", timeout=20_000)
            wait_connected(page)
        xena.wait_for_timeout(500)
        assert version(xena) == before and app.extensions["live"].live(
            xena.url.split("/s/")[1].split("/")[0]).pt.k == 0
        assert "Your turn" in xena.text_content("#turn-banner")
        xena.click("#operators .op-move")
        xena.wait_for_selector(f"#operators[data-version='{before + 1}']", state="attached")
    finally:
        for page in (teacher, xena, omar):
            page.context.close()
        server.stop()
    assert not errors
