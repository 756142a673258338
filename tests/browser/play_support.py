"""Shared steps of the game-page browser tests: log in, debug-play a game, seat guests."""

import pytest

from tests.support.browser import launch_chromium

TIMEOUT = 8_000


@pytest.fixture(scope="module")
def browser():
    """One Chromium for the whole module; each test opens its own contexts."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        chromium = launch_chromium(pw)
        yield chromium
        chromium.close()


def new_page(browser, width=1200, height=900):
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.set_default_timeout(TIMEOUT)
    return page


def log_in(page, base, username):
    page.goto(base + "/auth/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/auth/login" not in url)


def debug_play(page, base, slug):
    """Open a debug session of ``slug`` from its game page and start it."""
    page.goto(f"{base}/games/{slug}")
    page.click("#debug-play")
    page.wait_for_url("**/lobby")
    start_from_lobby(page, [page])


def wait_connected(page):
    """The page's socket is open (the first push after connecting has arrived)."""
    page.wait_for_function(
        "() => { const h = document.getElementById('live'); return h && h['htmx-internal-data']"
        " && h['htmx-internal-data'].webSocket && h['htmx-internal-data'].webSocket.socket"
        " && h['htmx-internal-data'].webSocket.socket.readyState === 1; }")


def start_session(teacher, base, slug):
    teacher.goto(f"{base}/games/{slug}")
    teacher.click("#start-session")
    teacher.wait_for_url("**/lobby")
    return teacher.get_attribute("#invite-link", "href")


def join_as_guest(page, invite, name):
    page.goto(invite)
    page.fill("input[name=display_name]", name)
    page.click("#join-session button[type=submit]")
    page.wait_for_url("**/lobby")


def seat(teacher, name, role):
    row = teacher.locator("li.person", has_text=name)
    row.locator(f"input[name=roles][value='{role}']").check()
    teacher.locator("li.person", has_text=name).locator(
        f"input[name=roles][value='{role}']:checked").wait_for()


def start_game(teacher, pages):
    teacher.wait_for_selector("#minimum.ok")
    start_from_lobby(teacher, pages)


def start_from_lobby(teacher, pages):
    """The owner starts the game; the pushed nav moves every lobby page to the game
    page, each with one navigation (a second one, started while the first was still
    loading, would abort it: ERR_ABORTED in wait_for_url)."""
    aborted = []

    def note(request):
        if request.is_navigation_request() and request.frame.parent_frame is None:
            aborted.append(f"{request.url} ({request.failure})")
    for page in pages:
        page.on("requestfailed", note)
    try:
        teacher.click("#start-button")
        for page in pages:
            page.wait_for_url("**/play")
        for page in pages:
            wait_connected(page)
    finally:
        for page in pages:
            page.remove_listener("requestfailed", note)
    assert not aborted, f"a page's way to the game page was cut short: {aborted}"


def version(page):
    return int(page.get_attribute("#operators", "data-version"))


def wait_version(pages, number):
    for page in pages:
        page.wait_for_selector(f"#operators[data-version='{number}']", state="attached")


def seated_tic_tac_toe(teacher, xena, omar, base):
    """The teacher's tic-tac-toe, Xena (X) and Omar (O) joined by the invite as guests
    and seated, started on all three pages; returns the invite link."""
    log_in(teacher, base, "teacher")
    invite = start_session(teacher, base, "tic_tac_toe")
    join_as_guest(xena, invite, "Xena")
    join_as_guest(omar, invite, "Omar")
    seat(teacher, "Xena", 0)
    seat(teacher, "Omar", 1)
    start_game(teacher, [teacher, xena, omar])
    return invite
