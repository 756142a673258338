"""The real portal for server-level tests: gunicorn with make run's worker class and
threads, Redis, an RQ worker; guests and sockets driven over HTTP and WebSocket."""
import json
import re
import shutil
import time

import websocket

from bench import loadlib

VERSION_RE = re.compile(r'id="operators"[^>]*data-version="(\d+)"', re.S)
FLASH_RE = re.compile(r'<p class="flash[^"]*">(.*?)</p>', re.S)


def portal(folder, games=("tic_tac_toe",), fixtures=(), database_url=None, **kwargs):
    """A started Portal whose catalog holds ``games`` (from games/) and ``fixtures``
    (from tests/fixtures/games/)."""
    games_dir = folder / "games"
    for slug in games:
        shutil.copytree(f"{loadlib.REPO}/games/{slug}", games_dir / slug)
    for slug in fixtures:
        shutil.copytree(f"{loadlib.REPO}/tests/fixtures/games/{slug}", games_dir / slug)
    extra = dict(kwargs.pop("extra_env", {}), GAMES_DIR=str(games_dir))
    return loadlib.Portal(str(folder / "portal"), cores=None, rq_worker=True,
                          extra_env=extra, database_url=database_url, **kwargs).start()


def teacher(base):
    return loadlib.Browser(base).login("instructor", "instructor-demo")


def session_with(base, owner, slug, seats):
    """Start a ``slug`` session; ``seats`` is [(guest name, [roles])]; returns (key,
    guests by name) once play has started."""
    response = owner.post(f"/games/{slug}/start", {}, f"/games/{slug}")
    key = response.headers["Location"].split("/s/")[1].split("/")[0]
    guests = {}
    for name, _ in seats:
        guest = loadlib.Browser(base)
        guest.post(f"/s/{key}/join", {"display_name": name}, f"/s/{key}")
        guests[name] = guest
    lobby = owner.http.get(f"{base}/s/{key}/lobby", timeout=30).text
    ids = {name: int(pid) for pid, name in loadlib.PERSON_RE.findall(lobby)}
    for name, roles in seats:
        if roles:
            owner.post(f"/s/{key}/seat", {"participant_id": ids[name], "roles": roles},
                       f"/s/{key}/lobby")
    owner.post(f"/s/{key}/start", {}, f"/s/{key}/lobby")
    return key, guests


class Socket:
    """One WebSocket of a browser, reading the state version it has been shown."""

    def __init__(self, base, browser, key, timeout=10):
        self.ws = websocket.create_connection(
            base.replace("http://", "ws://") + f"/ws/s/{key}", timeout=timeout,
            cookie=browser.cookie_header(), origin=base)
        self.version = -1
        self.flashes = []

    def send(self, **message):
        self.ws.send(json.dumps(message))

    def read_until(self, predicate, timeout):
        """Read frames until ``predicate(self)`` holds; False after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while not predicate(self):
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.ws.settimeout(left)
            try:
                text = self.ws.recv()
            except websocket.WebSocketTimeoutException:
                return False
            found = VERSION_RE.search(text)
            if found:
                self.version = max(self.version, int(found.group(1)))
            self.flashes += [f.strip() for f in FLASH_RE.findall(text)]
        return True

    def snapshot(self, timeout=10):
        return self.read_until(lambda s: s.version >= 0, timeout)

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass
