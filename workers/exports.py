"""Export jobs: a play-through's raw log, a play-through ZIP, a session ZIP, a bulk ZIP.

ZIPs follow DESIGN.md ("Exports") through ``engine.bundle``: self-contained,
with a manifest of SHA-256 sums and the exact game version, so ``szportal
validate FILE.zip`` re-validates them on another machine.  A bulk export is a
ZIP of session bundles with its own manifest.
"""
import datetime
import hashlib
import json
import os
import shutil
import time
import zipfile

from engine.bundle import write_bundle

from .app import job

THROTTLE_ENV = "SZPORTAL_EXPORT_THROTTLE"   # seconds per play-through (tests of kills)


def exports_dir():
    from flask import current_app
    path = os.path.join(current_app.config["DATA_DIR"], "exports")
    os.makedirs(path, exist_ok=True)
    return path


def _throttle():
    delay = float(os.environ.get(THROTTLE_ENV) or 0)
    if delay:
        time.sleep(delay)


def playthrough_entry(record):
    folder = os.path.dirname(record.log_path)
    return {"number": record.number, "log_path": record.log_path,
            "checkpoints_dir": os.path.join(folder, "checkpoints"),
            "artifacts_dir": os.path.join(folder, "artifacts"),
            "meta": {"id": record.id, "status": record.status, "end_reason": record.end_reason,
                     "steps": record.steps, "outcome": record.outcome,
                     "seed": record.seed, "game_version": record.game_version_hash,
                     "started_at": _iso(record.started_at), "ended_at": _iso(record.ended_at),
                     "validation": record.validation_status}}


def _iso(value):
    return value.isoformat() + "Z" if value else None


def session_meta(game_session, pseudonymise=False):
    """The manifest's facts of a session.  ``pseudonymise`` (the default of research and
    bulk exports): no one's name at all (seats keep their pseudonymous ids, which is all
    a format-2 log names); research ethics boards usually ask for this.  Otherwise the
    manifest's ``seats`` are the name table beside the logs."""
    meta = _session_meta(game_session)
    if pseudonymise:
        meta["pseudonymised"] = True
        meta["pseudonymised_note"] = ("participants appear by pseudonymous ids only; the "
                                      "logs, their chains and signatures are as written")
        meta.pop("owner", None)
        meta["seats"] = [{k: v for k, v in s.items() if k != "name"} for s in meta["seats"]]
        old = [r.number for r in game_session.playthroughs if _log_format(r.log_path) == 1]
        if old:
            # format-1 logs name their actors; they are signed and chained as written,
            # so they are exported as they are, and the manifest says so.
            meta["names_in_logs"] = old
    return meta


def _log_format(path):
    try:
        with open(path, "rb") as f:
            return json.loads(f.readline()).get("format")
    except (OSError, ValueError, AttributeError):
        return None


def _session_meta(game_session):
    game = game_session.game
    return {"kind": "session", "session": game_session.key, "game": game.slug,
            "game_name": game.name, "status": game_session.status,
            "owner": game_session.owner.username, "created_at": _iso(game_session.created_at),
            "debug": bool(game_session.debug),
            # The names beside the log (format 2 logs name participants by pseudonym).
            "seats": [{"participant": p.pseudonym, "name": p.display_name, "kind": p.kind,
                       "roles": list(p.roles)} for p in game_session.participants],
            "exported_at": datetime.datetime.utcnow().isoformat() + "Z"}


def validation_summary(records):
    return {str(r.number): {"status": r.validation_status, "class": r.validation_class,
                            "report": r.validation_report} for r in records}


def write_session_bundle(game_session, out_path, user_id=None, include_notes=False,
                         progress=None, records=None, pseudonymise=False):
    """Write the session's bundle to ``out_path``; returns its manifest."""
    records = records if records is not None else list(game_session.playthroughs)

    def step(done, total):
        _throttle()
        if progress:
            progress(done, total, f"{done} of {total} play-throughs")
    entries = [playthrough_entry(r) for r in records]
    notes = _notes(user_id, game_session.id) if include_notes else None
    from webapp.signing import signer
    return write_bundle(out_path, session_meta(game_session, pseudonymise),
                        game_session.game_version.folder,
                        entries, validation=validation_summary(records), annotations=notes,
                        progress=step, signer=signer())


def _notes(user_id, session_id):
    try:
        from webapp.research.notes import notes_for_export
    except ImportError:
        return []
    return notes_for_export(user_id, session_id)


