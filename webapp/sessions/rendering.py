"""Render the lobby's live regions (the same partials for page loads and pushes)."""
from flask import render_template, url_for

from ..models import BOT_STRATEGIES
from .options import excluded_roles, shows_role_options
from .seats import filled_roles, minimum_status


def lobby_context(game_session, viewer_id, is_owner, connected):
    roles = game_session.game.roles
    viewer = next((p for p in game_session.participants if p.id == viewer_id), None)
    return {
        "viewer_roles": list(viewer.roles) if viewer is not None else [],
        "game_session": game_session, "participants": game_session.participants,
        "roles": roles, "role_names": {r["num"]: r["name"] for r in roles},
        "minimum": minimum_status(game_session), "is_owner": is_owner,
        "viewer_id": viewer_id, "connected": connected, "strategies": BOT_STRATEGIES,
        "invite_url": url_for("sessions.invite", key=game_session.key, _external=True),
        "role_options": shows_role_options(game_session),
        "seated_roles": filled_roles(game_session), "excluded": excluded_roles(game_session),
        "empty_roles": [r for r in roles if not r["observer"]
                        and r["num"] not in filled_roles(game_session)],
    }


def lobby_regions(game_session, viewer_id, is_owner, connected, oob=True):
    """Lobby status and participant list as this viewer sees them."""
    return render_template("sessions/partials/_lobby_regions.html", oob=oob,
                           **lobby_context(game_session, viewer_id, is_owner, connected))
