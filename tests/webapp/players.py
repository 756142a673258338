"""A scripted browser for socket tests: HTTP with cookies, then a real WebSocket."""
import collections
import html.parser
import json
import re

import requests
import websocket

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION_RE = re.compile(r'id="operators"[^>]*data-version="(\d+)"', re.S)
# Every Player by its server, until close_players: a Player a test dropped may leave its
# socket open (in a reference cycle) until the garbage collector comes by.
OPEN = collections.defaultdict(list)


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class _Regions(html.parser.HTMLParser):
    """The top-level elements of a pushed message, by id (as htmx swaps them out of band)."""

    def __init__(self, text):
        super().__init__(convert_charrefs=False)
        self.text, self.found, self.depth, self.start, self.ident = text, {}, 0, None, None
        self.lines = [0]
        for line in text.splitlines(keepends=True):
            self.lines.append(self.lines[-1] + len(line))
        self.feed(text)
        self.close()

    def _offset(self):
        line, column = self.getpos()
        return self.lines[line - 1] + column

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        if self.depth == 0:
            self.start, self.ident = self._offset(), dict(attrs).get("id")
        self.depth += 1

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if tag in VOID or self.depth == 0:
            return
        self.depth -= 1
        if self.depth == 0 and self.ident:
            end = self.text.index(">", self._offset()) + 1
            self.found[self.ident] = self.text[self.start:end]


def regions_of(text):
    """{id: outer HTML} of the top-level elements of a pushed message."""
    return _Regions(text).found


class Player:
    """One browser: its own cookies, one socket, every message it received, and the
    page those messages make (a socket is sent only the regions that changed)."""

    def __init__(self, base):
        self.base = base
        self.http = requests.Session()
        self.ws = None
        self.received = []
        self.regions = {}
        OPEN[base].append(self)

    def page(self):
        """The page's live regions as the socket's messages left them, as one text."""
        return "".join(self.regions.values())

    def csrf(self, path):
        found = CSRF_RE.search(self.http.get(self.base + path).text)
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    def post(self, path, data, csrf_from=None, **kwargs):
        data = dict(data, csrf_token=self.csrf(csrf_from or path))
        return self.http.post(self.base + path, data=data, **kwargs)

    def login(self, username, password="pw"):
        response = self.post("/auth/login", {"username": username, "password": password})
        assert response.ok, response.text
        return self

    def start_session(self, slug):
        response = self.post(f"/games/{slug}/start", {}, csrf_from=f"/games/{slug}")
        return response.url.split("/s/")[1].split("/")[0]

    def join(self, key, name=None):
        data = {"display_name": name} if name else {}
        response = self.post(f"/s/{key}/join", data, csrf_from=f"/s/{key}")
        assert response.ok, response.text
        return self

    def cookie_header(self):
        return "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)

    def connect(self, key, origin=None):
        url = self.base.replace("http://", "ws://") + f"/ws/s/{key}"
        self.ws = websocket.create_connection(url, cookie=self.cookie_header(),
                                              origin=origin or self.base, timeout=5)
        return self

    def send(self, **message):
        self.ws.send(json.dumps(message))

    def recv(self, timeout=5):
        self.ws.settimeout(timeout)
        text = self.ws.recv()
        self.received.append(text)
        self.regions.update(regions_of(text))
        return text

    def wait_for(self, predicate, timeout=5):
        """Read messages until one satisfies ``predicate``; returns it."""
        for _ in range(200):
            text = self.recv(timeout)
            if predicate(text):
                return text
        raise AssertionError("expected message never came")

    def wait_version(self, version):
        """Read until the moves panel shows ``version``; the page's regions then."""
        self.wait_for(lambda t: f'data-version="{version}"' in t and 'id="operators"' in t)
        return self.page()

    def flash(self, timeout=5):
        return self.wait_for(lambda t: 'id="flash"' in t and "<p class" in t, timeout)

    def drain(self, quiet=0.15):
        """Read whatever arrives until the socket is quiet for ``quiet`` seconds."""
        out = []
        try:
            while True:
                out.append(self.recv(quiet))
        except websocket.WebSocketTimeoutException:
            return out

    def close_code(self, timeout=5):
        """The code of the close frame the server sends first (fails on any other frame)."""
        self.ws.settimeout(timeout)
        opcode, data = self.ws.recv_data(control_frame=True)
        assert opcode == websocket.ABNF.OPCODE_CLOSE, (opcode, data[:200])
        return int.from_bytes(data[:2], "big")

    def close(self):
        if self.ws is not None:
            self.ws.close()


def close_players(base):
    """Close the socket and HTTP connections of every Player of the server at ``base``."""
    for player in OPEN.pop(base, []):
        player.close()
        player.http.close()