def _finish(out_path, name):
    return {"result_path": out_path, "result_name": name}


@job("export")
def build_session_zip(session_id, user_id=None, include_notes=False, pseudonymise=True,
                      progress=None):
    from webapp.extensions import db
    from webapp.models import Session
    game_session = db.session.get(Session, session_id)
    name = f"session-{game_session.game.slug}-{game_session.key[:8]}.zip"
    out = os.path.join(exports_dir(), f"{session_id}-{user_id}-{name}")
    write_session_bundle(game_session, out, user_id, include_notes, progress,
                         pseudonymise=pseudonymise)
    return _finish(out, name)


@job("export")
def build_playthrough_zip(record_id, user_id=None, include_notes=False, pseudonymise=True,
                          progress=None):
    from webapp.extensions import db
    from webapp.models import PlayThroughRecord
    record = db.session.get(PlayThroughRecord, record_id)
    game_session = record.session
    name = f"playthrough-{game_session.game.slug}-{game_session.key[:8]}-{record.number}.zip"
    out = os.path.join(exports_dir(), f"pt{record_id}-{user_id}-{name}")
    write_session_bundle(game_session, out, user_id, include_notes, progress, records=[record],
                         pseudonymise=pseudonymise)
    return _finish(out, name)


@job("export")
def copy_playthrough_log(record_id, user_id=None, include_notes=False, pseudonymise=True,
                         progress=None):
    from webapp.extensions import db
    from webapp.models import PlayThroughRecord
    record = db.session.get(PlayThroughRecord, record_id)
    name = f"log-{record.session.game.slug}-{record.session.key[:8]}-{record.number}.jsonl"
    out = os.path.join(exports_dir(), f"pt{record_id}-{name}")
    shutil.copyfile(record.log_path, out + ".part")
    os.replace(out + ".part", out)
    return _finish(out, name)


def sessions_for_bulk(game_slug=None, since=None, until=None):
    from webapp.models import Game, GameVersion, Session
    query = Session.query.join(GameVersion).join(Game)
    if game_slug:
        query = query.filter(Game.slug == game_slug)
    if since:
        query = query.filter(Session.created_at >= since)
    if until:
        query = query.filter(Session.created_at < until)
    return [s for s in query.order_by(Session.id) if s.playthroughs]


def write_bulk(out_path, sessions, progress=None, user_id=None, pseudonymise=True):
    """A ZIP of session bundles plus a manifest with each bundle's SHA-256."""
    tmp_dir = out_path + ".parts"
    os.makedirs(tmp_dir, exist_ok=True)
    files = {}
    try:
        with zipfile.ZipFile(out_path + ".part", "w", zipfile.ZIP_STORED) as zf:
            for i, game_session in enumerate(sessions, 1):
                inner = os.path.join(tmp_dir, f"{game_session.key}.zip")
                write_session_bundle(game_session, inner, user_id,
                                     pseudonymise=pseudonymise)
                arc = f"sessions/{game_session.game.slug}-{game_session.key}.zip"
                zf.write(inner, arc)
                with open(inner, "rb") as f:
                    files[arc] = hashlib.sha256(f.read()).hexdigest()
                os.unlink(inner)
                if progress:
                    progress(i, len(sessions), f"{i} of {len(sessions)} sessions")
            manifest = {"format": 1, "kind": "bulk", "sessions": len(sessions), "files": files,
                        "exported_at": datetime.datetime.utcnow().isoformat() + "Z"}
            from engine.signing import files_digest, tip_message
            from webapp.signing import signer
            manifest["signing_key"] = signer().public()
            manifest["signature"] = signer().sign(
                tip_message("manifest", {"files_digest": files_digest(files)}))
            zf.writestr("manifest.json", json.dumps(manifest, indent=2))
        os.replace(out_path + ".part", out_path)
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
    return manifest


@job("export")
def build_bulk_zip(game_slug=None, since=None, until=None, user_id=None, pseudonymise=True,
                   progress=None):
    since_d = datetime.datetime.fromisoformat(since) if since else None
    until_d = datetime.datetime.fromisoformat(until) if until else None
    sessions = sessions_for_bulk(game_slug, since_d, until_d)
    name = f"bulk-{game_slug or 'all'}-{(since or 'start')[:10]}-{(until or 'now')[:10]}.zip"
    out = os.path.join(exports_dir(), f"{user_id}-{name}")
    write_bulk(out, sessions, progress, user_id, pseudonymise)
    return _finish(out, name)
