"""Log in and log out."""
from urllib.parse import urlsplit

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db
from . import bp
from .credentials import authenticate
from .mail import mail_enabled
from .throttle import login_attempt, remember_device


def safe_next(target):
    """Only same-site paths are followed after login."""
    if not target or urlsplit(target).netloc or not target.startswith("/") \
            or target.startswith("//"):
        return url_for("main.index")
    return target


def login_page(username, status=200, headers=None):
    return (render_template("auth/login.html", username=username, can_reset=mail_enabled()),
            status, headers or {})


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form and log the user in (attempts are throttled)."""
    if request.method != "POST":
        return login_page("")
    username = request.form.get("username", "").strip()
    wait = login_attempt(username)
    if wait is not None:
        flash(f"Too many login attempts. Please wait {wait} seconds and try again.", "error")
        return login_page(username, 429, {"Retry-After": str(wait)})
    user = authenticate(username, request.form.get("password", ""))
    if user is None:
        flash("Wrong username or password.", "error")
        return login_page(username, 401)
    login_user(user)
    return remember_device(make_response(redirect(safe_next(request.args.get("next")))),
                           user.username)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Log out and go home; every login cookie of the account stops working."""
    current_user.end_sessions()
    db.session.commit()
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("main.index"))


from . import account_routes  # noqa: E402,F401
