"""The live path's rule for shared resources, checked while the portal runs.

No lock of the live path is held while waiting for a database connection, and
no thread that holds a connection takes such a lock.  Live locks are
:class:`LiveLock`; the database pool reports every check-out and check-in.  A
thread that breaks the rule is reported (``LIVE_LOCK_CHECKS``: ``raise`` in
tests, ``log`` by default, ``off``) with its stack, so a deadlock between a
lock and the pool, such as the one that froze the portal at 50 sessions, is a
failing test instead of a frozen class.
"""
import logging
import threading
import traceback

from sqlalchemy import event
from sqlalchemy.pool import Pool

log = logging.getLogger(__name__)
_local = threading.local()
_reported = set()
_conns = {}                     # thread id -> connections it has checked out
_conns_lock = threading.Lock()
MODE = {"value": "log"}


class LockRuleError(RuntimeError):
    """A thread took a live lock while holding a connection, or the reverse."""


def set_mode(mode):
    MODE["value"] = mode if mode in ("raise", "log", "off") else "log"


def live_locks_held():
    return getattr(_local, "held", 0)


def connections_held():
    return _conns.get(threading.get_ident(), 0)


def violation(message):
    """Report a break of the rule (once per place in the code, when logging)."""
    mode = MODE["value"]
    if mode == "off":
        return
    if mode == "raise":
        raise LockRuleError(message)
    where = "".join(traceback.format_stack(limit=12)[:-2])
    key = (message, where)
    if key not in _reported:
        _reported.add(key)
        log.error("lock rule broken: %s\n%s", message, where)


class LiveLock:
    """A re-entrant lock of the live path (a play-through, the runtime's registry)."""

    __slots__ = ("name", "_lock")

    def __init__(self, name):
        self.name = name
        self._lock = threading.RLock()

    def acquire(self, blocking=True, timeout=-1):
        if connections_held():
            violation(f"the {self.name} lock was taken by a thread holding a database "
                      "connection (release it first: commit or remove the session)")
        got = self._lock.acquire(blocking, timeout)
        if got:
            _local.held = live_locks_held() + 1
        return got

    def release(self):
        self._lock.release()
        _local.held = live_locks_held() - 1

    __enter__ = acquire

    def __exit__(self, *exc):
        self.release()
        return False


def _checked_out(dbapi_connection, record, proxy):
    ident = threading.get_ident()
    record.info["sz_thread"] = ident
    with _conns_lock:
        _conns[ident] = _conns.get(ident, 0) + 1
    if live_locks_held():
        violation("a database connection was checked out by a thread holding a live lock")


def _checked_in(dbapi_connection, record):
    ident = record.info.pop("sz_thread", None)
    if ident is None:
        return
    with _conns_lock:
        left = _conns.get(ident, 0) - 1
        if left > 0:
            _conns[ident] = left
        else:
            _conns.pop(ident, None)


def install():
    """Listen to every pool's check-outs and check-ins (once per process)."""
    if not event.contains(Pool, "checkout", _checked_out):
        event.listen(Pool, "checkout", _checked_out)
        event.listen(Pool, "checkin", _checked_in)


def release_connection(session):
    """End the session's transaction so its connection goes back to the pool (call
    before taking a live lock).  Pending changes are committed; loaded rows stay
    usable (the session does not expire them on commit)."""
    session.commit()
