"""Find a session's live play-through (resuming it after a restart), keep rows in step.

The rule of the live path (``webapp/locks.py``): rows are read first, turned
into plain values (:class:`SessionFacts`) and the connection is released; only
then are live locks taken or game code run.  Rows are written by the row writer.
"""
import logging
import os
import pathlib
from typing import NamedTuple

from flask import current_app, url_for

from engine.gameproc.remote import RemotePlayThrough

from ..extensions import db
from ..games import pool
from ..signing import signer
from ..locks import release_connection
from . import rows
from .table import LivePlayThrough, adopt_lock

log = logging.getLogger(__name__)


def runtime():
    return current_app.extensions["live"]


class PlayThroughFacts(NamedTuple):
    """What the live path needs of a play-through's row."""
    id: int
    number: int
    status: str
    log_path: str
    end_reason: str | None = None
    tip_seq: int | None = None         # the latest line the row knows (rows lag the log)
    tip_hash: str | None = None


class SessionFacts(NamedTuple):
    """What the live path needs of a session's rows, read once, then no connection."""
    key: str
    id: int
    status: str
    slug: str
    folder: str               # the game version's folder
    version_hash: str
    base_url: str
    seats: dict               # participant id -> name, kind, roles, strategy
    log_seats: list
    current: PlayThroughFacts | None


def seats_of(game_session):
    """Participant id -> name, kind, roles, bot strategy (fixed when play starts)."""
    return {p.id: seat_of(p) for p in game_session.participants}


def seat_of(participant):
    return {"name": participant.display_name, "kind": participant.kind,
            "roles": list(participant.roles), "strategy": participant.bot_strategy,
            "participant": participant.pseudonym}


def held_current(game_session):
    """The session's current play-through if this process holds it (checked against
    the latest row, as ``acting_live`` does), its database connection then released as
    ``read_facts`` does; else None: then ``read_facts`` and ``acting_live`` say what to
    act on."""
    held = runtime().live(game_session.key)
    if held is None:
        return None
    record = game_session.current_playthrough
    if record is not None and not is_current(held, record):
        return None
    release_connection(db.session)
    return held


def is_current(held, record):
    """Whether a play-through this process holds is the one the latest row names (or a
    newer one started here, whose row is on its way)."""
    return held.record_id == record.id or (held.number or 0) > record.number


def log_seats(game_session):
    kinds = {"bot": "bot", "human": "human", "guest": "human"}
    return [{"role": r, "participant": p.pseudonym, "kind": kinds[p.kind]}
            for p in game_session.participants for r in p.roles]


def assets_url(version):
    return url_for("catalog.asset", slug=version.game.slug, version=version.version_hash,
                   filename="x")[:-1]


def read_facts(game_session):
    """The session's facts; the database connection is released before returning.

    A play-through whose log exists but whose row does not (its process died
    before the row writer ran) is adopted from its log first."""
    facts = _facts(game_session)
    orphan = _orphan_log(facts)
    release_connection(db.session)
    if orphan is not None:
        number, path = orphan
        rows.writer().wait(rows.writer().submit(rows.adopt, facts.id, number, str(path),
                                                facts.version_hash))
        db.session.expire_all()
        facts = _facts(game_session)
        release_connection(db.session)
    return facts


def _facts(game_session):
    version = game_session.game_version
    from ..games import remember_settings
    remember_settings(version.game.slug, version.game.settings,
                      current_app.config["GAME_MOVE_SECONDS"])
    record = game_session.current_playthrough
    current = PlayThroughFacts(record.id, record.number, record.status, record.log_path,
                               record.end_reason, record.tip_seq, record.tip_hash) \
        if record is not None else None
    return SessionFacts(game_session.key, game_session.id, game_session.status,
                        version.game.slug, version.folder, version.version_hash,
                        assets_url(version), seats_of(game_session), log_seats(game_session),
                        current)


def game_of(facts):
    """The game version of a session, as game processes know it."""
    from ..games import ref
    return ref(facts.folder, facts.slug, facts.version_hash)


def move_seconds(facts):
    from ..games import settings_of
    return settings_of(facts.slug).move_seconds


def session_folder(facts):
    return (pathlib.Path(current_app.config["DATA_DIR"]) / "gdm" / facts.slug / "sessions"
            / str(facts.id))


def paths_of(facts, number):
    """Folder, log, work folder and artifacts of play-through ``number`` of a session."""
    folder = session_folder(facts) / "playthroughs" / str(number)
    return {"folder": folder, "log": folder / "log.jsonl", "work": folder / "work",
            "artifacts": folder / "artifacts"}


def playthrough_paths(game_session, number):
    folder = (pathlib.Path(current_app.config["DATA_DIR"]) / "gdm" / game_session.game.slug
              / "sessions" / str(game_session.id) / "playthroughs" / str(number))
    return {"folder": folder, "log": folder / "log.jsonl", "work": folder / "work",
            "artifacts": folder / "artifacts"}


