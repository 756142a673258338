"""Plain-language descriptions of sessions, play-throughs and log events for the pages."""
from ..models import GameVersion

OUTCOME_WORD = {"win": "won", "loss": "lost", "draw": "draw", "finished": "finished"}


def role_names(game_session):
    return {r["num"]: r["name"] for r in game_session.game.roles}


def outcome_text(record):
    """"X won, O lost" from the outcome JSON, with role names."""
    if not record.outcome:
        return ""
    names = role_names(record.session)
    return ", ".join(f"{names.get(int(r), 'role ' + str(r))} {OUTCOME_WORD.get(o, o)}"
                     for r, o in sorted(record.outcome.items()))


def seats_of(game_session):
    names = role_names(game_session)
    return [{"name": p.display_name, "kind": p.kind, "strategy": p.bot_strategy,
             "roles": [names.get(r, f"role {r}") for r in p.roles]}
            for p in game_session.participants]


def duration_seconds(record):
    if record.ended_at and record.started_at:
        return int((record.ended_at - record.started_at).total_seconds())
    return None


def version_of(record):
    return GameVersion.query.filter_by(version_hash=record.game_version_hash).first()


def participant_names(game_session):
    """Pseudonymous participant id -> display name (format 2 logs name no one)."""
    return {p.pseudonym: p.display_name for p in game_session.participants}


def actor_name(actor, names=None):
    """A recorded actor's display name: format 1 logged it, format 2 logs an id."""
    if not actor:
        return ""
    if "participant" in actor:
        if actor.get("kind") == "host":
            return "host"
        pid = actor.get("participant")
        return (names or {}).get(pid) or str(pid or "?")
    return actor.get("name") or "?"


def actor_text(actor, names=None):
    if not actor:
        return ""
    return f"{actor_name(actor, names)} ({actor.get('kind')}, role {actor.get('role')})"


def event_summary(event, role_name, names=None):
    """One line describing a log event in the event list."""
    kind = event.get("type")
    if kind == "move":
        who = "host" if event.get("bookkeeping") else actor_name(event.get("actor"), names)
        args = f" {event['args']}" if event.get("args") else ""
        return (f"step {event.get('k')}: {role_name(event['actor'].get('role'))} ({who}) "
                f"{event.get('op_name')}{args}")
    if kind == "undo":
        return f"undo back to step {event.get('k')}"
    if kind == "playthrough_started":
        return "play-through started"
    if kind == "playthrough_ended":
        return f"play-through ended ({event.get('reason')})"
    if kind == "goal_reached":
        return f"goal reached: {event.get('message')}"
    if kind == "artifact_saved":
        return f"saved {event.get('name')} v{event.get('version')}"
    return kind.replace("_", " ")
