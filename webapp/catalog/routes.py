"""Catalog pages, game assets, and the button that starts a session."""
import pathlib

from flask import (Response, abort, flash, redirect, render_template, request,
                   send_from_directory, url_for)
from flask_login import current_user, login_required

from ..accounts.access import can_access_game, installed_by, is_game_admin, refusal_message
from ..models import GAME_STATUSES, Game, GameVersion
from ..sessions.seats import create_session
from . import bp, editing, listing, pictures, stats
from .versions import version_for

ASSET_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".css", ".txt",
                  ".mp3", ".ogg", ".wav", ".woff", ".woff2", ".json"}


def visible_games():
    """Games this user may see; deprecated ones are listed for game admins only."""
    admin = is_game_admin(current_user)
    return [g for g in Game.query.order_by(Game.name)
            if can_access_game(current_user, g) and (admin or g.status != "deprecated")]


@bp.route("/")
def index():
    """The games this user may see, with pictures and player counts; search and filters."""
    admin = is_game_admin(current_user)
    try:
        filters = listing.parse(request.args, admin)
    except listing.ListingError as exc:
        flash(str(exc), "error")
        return redirect(url_for("catalog.index"))
    everything = visible_games()
    return render_template("catalog/index.html", games=listing.listed(everything, filters),
                           total=len(everything), filters=filters, admin=admin,
                           statuses=GAME_STATUSES, players_text=listing.players_text)


def visible_game(slug):
    game = Game.query.filter_by(slug=slug).first_or_404()
    if not can_access_game(current_user, game):
        abort(404, refusal_message(game))
    return game


@bp.route("/<slug>")
def detail(slug):
    """A game's page: picture, description, roles, player counts, versions, recent
    sessions and outcomes; its name, description and player counts edited here."""
    game = visible_game(slug)
    staff = current_user.is_authenticated and current_user.kind != "student"
    author = is_game_admin(current_user) or installed_by(current_user, game)
    return render_template(
        "catalog/detail.html", game=game, players_text=listing.players_text,
        player_range=listing.player_range(game), may_edit=is_game_admin(current_user),
        versions=stats.version_rows(game) if author else [],
        recent=stats.recent_sessions(game, current_user),
        outcomes=stats.outcome_stats(game) if staff else None)


@bp.route("/<slug>/picture")
def picture(slug):
    """The game's picture: declared thumbnail, first image of its folder, or initials."""
    game = visible_game(slug)
    version = version_for(current_user, game)
    found = pictures.picture_file(version) if version is not None else None
    if found is None:
        return Response(pictures.generated_svg(game), mimetype="image/svg+xml",
                        headers={"Cache-Control": "public, max-age=3600"})
    return send_from_directory(found[0], found[1], max_age=3600)


@bp.route("/<slug>/edit", methods=["POST"])
@login_required
def edit(slug):
    """Game admins change the name, description and player counts (a new metadata
    version, logged in the game's history)."""
    if not is_game_admin(current_user):
        abort(403)
    game = visible_game(slug)
    try:
        row = editing.edit_metadata(game, request.form, current_user)
        flash(f"Saved as metadata version {row.number}.", "info")
    except editing.EditError as exc:
        flash(str(exc), "error")
    return redirect(url_for("catalog.detail", slug=slug))


@bp.route("/<slug>/start", methods=["POST"])
@login_required
def start(slug):
    """Create a session of this game in its lobby (instructors and admins)."""
    if not current_user.can_start_sessions:
        abort(403)
    game = Game.query.filter_by(slug=slug).first_or_404()
    if not can_access_game(current_user, game):
        abort(403, refusal_message(game))
    version = version_for(current_user, game)
    if version is None:
        abort(404)
    if game.status == "deprecated":
        abort(403, "This game is deprecated: it starts no new sessions.")
    game_session = create_session(current_user, version)
    return redirect(url_for("sessions.lobby", key=game_session.key))


@bp.route("/<slug>/<version>/assets/<path:filename>")
def asset(slug, version, filename):
    """Serve a game's image and media files, read-only, never leaving its folder."""
    row = GameVersion.query.filter_by(version_hash=version).first_or_404()
    if row.game.slug != slug or pathlib.PurePosixPath(filename).suffix.lower() \
            not in ASSET_SUFFIXES:
        abort(404)
    if not (can_access_game(current_user, row.game) or plays_version(row)):
        abort(404)
    return send_from_directory(row.folder, filename, max_age=3600)


def plays_version(version):
    """Is this browser (account or guest) in a session of ``version``?  Players of a
    game their account could not open (a guest in a beta game) still get its pictures."""
    from ..auth.identity import guest_id
    from ..models import Participant, Session
    query = Participant.query.join(Session).filter(Session.game_version_id == version.id)
    if current_user.is_authenticated:
        return query.filter(Participant.user_id == current_user.id).first() is not None
    guest = guest_id()
    return bool(guest) and query.filter(Participant.guest_id == guest).first() is not None
