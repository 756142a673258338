"""Start a session's next play-through: claim its number, own it, log its header.

The new play-through's number and id are known before any row exists: the
number is claimed on the data folder (the log file is created exclusively, and
the previous play-through's log must have ended), the owner lock and lease are
taken on the id, and only then is the game started and registered.  Its row is
written by the row writer; the caller may wait for it, holding nothing.
"""
import json
import logging
import os
import secrets
import shutil

from engine.gameproc.remote import RemotePlayThrough
from engine.log import FOOTER, LogWriter

from ..extensions import db
from . import rows
from .ownership import OwnerLock
from ..games import pool
from ..signing import signer
from .playthroughs import game_of, move_seconds, paths_of, read_facts, runtime, session_folder
from .table import LivePlayThrough, adopt_lock

log = logging.getLogger(__name__)


class StartRefused(Exception):
    """A play-through could not start; the message is for people."""


def start_playthrough(game_session, active_roles, wait=True, facts=None):
    """Start the session's next play-through and register it live; returns it once its
    row is written (``wait``).  ``facts``: the session's facts, if the caller has just
    read them and changed nothing since."""
    facts = facts or read_facts(game_session)
    live, row = open_playthrough(facts, active_roles)
    if wait:
        rows.writer().wait(row)
    db.session.expire_all()
    return live


def open_playthrough(facts, active_roles):
    """(live play-through, future of its row) for the next play-through of ``facts``."""
    number, lock = claim_number(facts)
    record_id = rows.playthrough_id(facts.id, number)
    paths = paths_of(facts, number)
    cluster = runtime().cluster
    if not cluster.take_lease(record_id, facts.key):
        _give_up(lock, paths)
        raise StartRefused("Another server is starting this play-through.")
    cluster.follow(facts.key)
    seed = secrets.randbits(62)
    try:
        pt = RemotePlayThrough.start(
            pool(), game_of(facts), record_id, view_roles=expected_views(facts), seed=seed,
            config={"active_roles": list(active_roles)},
            # the header lists the players' seats: watchers in an observer role (or a
            # role left out of this game) are at the table, not in a seat
            seats=[s for s in facts.log_seats if s["role"] in set(active_roles)],
            log_writer=LogWriter(str(paths["log"]), signer=signer()),
            artifacts_dir=str(paths["artifacts"]), move_seconds=move_seconds(facts),
            base_url=facts.base_url, signer=signer())
        adopt_lock(pt)
    except BaseException:
        cluster.drop_lease(record_id)
        _give_up(lock, paths)
        raise
    live = LivePlayThrough(facts.key, facts.id, record_id, pt, facts.seats, facts.base_url,
                           number)
    live.owner_lock = lock
    runtime().register(live)
    row = rows.writer().submit(rows.started, record_id, facts.id, number, seed,
                               str(paths["log"]), facts.version_hash)
    return live, row


def expected_views(facts):
    """The views the session's sockets will ask for first: those its last play-through
    showed, else every seated role's and the public one."""
    old = runtime().live(facts.key)
    if old is not None and old.pt.view_roles:
        return set(old.pt.view_roles)
    return {r for seat in facts.seats.values() for r in seat["roles"]} | {None}


def claim_number(facts):
    """(number, owner lock) of the session's next play-through, claimed on disk: its
    folder's owner lock, then its log created exclusively.  Refused while the
    previous play-through is still running (two rematches at once start one)."""
    root = session_folder(facts) / "playthroughs"
    root.mkdir(parents=True, exist_ok=True)
    # The highest numbered folder with a log (a folder whose claim was given up has
    # none): a long session's earlier play-throughs are not looked at one by one.
    numbers = sorted((int(n) for n in os.listdir(root) if n.isdigit()), reverse=True)
    started = next((n for n in numbers if (root / str(n) / "log.jsonl").exists()), 0)
    last = max(started, facts.current.number if facts.current else 0)
    current = facts.current
    interrupted = current is not None and current.number == last \
        and current.status == "ended" and current.end_reason == "interrupted"
    if last and not interrupted and not log_has_ended(paths_of(facts, last)["log"]):
        # (a damaged log its owner ended has no footer, and never will: not running)
        raise StartRefused("A play-through of this session is already running.")
    number = last + 1
    paths = paths_of(facts, number)
    paths["folder"].mkdir(exist_ok=True)
    lock = OwnerLock(paths["folder"])
    if not lock.acquire():
        raise StartRefused("A new play-through of this session is already starting.")
    try:
        os.close(os.open(paths["log"], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    except FileExistsError:
        lock.release()
        raise StartRefused("A new play-through of this session has already started.") \
            from None
    return number, lock


def log_has_ended(path):
    """True if the log's last line is its footer (read from the end of the file)."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 65536))
            tail = f.read().rstrip(b"\n").rsplit(b"\n", 1)[-1]
    except OSError:
        return False
    try:
        return json.loads(tail).get("type") == FOOTER
    except (ValueError, AttributeError):
        return False


def _give_up(lock, paths):
    """Undo a claim whose play-through never started (nothing of it was acknowledged)."""
    shutil.rmtree(paths["folder"], ignore_errors=True)
    lock.release()
