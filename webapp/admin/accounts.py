"""Account pages: list and search, create, edit, deactivate, reset password, CSV import."""
import os
import uuid

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_user

from ..accounts.access import access_of
from ..accounts.models import ACCESS_LEVELS
from ..accounts.imports import MAX_CSV_BYTES, CsvRefused, decode, parse_students_csv, save_rows
from ..accounts.services import (AccountError, create_account, reset_password, set_active,
                                 update_account)
from ..jobs.queue import JobsUnavailable, enqueue
from ..extensions import db
from ..models import USER_KINDS, Game, User
from . import bp
from .guards import admin_required

PAGE_SIZE = 200


def find_user(user_id):
    return db.session.get(User, user_id) or abort(404)


def form_page(user, status=200, form=None):
    level, game_ids = access_of(user) if user is not None and user.id else ("published", set())
    if form is not None:
        level = form.get("access_level", level)
        game_ids = {int(g) for g in form.getlist("games") if g.isdigit()}
    page = render_template("admin/account_form.html", user=user, kinds=USER_KINDS,
                           levels=ACCESS_LEVELS, level=level, game_ids=game_ids,
                           games=Game.query.order_by(Game.name).all(), form=form or {})
    return page, status


def shown_once(template, **context):
    """A page with a password on it: never cached."""
    response = make_response(render_template(template, **context))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/accounts/")
@admin_required("perm_accounts")
def accounts():
    """Accounts, searchable by username or name and filterable by type."""
    q, kind = request.args.get("q", "").strip(), request.args.get("kind", "")
    query = User.query.order_by(User.username)
    if q:
        like = f"%{q.replace('%', '').replace('_', '')}%"
        query = query.filter(db.or_(User.username.ilike(like), User.display_name.ilike(like)))
    if kind in USER_KINDS:
        query = query.filter_by(kind=kind)
    return render_template("admin/accounts.html", users=query.limit(PAGE_SIZE).all(), q=q,
                           kind=kind, kinds=USER_KINDS)


@bp.route("/accounts/new", methods=["GET", "POST"])
@admin_required("perm_accounts")
def new_account():
    """Create one account of any type."""
    if request.method == "GET":
        return form_page(None)
    try:
        user, generated = create_account(request.form, current_user)
    except (AccountError, ValueError) as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return form_page(None, 400, request.form)
    if generated:
        return shown_once("admin/password_shown.html", user=user, password=generated)
    flash(f"Account {user.username} created.", "info")
    return redirect(url_for("admin.accounts"))


@bp.route("/accounts/<int:user_id>", methods=["GET", "POST"])
@admin_required("perm_accounts")
def edit_account(user_id):
    """Change an account's name, type, permissions and game access."""
    user = find_user(user_id)
    if request.method == "GET":
        return form_page(user)
    try:
        update_account(user, request.form, current_user)
    except (AccountError, ValueError) as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return form_page(find_user(user_id), 400, request.form)
    flash(f"Account {user.username} saved.", "info")
    return redirect(url_for("admin.edit_account", user_id=user.id))


@bp.route("/accounts/<int:user_id>/active", methods=["POST"])
@admin_required("perm_accounts")
def set_account_active(user_id):
    """Deactivate (no more logins) or reactivate an account."""
    user = find_user(user_id)
    active = request.form.get("active") == "1"
    try:
        set_active(user, active, current_user)
        flash(f"Account {user.username} {'reactivated' if active else 'deactivated'}.", "info")
    except AccountError as exc:
        flash(str(exc), "error")
    return redirect(url_for("admin.edit_account", user_id=user.id))


@bp.route("/accounts/<int:user_id>/password", methods=["POST"])
@admin_required("perm_accounts")
def reset_account_password(user_id):
    """Set a new password, or generate one and show it once."""
    user = find_user(user_id)
    try:
        generated = reset_password(user, request.form.get("password", ""))
    except AccountError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.edit_account", user_id=user.id))
    if user.id == current_user.id:     # the reset ended this browser's cookie too
        login_user(user)
    if generated:
        return shown_once("admin/password_shown.html", user=user, password=generated)
    flash(f"The password of {user.username} was changed.", "info")
    return redirect(url_for("admin.edit_account", user_id=user.id))


@bp.route("/accounts/import", methods=["GET", "POST"])
@admin_required("perm_accounts")
def import_students():
    """Check a CSV file of students (username, name, password, email), then create them
    in a background job with a progress bar."""
    if request.method == "GET":
        return render_template("admin/import_students.html", errors=[])
    upload = request.files.get("csv")
    try:
        rows = parse_students_csv(decode(upload.read(MAX_CSV_BYTES + 1) if upload else b""))
    except CsvRefused as exc:
        return render_template("admin/import_students.html", errors=exc.errors), 400
    path = save_rows(rows)
    job_id = f"import-{uuid.uuid4().hex[:12]}"
    try:
        record = enqueue("import", "workers.accounts.import_students", [path], job_id,
                         "accounts", user_id=current_user.id,
                         params={"args": [path], "queue": "accounts", "rows": len(rows),
                                 "back": url_for("admin.accounts")})
    except JobsUnavailable as exc:
        os.unlink(path)
        return render_template("admin/import_students.html", errors=[
            f"Background jobs are not available ({exc}); try again later."]), 503
    return redirect(url_for("jobs.show", job_id=record.id))
