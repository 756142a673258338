"""A game's page: its versions, recent sessions and how its play-throughs ended."""
import statistics

from ..extensions import db
from ..models import GameVersion, PlayThroughRecord, Session

RECENT = 10


def sessions_of_game(game):
    return (Session.query.join(GameVersion, Session.game_version_id == GameVersion.id)
            .filter(GameVersion.game_id == game.id, Session.debug.is_(False)))


def recent_sessions(game, user):
    """The latest sessions of the game: all of them for admins and researchers, an
    instructor's own for an instructor, none for anyone else."""
    from ..jobs.access import is_researcher
    query = sessions_of_game(game)
    if not (user.is_authenticated and (user.is_admin or is_researcher(user))):
        if not (user.is_authenticated and user.can_start_sessions):
            return []
        query = query.filter(Session.owner_id == user.id)
    return query.order_by(Session.created_at.desc()).limit(RECENT).all()


def outcome_stats(game):
    """Counts of play-throughs by outcome, and the median moves and minutes of ended ones."""
    from ..research.charts import outcome_category
    ids = sessions_of_game(game).with_entities(Session.id).order_by(None)
    records = PlayThroughRecord.query.filter(PlayThroughRecord.session_id.in_(ids)).all()
    counts = {}
    for record in records:
        key = outcome_category(record)
        counts[key] = counts.get(key, 0) + 1
    ended = [r for r in records if r.status == "ended"]
    minutes = [max(0.0, (r.ended_at - r.started_at).total_seconds() / 60) for r in ended
               if r.ended_at and r.started_at]
    return {"playthroughs": len(records),
            "sessions": sessions_of_game(game).count(),
            "outcomes": sorted(counts.items(), key=lambda kv: -kv[1]),
            "median_moves": statistics.median([r.steps for r in ended]) if ended else None,
            "median_minutes": round(statistics.median(minutes), 1) if minutes else None}


def version_rows(game):
    """Every version, newest first, with its state (live, in development, older)."""
    from ..install.models import GameInstall
    live = game.live_version
    pending = {v.id for v in game.pending_versions}
    installs = {i.game_version_id: i for i in GameInstall.query.filter(
        GameInstall.game_version_id.in_([v.id for v in game.versions]))} if game.versions else {}
    rows = []
    for version in reversed(game.versions):
        state = "live" if version is live else "in development" if version.id in pending \
            else "older"
        rows.append({"version": version, "state": state, "install": installs.get(version.id),
                     "sessions": db.session.query(Session.id).filter_by(
                         game_version_id=version.id).count()})
    return rows
