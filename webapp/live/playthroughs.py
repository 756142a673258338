"""Start play-throughs, find live ones (resuming after a restart), keep rows in step."""
import logging
import os
import pathlib
import secrets
import threading
import time
from typing import NamedTuple

from flask import current_app, url_for
from sqlalchemy import update

from engine.log import LogWriter
from engine.loader import _IGNORED_PARTS, GameSource
from engine.playthrough import PlayThrough

from ..catalog.seeding import install_game
from ..extensions import db, write_gate
from ..models import PlayThroughRecord, Session, utcnow

log = logging.getLogger(__name__)


def runtime():
    return current_app.extensions["live"]


def playthrough_paths(game_session, number):
    """Folder, log, work folder and artifacts of a play-through under DATA_DIR."""
    folder = (pathlib.Path(current_app.config["DATA_DIR"]) / "gdm" / game_session.game.slug
              / "sessions" / str(game_session.id) / "playthroughs" / str(number))
    return {"folder": folder, "log": folder / "log.jsonl", "work": folder / "work",
            "artifacts": folder / "artifacts"}


def seats_of(game_session):
    """Participant id -> name, kind, roles, bot strategy (fixed when play starts)."""
    return {p.id: {"name": p.display_name, "kind": p.kind, "roles": list(p.roles),
                   "strategy": p.bot_strategy} for p in game_session.participants}


def log_seats(game_session):
    kinds = {"bot": "bot", "human": "human", "guest": "human"}
    return [{"role": r, "name": p.display_name, "kind": kinds[p.kind]}
            for p in game_session.participants for r in p.roles]


def assets_url(version):
    return url_for("catalog.asset", slug=version.game.slug, version=version.version_hash,
                   filename="x")[:-1]


def current_version_of(game_session):
    """The session's game version, re-installed first if its folder has changed."""
    return current_source_of(game_session)[0]


_sources = {}
SETTLED_NS = 2_000_000_000
_sources_lock = threading.Lock()


def folder_signature(folder):
    """Every file's path, size and modification time: changes whenever a file does."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in _IGNORED_PARTS)
        for name in files:
            if name in _IGNORED_PARTS or name.endswith((".pyc", ".pyo")):
                continue
            stat = os.stat(os.path.join(root, name))
            found.append((root, name, stat.st_size, stat.st_mtime_ns))
    return tuple(sorted(found))


def game_source(folder):
    """A GameSource of ``folder``, read and hashed again only when a file has changed
    (a rematch would otherwise hash the whole game folder twice)."""
    folder = str(folder)
    signature = folder_signature(folder)
    with _sources_lock:
        found = _sources.get(folder)
    if found is not None and found[0] == signature:
        return found[1]
    source = GameSource(folder)
    # A file changed within the file system's timestamp granularity could change
    # again unseen: such a folder is not remembered until it has settled.
    settled = time.time_ns() - SETTLED_NS
    if all(entry[3] < settled for entry in signature):
        with _sources_lock:
            _sources[folder] = (signature, source)
    return source


def current_source_of(game_session):
    """(version, GameSource) of the session's game, re-installed first if its folder
    has changed."""
    version = game_session.game_version
    source = game_source(version.folder)
    if source.version != version.version_hash:
        version = install_game(version.folder, version.game.status)
        game_session.game_version = version
        source = game_source(version.folder)
    return version, source


def next_number(game_session):
    """The number of the session's next play-through (without loading them all)."""
    from sqlalchemy import func, select
    last = db.session.scalar(select(func.max(PlayThroughRecord.number))
                             .where(PlayThroughRecord.session_id == game_session.id))
    return (last or 0) + 1