def _orphan_log(facts):
    """(number, log path) of a started play-through newer than the session's rows, if
    this process does not hold it (then its row is still on its way)."""
    number = (facts.current.number if facts.current else 0) + 1
    path = paths_of(facts, number)["log"]
    if not path.exists() or os.path.getsize(path) == 0:
        return None
    held = runtime().live(facts.key)
    if held is not None and (held.number or 0) >= number:
        return None
    return number, path


class DamagedLog(Exception):
    """A play-through's log that does not validate: it is not resumed (never silently,
    never repaired); its players are told why and its owner may end it."""

    def __init__(self, why, report=None):
        super().__init__(why)
        self.why, self.report = why, report


_damaged = {}          # session key -> (play-through id, DamagedLog)
_checked = {}          # (play-through id, size, mtime) -> None or DamagedLog


def check_log(facts, record):
    """Raise DamagedLog unless the play-through's log, as it is now, validates (chain,
    the row's tip, then the host's rules against the game's trace, open end allowed)."""
    from engine.gameproc.logs import validate_with

    from ..verdicts import problem
    try:
        st = os.stat(record.log_path)
    except OSError:
        raise DamagedLog("its log file is missing") from None
    key = (record.id, st.st_size, st.st_mtime_ns)
    if key in _checked:
        if _checked[key] is not None:
            raise _checked[key]
        return
    found = None
    why = problem(record)
    if why is not None:
        found = DamagedLog(why)
    else:
        game = game_of(facts)
        report = validate_with(pool(), lambda slug, version: game
                               if version == game.version else None,
                               record.log_path, allow_open=True, keyring=None)
        if report["status"] != "canonical":
            f = report.get("first_failure") or {}
            where = f" at line {f['line']}" if f.get("line") else ""
            cls = (f.get("class") or "error").replace("_", " ")
            found = DamagedLog(f"its log is not canonical ({cls}{where}: "
                               f"{f.get('message') or report.get('error')})", report)
    if len(_checked) > 512:
        _checked.clear()
    _checked[key] = found
    if found is not None:
        raise found


def _interrupted(facts, record):
    """A play-through its owner ended because its log did not validate: shown as such
    (its log has no footer, so a copy of it would look as if it were running)."""
    from ..models import PlayThroughRecord
    row = db.session.get(PlayThroughRecord, record.id)
    report = row.validation_report if row is not None and isinstance(
        row.validation_report, dict) else {}
    message = (report.get("first_failure") or {}).get("message") or "its log did not validate"
    _damaged[facts.key] = (record.id, DamagedLog(f"its log did not validate ({message})",
                                                 report))
    return None


def damage_of(game_session):
    """The DamagedLog of the session's current play-through, if it was found damaged."""
    found = _damaged.get(game_session.key)
    if found is None:
        return None
    current = game_session.current_playthrough
    if current is None or found[0] != current.id:
        return None
    return found[1]


def damage_for(facts):
    """``damage_of`` from a session's facts (no query)."""
    found = _damaged.get(facts.key)
    if found is None or facts.current is None or found[0] != facts.current.id:
        return None
    return found[1]


def end_damaged(game_session, damage):
    """End a damaged play-through without touching its log: its row says
    ``interrupted`` and carries the verdict that stopped it."""
    from ..models import utcnow
    record = game_session.current_playthrough
    report = damage.report or {"status": "non_canonical", "first_failure": {
        "class": "structure", "message": damage.why}}
    failure = report.get("first_failure") or {}
    record.status, record.end_reason, record.ended_at = "ended", "interrupted", utcnow()
    record.validation_status = report.get("status")
    record.validation_class = failure.get("class")
    record.validation_report = report
    record.validated_at = utcnow()
    db.session.commit()
    release_connection(db.session)
    _damaged.pop(game_session.key, None)


class Elsewhere(NamedTuple):
    """A running play-through owned by another process (act on it through that one)."""
    session_key: str
    record_id: int
    holder: str


def live_of(facts):
    """The session's current play-through to show: owned here, ended, or a read-only
    replica of one another process owns (``owned`` False); None if it cannot be read."""
    found = acting_live(facts)
    if not isinstance(found, Elsewhere):
        return found
    try:
        live = replica(facts, facts.current)
    except Exception:
        log.exception("cannot read play-through %s", facts.current.id)
        return None
    live.paused = facts.status == "paused"
    return live


