"""Game pages: the list with lifecycle buttons, and installing a game from a ZIP."""
import pathlib
import tempfile

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..install import lifecycle, services
from ..models import Game, GameVersion
from . import bp
from .guards import admin_required, installer_required

MAX_UPLOAD_BYTES = 60 * 1024 ** 2


@bp.route("/games/")
@admin_required("perm_games")
def games():
    """Every game with its status, versions and lifecycle buttons."""
    found = Game.query.order_by(Game.name).all()
    return render_template("admin/games.html", games=found,
                           moves={g.id: lifecycle.allowed_moves(g) for g in found},
                           history={g.id: lifecycle.history(g) for g in found},
                           action_names=lifecycle.ACTION_NAMES)


@bp.route("/games/<slug>/status", methods=["POST"])
@admin_required("perm_games")
def game_status(slug):
    """Move a game one lifecycle step (dev → beta → published → deprecated, or back)."""
    game = Game.query.filter_by(slug=slug).first_or_404()
    try:
        lifecycle.set_status(game, request.form.get("status", ""), current_user)
        flash(f"{game.name} is now {game.status}.", "info")
    except lifecycle.LifecycleError as exc:
        flash(str(exc), "error")
    return redirect(url_for("admin.games"))


@bp.route("/games/<slug>/versions/<version>/promote", methods=["POST"])
@admin_required("perm_games")
def promote_version(slug, version):
    """Make a pending version the one new sessions start with (logged)."""
    row = GameVersion.query.filter_by(version_hash=version).first_or_404()
    if row.game.slug != slug:
        abort(404)
    try:
        lifecycle.promote(row, current_user)
        flash(f"{row.game.name}: version {version[:12]} is live; new sessions start with it, "
              "running ones keep theirs.", "info")
    except lifecycle.LifecycleError as exc:
        flash(str(exc), "error")
    return redirect(request.form.get("back") or url_for("admin.games"))


@bp.route("/games/install", methods=["GET", "POST"])
@installer_required
def install():
    """Upload a game ZIP; it is unpacked and checked before anything is installed."""
    if request.method == "GET":
        return render_template("admin/install_upload.html", error=None)
    upload = request.files.get("archive")
    if upload is None or not upload.filename:
        return render_template("admin/install_upload.html",
                               error="Please choose a ZIP file."), 400
    with tempfile.TemporaryDirectory(prefix="szupload-") as folder:
        path = pathlib.Path(folder) / "upload.zip"
        upload.save(path)
        if path.stat().st_size > MAX_UPLOAD_BYTES:
            return render_template("admin/install_upload.html",
                                   error="The ZIP is larger than 60 MB."), 400
        try:
            token, review = services.stage_zip(path, upload.filename, current_user)
        except services.InstallError as exc:
            return render_template("admin/install_upload.html", error=str(exc)), 400
    if token is None:
        return render_template("admin/install_review.html", review=review), 422
    return redirect(url_for("admin.install_review", token=token))


@bp.route("/games/install/<token>")
@installer_required
def install_review(token):
    """The check's result: metadata, roles, operators, the check table; confirm or cancel
    (only by the account that uploaded it)."""
    review = services.staged(token, current_user) or abort(404)
    return render_template("admin/install_review.html", review=review)


@bp.route("/games/install/<token>/confirm", methods=["POST"])
@installer_required
def install_confirm(token):
    """Install the checked version (a new game starts in development)."""
    try:
        version = services.confirm(token, current_user,
                                   install_as=request.form.get("install_as"),
                                   new_slug=request.form.get("new_slug"))
    except services.InstallError as exc:
        flash(str(exc), "error")
        if services.staged(token, current_user) is not None:
            return redirect(url_for("admin.install_review", token=token))
        return redirect(url_for("admin.install"))
    waiting = version.promoted_at is None
    what = ("as a new version of the game" if request.form.get("install_as") ==
            services.AS_VERSION else f"as a new game “{version.game.slug}”"
            if request.form.get("install_as") == services.AS_NEW_GAME else "")
    flash(f"{version.game.name} version {version.version_hash[:12]} is installed {what} "
          f"({version.game.status})" + ("; it stays in development (debug play and you) until "
                                        "a game admin promotes it." if waiting else "."), "info")
    if not current_user.is_admin:
        return redirect(url_for("catalog.detail", slug=version.game.slug))
    return redirect(url_for("admin.games"))


@bp.route("/games/install/<token>/cancel", methods=["POST"])
@installer_required
def install_cancel(token):
    """Throw a checked upload away (only the account that uploaded it)."""
    if not services.discard(token, current_user):
        abort(404)
    flash("The upload was discarded.", "info")
    return redirect(url_for("admin.games" if current_user.is_admin else "admin.install"))
