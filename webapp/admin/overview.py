"""Queries behind the dashboard and the session lists (SQL stays out of templates)."""
import datetime

from flask import current_app
from sqlalchemy import func

from ..extensions import db
from ..install.models import GameInstall
from ..models import SESSION_STATUSES, Game, PlayThroughRecord, Session, User


def counts():
    by_status = dict(db.session.query(Session.status, func.count(Session.id))
                     .group_by(Session.status).all())
    return {"users": User.query.count(), "active_users": User.query.filter_by(active=True)
            .count(), "games": Game.query.count(),
            "sessions": {s: by_status.get(s, 0) for s in SESSION_STATUSES},
            "playthroughs": PlayThroughRecord.query.count()}


def recent_installs(limit=10):
    return GameInstall.query.order_by(GameInstall.installed_at.desc()).limit(limit).all()


def last_move_time(game_session):
    """UTC time of the last recorded move of the live play-through, if any."""
    live = current_app.extensions["live"].live(game_session.key)
    if live is None or not live.pt.moves:
        return None
    stamp = live.pt.moves[-1].get("t")
    try:
        return datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00")) if stamp else None
    except ValueError:
        return None


def session_row(game_session):
    """What the session tables show about one session."""
    people = [p for p in game_session.participants if p.kind != "bot"]
    live = current_app.extensions["live"].live(game_session.key)
    connected = current_app.extensions["live"].connected_ids(game_session.key)
    record = game_session.current_playthrough
    return {"session": game_session, "people": len(people),
            "bots": len(game_session.participants) - len(people),
            "connected": len([p for p in people if p.id in connected]),
            "playthroughs": len(game_session.playthroughs),
            "step": live.pt.k if live is not None else (record.steps if record else 0),
            "last_move": last_move_time(game_session)}


def live_sessions():
    found = (Session.query.filter(Session.status != "ended")
             .order_by(Session.created_at.desc()).limit(100).all())
    return [session_row(s) for s in found]


def sessions_of(owner=None, limit=200):
    query = Session.query.order_by(Session.created_at.desc())
    if owner is not None:
        query = query.filter_by(owner_id=owner.id)
    return [session_row(s) for s in query.limit(limit).all()]

