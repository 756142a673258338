"""Lobby options, rematch, and debug sessions (create from a game, purge as admin)."""
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from ..live import changes, hub
from ..models import Game
from . import bp
from .options import (create_debug_session, may_debug, purge_debug_sessions, set_active_roles,
                      start_rematch)
from .routes import find_session, is_owner, owner_action
from .seats import LobbyError


@bp.route("/<key>/options", methods=["POST"])
def options(key):
    """The owner ticks which seated roles play (passed to the game as active_roles)."""
    roles = request.form.getlist("active_roles", type=int)
    return owner_action(key, lambda s: set_active_roles(s, roles))


@bp.route("/<key>/rematch", methods=["POST"])
def rematch(key):
    """After the end, a new play-through with the same seats; every page follows."""
    game_session = find_session(key)
    if not is_owner(game_session):
        abort(403)
    try:
        live = start_rematch(game_session, rotate=bool(request.form.get("rotate")))
    except LobbyError as exc:
        if request.headers.get("HX-Request"):
            return hub.flash_fragment(str(exc)), 200
        flash(str(exc), "error")
        return redirect(url_for("play.game", key=key))
    changes.after_change(live)
    if request.headers.get("HX-Request"):
        return "", 204
    return redirect(url_for("play.game", key=key))


@bp.route("/debug/<slug>", methods=["POST"])
@login_required
def debug_play(slug):
    """A debug session of any game status, the author seated in every role."""
    game = Game.query.filter_by(slug=slug).first_or_404()
    if not may_debug(current_user, game):
        abort(403)
    try:
        game_session = create_debug_session(current_user, game)
    except LobbyError as exc:
        flash(str(exc), "error")
        return redirect(url_for("main.index"))
    return redirect(url_for("sessions.lobby", key=game_session.key))


@bp.route("/debug/purge", methods=["POST"])
@login_required
def purge_debug():
    """Delete every debug session and its data (admins only)."""
    if not current_user.is_admin:
        abort(403)
    count = purge_debug_sessions()
    flash(f"Deleted {count} debug session{'s' if count != 1 else ''} and their data.", "info")
    return redirect(request.referrer or url_for("main.index"))


@bp.app_template_global("may_debug_game")
def may_debug_game(game):
    """For templates: may the current user start a debug session of ``game``?"""
    return may_debug(current_user, game)