def acting_live(facts, dead_holder=None):
    """The session's current play-through to act on: owned here (taken over first if
    no live process owns it), ended (read-only), ``Elsewhere`` if another process
    owns it, or None (no play-through, or it cannot be read)."""
    found = runtime().live(facts.key)
    record = facts.current
    if record is None:
        return found
    if runtime().closed:
        return None           # the server is stopping: nothing is resumed any more
    if found is not None and is_current(found, record):
        return found
    try:
        if record.status == "ended" and record.end_reason == "interrupted":
            return _interrupted(facts, record)
        if record.status == "ended":
            try:
                return ended(facts, record)
            except Exception as exc:     # an ended log that cannot even be read back
                log.warning("play-through %s cannot be read back: %s", record.id, exc)
                _damaged[facts.key] = (record.id, DamagedLog(
                    f"its log cannot be read back ({getattr(exc, 'message', exc)})"))
                return None
        holder = runtime().cluster.holder(record.id)
        if holder and holder != runtime().cluster.proc and holder != dead_holder:
            return Elsewhere(facts.key, record.id, holder)
        live = resume(facts, record, dead_holder=dead_holder or holder)
    except DamagedLog as exc:
        log.warning("play-through %s is not resumed: %s", record.id, exc.why)
        _damaged[facts.key] = (record.id, exc)
        return None
    except Exception:
        log.exception("cannot resume play-through %s", record.id)
        return None
    if live is None:      # another process holds the owner lock
        return Elsewhere(facts.key, record.id, runtime().cluster.holder(record.id) or "")
    live.paused = facts.status == "paused"
    if live.pt.ended and not live.rows_final:
        sync_rows(live)      # the process died between the footer and the rows
    return live


# -- building play-throughs from their logs (the registry holds them) --------------------

def resume(facts, record, dead_holder=None):
    """Own the play-through and rebuild it from its whole log (after a restart or a
    takeover alike: only a replay restores what a game keeps in module globals); None
    when another process owns it."""
    registry = runtime()
    if registry.closed:
        raise RuntimeError("this runtime is closed")
    with registry.key_lock(facts.key):
        found = registry.live(facts.key)
        if found is not None and found.record_id == record.id:
            return found
        paths = paths_of(facts, record.number)
        check_log(facts, record)          # a log that does not validate is never resumed
        lock = registry.claim(facts.key, record.id, paths["folder"], dead_holder)
        if lock is None:
            return None
        try:
            pt = RemotePlayThrough.resume(
                pool(), game_of(facts), record.id, str(record.log_path),
                artifacts_dir=str(paths["artifacts"]), move_seconds=move_seconds(facts),
                base_url=facts.base_url, signer=signer())
        except BaseException:
            registry.cluster.drop_lease(record.id)
            lock.release()
            raise
        adopt_lock(pt)
        if pt.ended and pt.log is not None:
            pt.log.close()
        live = LivePlayThrough(facts.key, facts.id, record.id, pt, facts.seats,
                               facts.base_url, record.number)
        live.owner_lock = lock
        return registry.register(live)


def ended(facts, record):
    """A play-through that has ended, read from its log (any process may hold one)."""
    registry = runtime()
    with registry.key_lock(facts.key):
        found = registry.live(facts.key)
        if found is not None and (found.record_id == record.id
                                  or (found.number or 0) > record.number):
            return found
        return registry.register(read_only(facts, record))


def replica(facts, record):
    """A read-only copy of a play-through another process owns (for pages), rebuilt
    when its log has grown."""
    registry = runtime()
    path = record.log_path
    size = os.path.getsize(path) if os.path.exists(path) else 0
    with registry.key_lock(facts.key):
        found = registry.replica_of(facts.key, record.id, size)
        if found is not None:
            return found
        return registry.hold_replica(facts.key, record.id, size, read_only(facts, record))


def read_only(facts, record):
    """A copy of a play-through rebuilt from its log, writing nothing (its game runs
    in this process's game process for the version, under a copy id)."""
    pt = RemotePlayThrough.resume(pool(), game_of(facts), f"copy-{record.id}",
                                  str(record.log_path), attach_log=False,
                                  move_seconds=move_seconds(facts), base_url=facts.base_url)
    adopt_lock(pt)
    return LivePlayThrough(facts.key, facts.id, record.id, pt, facts.seats, facts.base_url,
                           record.number)


def sync_rows(live):
    """Keep the play-through and session rows in step with the engine (after the log);
    the rows are written by the row writer: nothing here waits for the database."""
    from ..jobs.queue import maybe_checkpoint
    pt = live.pt
    maybe_checkpoint(live)
    if live.rows_final:
        return
    writer = rows.writer()
    log_ = pt.log
    tip = (log_.next_seq - 1, log_.prev) if log_ is not None and log_.path else None
    if not pt.ended:
        writer.note_steps(live.record_id, pt.k, tip)
        return
    writer.forget_steps(live.record_id)
    live.rows_final = True
    if pt.log is not None:
        pt.log.close()
    app = current_app._get_current_object()
    args = (live.record_id, live.session_id, pt.k, pt.ended, pt.outcome)
    writer.submit(_end_and_validate, app, *args, tip=tip)


def _end_and_validate(app, record_id, session_id, steps, reason, outcome, tip=None):
    """Row task: the end of a play-through, then its validation job."""
    if rows.ended(record_id, session_id, steps, reason, outcome, tip):
        from ..jobs.queue import request_validation
        request_validation(record_id, session_id, steps, app=app)
