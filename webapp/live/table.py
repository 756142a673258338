"""What this process holds of a live session: its sockets and its play-throughs.

``Client`` is one open socket of one participant; ``LivePlayThrough`` is a running
(or finished) play-through with its seats and the views rendered per state version.
Neither knows anything above it: the registry (``registry.py``) holds them, the
hub pushes through them.
"""
import threading
import time
import uuid

from ..locks import LiveLock


PAGES = ("game", "lobby")
# A push of regions is (region id, text) pairs; this first pair says "every region
# again" (a snapshot), and a pair with id None is always sent.
RESET = "*"


class Client:
    """One open socket of one participant, with its own send lock and rate limit;
    ``page`` is the kind of page it belongs to, as its page says (the lobby or the game
    page: each is pushed only the regions it has; None: not said, everything)."""

    def __init__(self, ws, participant_id, is_owner, rate_per_second, page=None):
        self.ws = ws
        self.id = uuid.uuid4().hex[:16]
        self.participant_id = participant_id
        self.is_owner = is_owner
        self.page = page if page in PAGES else None
        self.alive = True
        self._sent = {}                 # region id -> the text this socket was last sent
        self._send_lock = threading.Lock()
        self._rate = float(rate_per_second)
        self._allowance = self._rate
        self._checked = time.monotonic()

    def send(self, payload):
        """Send a text frame, or a push of regions: (region id, text) pairs, of which
        only those whose text differs from what this socket was last sent go out (htmx
        swaps by id: a region left out stays as the page has it).  What was sent is
        noted here, in the order of the frames, so two pushes that overtake each other
        can never leave a region stale for good.  False (and the client is dead) if
        the socket is gone."""
        with self._send_lock:
            if not self.alive:
                return False
            text = payload if isinstance(payload, str) else self._changed(payload)
            if not text:
                return True
            try:
                self.ws.send(text)
                return True
            except Exception:
                self.alive = False
                return False

    def _changed(self, parts):
        out = []
        for region, text in parts:
            if region == RESET:
                self._sent.clear()
            elif region is None:
                out.append(text)
            elif self._sent.get(region) != text:
                self._sent[region] = text
                out.append(text)
        return "".join(out)

    def allow_message(self):
        """Token bucket: at most ``rate`` messages a second, bursts up to ``rate``."""
        now = time.monotonic()
        self._allowance = min(self._rate, self._allowance + (now - self._checked) * self._rate)
        self._checked = now
        if self._allowance < 1:
            return False
        self._allowance -= 1
        return True


class LivePlayThrough:
    """A running (or finished) play-through with its seats and per-role view cache."""

    def __init__(self, session_key, session_id, record_id, pt, seats, base_url, number=None):
        self.session_key = session_key
        self.number = number          # the play-through's number in its session
        self.session_id = session_id
        self.record_id = record_id
        self.pt = pt
        self.seats = seats            # participant id -> {"name", "kind", "roles", "strategy"}
        self.base_url = base_url
        self.step_cache = {}          # rendered history steps (play/history.py)
        self.history_sent = {}        # socket id -> where its history list ends
        self.bot_timer = None
        self.paused = False
        self.last_checkpoint_k = pt.k
        self.final_checkpoint = False
        self.pending_checkpoints = set()   # RQ job ids of checkpoints not yet in the log
        self.rows_final = False
        self._views = {}
        self._fragments = {}
        self._cached_version = None
        self._pending = None
        self.seats_version = 0        # raised when the seats change (fragments name them)
        self.nav = None               # the nav fragment (fixed for a play-through)
        self.owner_lock = None        # OwnerLock held while owned here
        self.ended_at = None          # time.monotonic() when first seen ended here

    @property
    def owned(self):
        """True while this process owns it (False: an ended or replicated read-only copy)."""
        return self.owner_lock is not None

    def _current(self):
        """Drop every per-version cache when the state version has moved on (or the
        play-through has ended: ending writes a footer without a new version)."""
        version = (self.pt.version, self.pt.ended)
        if version != self._cached_version:
            self._views.clear()
            self._fragments.clear()
            self._pending = None
            self._cached_version = version
        return version

    def view(self, role):
        """The role's view of the current state (from the game process, once per state
        version; after a move the views in use come with its answer)."""
        key = (self._current(), role)
        found = self._views.get(key)
        if found is None:
            found = self._views[key] = self.pt.view(role, self.base_url)
        return found

    def cached_fragment(self, name, role, build):
        """A rendered fragment for (version, pause, seats, name, role), built once."""
        key = (self._current(), self.paused, self.seats_version, name, role)
        found = self._fragments.get(key)
        if found is None:
            found = self._fragments[key] = build()
        return found

    def status(self):
        """The session's status as far as this (current) play-through tells it."""
        if self.pt.ended:
            return "ended"
        return "paused" if self.paused else "in_progress"

    def holders(self, role):
        return [s["name"] for s in self.seats.values() if role in s["roles"]]

    def roles_of(self, participant_id):
        seat = self.seats.get(participant_id)
        return list(seat["roles"]) if seat else []

    def pending_roles(self):
        """Roles that still have a move to make now (computed once per state version)."""
        if self.pt.ended:
            return []
        self._current()
        if self._pending is None:
            self._pending = list(self.pt.pending)
        return list(self._pending)


def adopt_lock(pt):
    """Give an engine play-through the live path's checked lock (before it is shared)."""
    pt.lock = LiveLock("play-through")
    return pt
