"""Who is at the table of a live play-through: joins, drops, reconnects, perspectives.

A seat is kept for RECONNECT_WINDOW_SECONDS after its last socket closes; the
others see "disconnected" meanwhile.  When the window lapses the person has
left (logged); when every person has left a running session pauses itself.
The log gets names only, never tokens.
"""
import heapq
import logging
import threading
import time
import weakref

from flask import current_app

log = logging.getLogger(__name__)
_extras = weakref.WeakKeyDictionary()
_extras_lock = threading.Lock()


class TableState:
    """Per play-through facts the engine does not keep: presence and perspectives."""

    def __init__(self):
        self.lock = threading.Lock()
        self.presence = {}        # participant id -> "connected" | "disconnected" | "left"
        self.timers = {}          # participant id -> Timer of the reconnect window
        self.perspectives = {}    # participant id -> role number or None (owner's choice)
        self.auto_paused = False  # paused because everyone left
        self.thinking = None      # text of the "game is working" banner, while shown
        self.artifacts = (None, [])
        self.number = None


def table(live):
    """The TableState of a live play-through (created on first use)."""
    with _extras_lock:
        found = _extras.get(live)
        if found is None:
            found = _extras[live] = TableState()
        return found


def status_of(live, participant_id):
    return table(live).presence.get(participant_id)


def who(live, seat):
    """How a presence event names a person: format 2 by participant id, never by name."""
    if getattr(live.pt, "format", 1) == 1:
        return {"name": seat.get("name") or "?"}
    return {"participant": seat.get("participant")}


def record(live, type_, **fields):
    """Log a presence event unless the play-through has ended (its log is closed)."""
    pt = live.pt
    with pt.lock:
        if pt.ended or pt.log is None:
            return
        try:
            pt.record(type_, **fields)
        except Exception:
            log.warning("could not log %s for session %s", type_, live.session_key,
                        exc_info=True)


def connected(live, participant_id):
    """A socket of the participant opened: joined or reconnected."""
    state = table(live)
    seat = live.seats.get(participant_id)
    if seat is None or seat["kind"] == "bot":
        return
    with state.lock:
        before = state.presence.get(participant_id)
        state.presence[participant_id] = "connected"
        timer = state.timers.pop(participant_id, None)
    if timer is not None:
        timer.cancel()
    if before is None:
        record(live, "player_joined", **who(live, seat), roles=list(seat["roles"]))
    elif before != "connected":
        record(live, "player_reconnected", **who(live, seat), after=before)


def disconnected(live, participant_id, on_left):
    """The participant's last socket closed: start the reconnect window."""
    state = table(live)
    seat = live.seats.get(participant_id)
    if seat is None or seat["kind"] == "bot":
        return
    window = float(current_app.config.get("RECONNECT_WINDOW_SECONDS", 180))
    app = current_app._get_current_object()
    timer = threading.Timer(window, window_lapsed, args=(app, live, participant_id, on_left))
    timer.daemon = True
    with state.lock:
        if participant_id not in state.presence:
            return   # a lobby socket closing as its page moves to the game: not a drop
        state.presence[participant_id] = "disconnected"
        old = state.timers.pop(participant_id, None)
        state.timers[participant_id] = timer
    if old is not None:
        old.cancel()
    timer.start()


def window_lapsed(app, live, participant_id, on_left):
    """The reconnect window passed: the person has left; maybe everyone has."""
    state = table(live)
    with state.lock:
        if state.presence.get(participant_id) != "disconnected":
            return
        state.presence[participant_id] = "left"
        state.timers.pop(participant_id, None)
        everyone_left = all(v == "left" for v in state.presence.values())
    seat = live.seats.get(participant_id) or {"name": "?"}
    with app.test_request_context("/"):
        try:
            record(live, "player_left", **who(live, seat), after_seconds=round(
                float(app.config.get("RECONNECT_WINDOW_SECONDS", 180)), 3))
            on_left(live, everyone_left)
        except Exception:
            log.exception("handling a player who left session %s failed", live.session_key)


def cancel_timers(live):
    """Stop every reconnect window of a play-through that is being replaced."""
    state = table(live)
    with state.lock:
        timers, state.timers = list(state.timers.values()), {}
    for timer in timers:
        timer.cancel()


def presence_label(live, participant_id, is_connected):
    """What others see next to a person's name."""
    if is_connected:
        return "connected"
    state = table(live).presence.get(participant_id)
    if state == "disconnected":
        return "disconnected"
    if state == "left":
        return "left"
    return "not here yet"


class _Alarms:
    """One thread for every "thinking" alarm of the process.

    A move that finishes before its alarm (nearly all) only pushes an entry on a
    heap and marks it cancelled: no thread is started per move.
    """

    def __init__(self):
        self._cond = threading.Condition()
        self._heap = []
        self._seq = 0
        self._thread = None

    def schedule(self, delay, fn, *args):
        entry = [time.monotonic() + delay, 0, fn, args, False]
        with self._cond:
            self._seq += 1
            entry[1] = self._seq
            heapq.heappush(self._heap, entry)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, daemon=True,
                                                 name="thinking-alarms")
                self._thread.start()
            elif self._heap[0] is entry:
                self._cond.notify()
        return entry

    @staticmethod
    def cancel(entry):
        entry[4] = True

    def _run(self):
        while True:
            with self._cond:
                while self._heap and self._heap[0][4]:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._cond.wait(5)
                    if not self._heap:
                        self._thread = None
                        return
                    continue
                wait = self._heap[0][0] - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                entry = heapq.heappop(self._heap)
            if not entry[4]:
                try:
                    entry[2](*entry[3])
                except Exception:
                    log.exception("thinking alarm failed")


_alarms = _Alarms()


class Thinking:
    """Context manager: show "thinking" to the session if the game takes a while."""

    def __init__(self, live, who, push):
        self.live, self.who, self.push = live, who, push
        self.done = False
        self.timer = None

    def __enter__(self):
        after = float(current_app.config.get("THINKING_AFTER_SECONDS", 0.3))
        app = current_app._get_current_object()
        self.started = time.monotonic()
        self.timer = _alarms.schedule(after, self._show, app)
        return self

    def _show(self, app):
        state = table(self.live)
        with state.lock:
            if self.done:
                return
            state.thinking = f"The game is working on {self.who}'s move…"
            with app.test_request_context("/"):
                self.push(self.live, state.thinking)

    def __exit__(self, *exc):
        _alarms.cancel(self.timer)
        state = table(self.live)
        with state.lock:
            self.done = True
            state.thinking = None
        return False