def start_playthrough(game_session, active_roles):
    """Start the session's next play-through and register it live."""
    version, source = current_source_of(game_session)
    number = next_number(game_session)
    paths = playthrough_paths(game_session, number)
    paths["folder"].mkdir(parents=True, exist_ok=True)
    seed = secrets.randbits(62)
    seats = seats_of(game_session)
    base_url = assets_url(version)
    pt = PlayThrough(source, seed=seed,
                     config={"active_roles": active_roles},
                     session_folder=str(paths["work"]), seats=log_seats(game_session),
                     log_writer=LogWriter(str(paths["log"])),
                     artifacts_dir=str(paths["artifacts"]))
    pt.start()
    record = PlayThroughRecord(session_id=game_session.id, number=number, seed=seed,
                               log_path=str(paths["log"]), game_version_hash=version.version_hash)
    db.session.add(record)
    game_session.status = "in_progress"
    key, session_id = game_session.key, game_session.id
    from .runtime import LivePlayThrough
    # Follow the session's channel before taking the write gate: the first time, that
    # waits (up to a listener poll) for Redis to confirm the subscription.
    runtime().cluster.follow(key)
    # Owned before anyone can see it: from the commit on, other processes find the new
    # play-through leased (and forward to this one), and this process's other threads
    # wait for it to be registered instead of resuming it themselves.
    with runtime().starting(key):
        with write_gate:
            db.session.flush()
            record_id = record.id      # read before the commit expires it
            owner_lock = runtime().claim(key, record_id, paths["folder"])
            if owner_lock is None:     # a new record: only a broken data folder gets here
                pt.close()
                db.session.rollback()
                raise RuntimeError("the new play-through's owner lock is held elsewhere")
            try:
                db.session.commit()
            except Exception:
                runtime().cluster.drop_lease(record_id)
                owner_lock.release()
                pt.close()
                raise
        live = LivePlayThrough(key, session_id, record_id, pt, seats, base_url, number)
        live.owner_lock = owner_lock
        runtime().register(live)
    sync_rows(live)
    return live


class Elsewhere(NamedTuple):
    """A running play-through owned by another process (act on it through that one)."""
    session_key: str
    record_id: int
    holder: str


def live_of(game_session):
    """The session's current play-through to show: owned here, ended, or a read-only
    replica of one another process owns (``owned`` False); None if it cannot be read."""
    found = acting_live(game_session)
    if not isinstance(found, Elsewhere):
        return found
    record = game_session.current_playthrough
    version = game_session.game_version
    try:
        live = runtime().replica(game_session.key, game_session.id, record, version.folder,
                                 seats_of(game_session), assets_url(version))
    except Exception:
        log.exception("cannot read play-through %s", record.id)
        return None
    live.paused = game_session.status == "paused"
    return live


def acting_live(game_session, dead_holder=None):
    """The session's current play-through to act on: owned here (taken over first if
    no live process owns it), ended (read-only), ``Elsewhere`` if another process
    owns it, or None (no play-through, or it cannot be read)."""
    found = runtime().live(game_session.key)
    record = game_session.current_playthrough
    if record is None:
        return None
    if found is not None and found.record_id == record.id:
        return found
    version = game_session.game_version
    args = (game_session.key, game_session.id, record, version.folder, seats_of(game_session),
            assets_url(version))
    paths = playthrough_paths(game_session, record.number)
    try:
        if record.status == "ended":
            return runtime().ended(*args, paths)
        holder = runtime().cluster.holder(record.id)
        if holder and holder != runtime().cluster.proc and holder != dead_holder:
            return Elsewhere(game_session.key, record.id, holder)
        live = runtime().resume(*args, paths, dead_holder=dead_holder or holder)
    except Exception:
        log.exception("cannot resume play-through %s", record.id)
        return None
    if live is None:      # another process holds the owner lock
        return Elsewhere(game_session.key, record.id, runtime().cluster.holder(record.id) or "")
    live.paused = game_session.status == "paused"
    if live.pt.ended and not live.rows_final:
        sync_rows(live)      # the process died between the footer and the rows
    return live


class EndedRow(NamedTuple):
    """What a validation request needs of a play-through row that has just ended."""
    id: int
    session_id: int
    steps: int


def sync_rows(live):
    """Keep the play-through and session rows in step with the engine (after the log)."""
    from ..jobs.queue import maybe_checkpoint, request_validation
    pt = live.pt
    maybe_checkpoint(live)
    if live.rows_final:
        return
    if not pt.ended:
        # The step count is coalesced off the move path (the log is the record of
        # truth); the end of the play-through below is written synchronously.
        runtime().steps.note(live.record_id, pt.k)
        return
    runtime().steps.discard(live.record_id)
    live.rows_final = True
    # Plain UPDATEs: the end of every game is on the move path (no row is read first).
    with write_gate:
        ended = db.session.execute(
            update(PlayThroughRecord)
            .where(PlayThroughRecord.id == live.record_id, PlayThroughRecord.status != "ended")
            .values(steps=pt.k, status="ended", end_reason=pt.ended, outcome=pt.outcome,
                    ended_at=utcnow())).rowcount
        if ended:
            db.session.execute(update(Session).where(Session.id == live.session_id)
                               .values(status="ended"))
        else:      # ended before (the session was ended): only the count follows
            db.session.execute(update(PlayThroughRecord)
                               .where(PlayThroughRecord.id == live.record_id)
                               .values(steps=pt.k))
        db.session.commit()
    if not ended:
        return
    if pt.log is not None:
        pt.log.close()
    request_validation(EndedRow(live.record_id, live.session_id, pt.k))
