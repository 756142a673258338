"""Rows as JSON-ready dictionaries, in the shapes the OpenAPI document describes."""
from ..research import describe
from ..research.replays import validation_class


def iso(moment):
    return moment.isoformat() + "Z" if moment is not None else None


def session_summary(game_session):
    version = game_session.game_version
    return {
        "key": game_session.key, "status": game_session.status,
        "game": {"slug": version.game.slug, "name": version.game.name},
        "game_version": version.version_hash,
        "owner": {"username": game_session.owner.username,
                  "display_name": game_session.owner.display_name},
        "created_at": iso(game_session.created_at),
        "playthrough_count": len(game_session.playthroughs),
    }


def session_detail(game_session):
    names = describe.role_names(game_session)
    out = session_summary(game_session)
    out["options"] = dict(game_session.options or {})
    out["seats"] = [{"name": p.display_name, "kind": p.kind, "bot_strategy": p.bot_strategy,
                     "roles": [{"num": r, "name": names.get(r, f"role {r}")} for r in p.roles]}
                    for p in game_session.participants]
    out["playthroughs"] = [playthrough(r) for r in game_session.playthroughs]
    return out


def playthrough(record):
    from ..verdicts import current_status
    return {
        "id": record.id, "session_key": record.session.key, "number": record.number,
        "status": record.status, "end_reason": record.end_reason, "steps": record.steps,
        "outcome": dict(record.outcome) if record.outcome else None,
        "started_at": iso(record.started_at), "ended_at": iso(record.ended_at),
        "duration_seconds": describe.duration_seconds(record),
        "seed": record.seed, "game_version": record.game_version_hash,
        "validation_status": current_status(record)[0],
        "validation_class": validation_class(record),
    }


def export_job(job):
    return {
        "id": str(job.id), "kind": job.kind, "status": job.status,
        "progress": job.progress, "session_id": job.session_id,
        "playthrough_id": job.playthrough_id, "created_at": iso(job.created_at),
        "page_url": f"/jobs/{job.id}",
    }
