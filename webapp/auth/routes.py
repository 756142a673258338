"""Log in and log out."""
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user

from ..models import User
from . import bp


def safe_next(target):
    """Only same-site paths are followed after login."""
    if not target or urlsplit(target).netloc or not target.startswith("/") \
            or target.startswith("//"):
        return url_for("main.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form and log the user in."""
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        user = User.query.filter_by(username=username).first()
        if user is None or not user.active or not user.check_password(
                request.form.get("password", "")):
            flash("Wrong username or password.", "error")
            return render_template("auth/login.html", username=username), 401
        login_user(user)
        return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", username="")


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Log out and go home."""
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("main.index"))
