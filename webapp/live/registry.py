"""The registry of this process: live play-throughs and sockets, per session.

A play-through held here is either owned here (lease and owner lock held: the only
writer of its log) or has ended (read-only, any process may show it); a
play-through owned by another process is shown from a read-only replica and acted
on through the owner (``forward.py``).  Building a play-through (resuming a log,
copying one) is ``playthroughs.py``'s; the registry only holds, routes and releases.
"""
import logging
import threading
import time

from ..locks import LiveLock
from . import presence
from .cluster import Cluster
from .ownership import OwnerLock
from .connections import Connections
from .watchdog import Watchdog

log = logging.getLogger(__name__)


class Runtime(Connections):
    """Registry of sockets per session and of live play-throughs."""

    ROUTE_SECONDS = 2.0

    def __init__(self, app, on_cluster=None):
        self.app = app
        self.watchdog = Watchdog(app)
        self.cluster = Cluster(app, on_cluster or (lambda message: None))
        self._lock = LiveLock("runtime")
        self._key_locks = {}          # session key -> LiveLock around resuming or copying it
        self._init_connections()
        self._live = {}
        self._replicas = {}           # key -> (record id, log size, LivePlayThrough)
        self._routes = {}             # key -> (Elsewhere, expiry): where to forward
        self._sweeper = None
        self._closed = False
        self.linger = float(app.config.get("LIVE_ENDED_LINGER_SECONDS", 60))

    @property
    def closed(self):
        return self._closed

    def stopping(self):
        """The server is stopping: nothing is resumed or taken over any more (the
        sockets closing now must not start game processes that are going away)."""
        self._closed = True

    def close(self):
        """Release every play-through held here and stop the cluster's threads."""
        for key in list(self._live):
            self.forget(key)
        for key in list(self._replicas):
            with self._lock:
                self._drop_replica(key)
        self._closed = True
        self.watchdog.stop()
        self.cluster.stop()
        from ..games import close
        close(self.app)          # the game processes of this app

    def register(self, live):
        """Hold ``live`` (owned here, or ended); other processes drop older ones."""
        with self._lock:
            old = self._live.get(live.session_key)
            if old is not None and (old.number or 0) > (live.number or 0):
                newer = old       # a copy of an older play-through never replaces a newer
            else:
                newer = None
                self._live[live.session_key] = live
                self._forget_copies(live.session_key)
                self._start_sweeper()
        if newer is not None:
            self._release(live)
            return newer
        if old is not None and old is not live and old.record_id != live.record_id:
            self._release(old)
        if live.owned and not live.pt.ended:
            self.cluster.publish(live.session_key, {"type": "reload", "from": self.cluster.proc,
                                                    "record": live.record_id,
                                                    "number": live.number})
        return live

    def live(self, key):
        return self._live.get(key)     # lock-free read, as in clients_of

    def forget(self, key, record_id=None):
        """Close the session's play-through here (only if it is ``record_id``, if given)."""
        with self._lock:
            live = self._live.get(key)
            if live is None or (record_id is not None and live.record_id != record_id):
                live = None
            else:
                self._live.pop(key, None)
            self._forget_copies(key)
        if live is not None:
            self._release(live)

    def _release(self, live):
        """Stop owning ``live`` (its timers, lease and owner lock) and unload its game."""
        presence.cancel_timers(live)
        if live.bot_timer is not None:
            live.bot_timer.cancel()
        live.pt.close()
        if live.owner_lock is not None:
            self.cluster.drop_lease(live.record_id)
            live.owner_lock.release()
            live.owner_lock = None
            if not self._clients.get(live.session_key):
                self.cluster.unfollow(live.session_key)

    def claim(self, key, record_id, folder, dead_holder=None):
        """The owner lock and lease of a play-through, or None if another process has it."""
        lock = OwnerLock(folder)
        if not lock.acquire():
            return None
        if not self.cluster.take_lease(record_id, key, dead_holder):
            lock.release()
            return None
        return lock

    def key_lock(self, key):
        """The lock around resuming or copying one session's play-through: game code
        replaying a log holds only its own session, never the registry."""
        with self._lock:
            found = self._key_locks.get(key)
            if found is None:
                found = self._key_locks[key] = LiveLock(f"session {key}")
            return found

    def route(self, key):
        """Where socket messages of ``key`` were last forwarded (no query on the move
        path); forgotten after a moment, on a play-through notice, or when it failed."""
        found = self._routes.get(key)
        if found is not None and found[1] > time.monotonic():
            return found[0]
        return None

    def set_route(self, key, target):
        if target is None:
            self._routes.pop(key, None)
        else:
            self._routes[key] = (target, time.monotonic() + self.ROUTE_SECONDS)

    def _forget_copies(self, key):
        self._routes.pop(key, None)
        self._drop_replica(key)

    def _drop_replica(self, key):
        found = self._replicas.pop(key, None)
        if found is not None:
            found[2].pt.close()

    def drop_stale(self, key, record_id):
        """Another process started play-through ``record_id`` of ``key``: drop older ones."""
        with self._lock:
            live = self._live.get(key)
            if live is not None and live.record_id != record_id:
                self._live.pop(key, None)
            else:
                live = None
            self._forget_copies(key)
        if live is not None:
            self._release(live)

    def _start_sweeper(self):
        if self._sweeper is None or not self._sweeper.is_alive():
            self._sweeper = threading.Thread(target=self._sweep, daemon=True,
                                             name="live-sweeper")
            self._sweeper.start()

    def _sweep(self):
        """Release play-throughs that ended (and replicas unused) a while ago: their game
        modules leave memory; a page that wants one again reads it from the log."""
        while not self._closed:
            time.sleep(max(0.2, min(5.0, self.linger / 4)))
            self.sweep()

    def sweep(self, now=None):
        now = time.monotonic() if now is None else now
        with self._lock:
            doomed = []
            for key, live in list(self._live.items()):
                if live.pt.ended and live.ended_at is None:
                    live.ended_at = now
                elif live.ended_at is not None and now - live.ended_at >= self.linger:
                    doomed.append(self._live.pop(key))
            for key, (_, _, live) in list(self._replicas.items()):
                if now - live.ended_at >= self.linger:
                    self._drop_replica(key)
        for live in doomed:
            self._release(live)
        return len(doomed)

    def replica_of(self, key, record_id, size):
        """The replica held of ``key`` if it is of ``record_id`` at log size ``size``."""
        found = self._replicas.get(key)
        if found is not None and found[0] == record_id and found[1] == size:
            return found[2]
        return None

    def hold_replica(self, key, record_id, size, live):
        live.ended_at = time.monotonic()    # swept a while after it was built
        with self._lock:
            self._drop_replica(key)
            self._replicas[key] = (record_id, size, live)
            self._start_sweeper()
        return live
