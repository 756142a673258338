"""A scripted browser for socket tests: HTTP with cookies, then a real WebSocket."""
import collections
import json
import re

import requests
import websocket

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION_RE = re.compile(r'id="operators"[^>]*data-version="(\d+)"', re.S)
# Every Player by its server, until close_players: a Player a test dropped may leave its
# socket open (in a reference cycle) until the garbage collector comes by.
OPEN = collections.defaultdict(list)


class Player:
    """One browser: its own cookies, one socket, and every message it received."""

    def __init__(self, base):
        self.base = base
        self.http = requests.Session()
        self.ws = None
        self.received = []
        OPEN[base].append(self)

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
        return text

    def wait_for(self, predicate, timeout=5):
        """Read messages until one satisfies ``predicate``; returns it."""
        for _ in range(200):
            text = self.recv(timeout)
            if predicate(text):
                return text
        raise AssertionError("expected message never came")

    def wait_version(self, version):
        return self.wait_for(lambda t: f'data-version="{version}"' in t and 'id="operators"' in t)

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
