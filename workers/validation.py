"""Validation jobs: replay stored play-throughs strictly and tag them (never repair).
The replays run in game processes (``engine.gameproc``), never in the worker."""
from engine.gameproc.logs import validate_with
from engine.loader import GameSource
from engine.replay import batch_summary

from .app import job


def resolver():
    """Resolve (slug, version hash) to an installed game version's folder."""
    from webapp.models import GameVersion
    cache = {}

    def resolve(slug, version):
        if version not in cache:
            row = GameVersion.query.filter_by(version_hash=version).first()
            source = None
            if row is not None:
                try:
                    source = GameSource(row.folder, slug=slug)
                except Exception:
                    source = None
                if source is not None and source.version != version:
                    source = None   # the folder changed on disk since it was installed
            cache[version] = source
        return cache[version]
    return resolve


def validate_record(record, resolve=None, report=None):
    """Validate one play-through's log (unless its ``report`` is given) and store the
    verdict on its row."""
    from webapp.models import utcnow
    live = record.status != "ended"
    from webapp.games import pool
    if report is None:
        from webapp.signing import keyring
        report = validate_with(pool(), resolve or resolver(), record.log_path,
                               allow_open=live, keyring=keyring())
    failure = report.get("first_failure") or {}
    report["partial"] = live
    record.validation_status = report["status"]
    record.validation_class = failure.get("class")
    record.validation_report = report
    record.validated_at = utcnow()
    return report


@job("validation")
def validate_playthrough(record_id, progress=None):
    from webapp.extensions import db
    from webapp.models import PlayThroughRecord
    record = db.session.get(PlayThroughRecord, record_id)
    report = validate_record(record)
    db.session.commit()
    return {"status": report["status"]}


def validate_stored_parallel(records, jobs=None):
    """Validate many play-throughs over every core (``szportal validate-stored``): worker
    processes of their own, each with its game processes; the verdicts stored here."""
    from engine.gameproc.logs import validate_parallel
    from webapp.extensions import db
    from webapp.models import GameVersion
    versions = {v.version_hash: (v.folder, v.game.slug) for v in GameVersion.query.all()}
    reports = []
    for live in (False, True):
        group = [r for r in records if (r.status != "ended") == live]
        if not group:
            continue
        found = validate_parallel([r.log_path for r in group], versions, allow_open=live,
                                  jobs=jobs)
        from engine.log import read_lines
        from engine.replay import _signature
        from webapp.signing import keyring
        ring = keyring()
        for record, report in zip(group, found):
            try:
                report["signature"] = _signature(read_lines(record.log_path), ring)
            except OSError:
                pass
            reports.append(validate_record(record, report=report))
    db.session.commit()
    summary = batch_summary(reports)
    summary.pop("reports")
    return summary


def against_source(against):
    """The game ``--against`` names: a game folder, or the installed version whose hash
    is (or starts with) ``against``; a click error saying why not otherwise."""
    import os

    import click

    from engine.loader import GameSource
    from webapp.models import GameVersion
    if os.path.isdir(against):
        return GameSource(against)
    found = GameVersion.query.filter(GameVersion.version_hash.startswith(against)).all() \
        if against else []
    if len(found) > 1:
        raise click.BadParameter(f"{against!r} starts {len(found)} installed versions; "
                                 "give more of the hash", param_hint="--against")
    if not found:
        raise click.BadParameter(f"no game folder or installed version {against!r}",
                                 param_hint="--against")
    return GameSource(found[0].folder)


def replay_against(records, against):
    """Each record's log replayed under the game ``against`` names, in game processes;
    a batch report with the first divergent step of each log (rows are not tagged)."""
    from engine.cli import game_validator

    source = against_source(against)
    validator = game_validator(allow_open=True, against=True)
    reports = []
    for record in records:
        report = validator(record.log_path, lambda slug, version: source)
        report.update(path=record.log_path, playthrough=record.id)
        reports.append(report)
    summary = batch_summary(reports)
    summary["against"] = {"folder": str(source.folder), "version": source.version}
    return summary


def validate_many(records, progress=None, chunk=64):
    """Validate many play-throughs: their game processes trace ``chunk`` logs a call."""
    from engine.gameproc.logs import validate_many_with
    from webapp.extensions import db
    from webapp.games import pool
    resolve, reports, done = resolver(), [], 0
    for start in range(0, len(records), chunk):
        part = records[start:start + chunk]
        for live in (False, True):
            group = [r for r in part if (r.status != "ended") == live]
            if not group:
                continue
            from webapp.signing import keyring
            found = validate_many_with(pool(), resolve, [r.log_path for r in group],
                                       keyring=keyring(),
                                       allow_open=live, chunk=chunk)
            for record, report in zip(group, found):
                reports.append(validate_record(record, resolve, report))
        db.session.commit()
        done += len(part)
        if progress:
            progress(done, len(records), f"{done} of {len(records)} play-throughs")
    summary = batch_summary(reports)
    summary.pop("reports")
    return summary


@job("validation")
def validate_session(session_id, progress=None):
    from webapp.extensions import db
    from webapp.models import Session
    game_session = db.session.get(Session, session_id)
    return validate_many(list(game_session.playthroughs), progress)


@job("validation")
def validate_all(progress=None):
    from webapp.models import PlayThroughRecord
    return validate_many(PlayThroughRecord.query.order_by(PlayThroughRecord.id).all(), progress)
