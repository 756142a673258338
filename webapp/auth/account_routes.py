"""An account's own page (password, e-mail address), and password reset by e-mail."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user

from ..accounts.services import AccountError, change_own_password, set_email
from ..extensions import db
from . import bp
from .mail import mail_enabled
from .reset import find_account, send_reset_link, user_for_token
from .throttle import login_attempt


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Change your own password or e-mail address."""
    if request.method == "POST":
        try:
            if request.form.get("action") == "password":
                change_own_password(current_user, request.form.get("current", ""),
                                    request.form.get("password", ""),
                                    request.form.get("password2", ""))
                login_user(current_user._get_current_object())   # a new cookie, this one
                flash("Your password was changed; other browsers are logged out.", "info")
            else:
                set_email(current_user, request.form.get("email", ""))
                db.session.commit()
                flash("Your e-mail address was saved.", "info")
        except AccountError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return render_template("auth/account.html", mail=mail_enabled()), 400
        return redirect(url_for("auth.account"))
    return render_template("auth/account.html", mail=mail_enabled())


@bp.route("/forgot", methods=["GET", "POST"])
def forgot_password():
    """Ask for a password reset link by e-mail (only when the portal can send mail)."""
    if not mail_enabled():
        abort(404)
    if request.method == "GET":
        return render_template("auth/forgot.html")
    ident = request.form.get("account", "").strip()[:254]
    wait = login_attempt("reset:" + ident)
    if wait is not None:
        flash(f"Too many requests. Please wait {wait} seconds and try again.", "error")
        return render_template("auth/forgot.html"), 429, {"Retry-After": str(wait)}
    user = find_account(ident)
    if user is not None and user.active and user.email:
        send_reset_link(user)
    # The same answer whether or not the account exists or has an address.
    flash("If that account has an e-mail address, a reset link is on its way. "
          "It works once, for a limited time.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    """Choose a new password through a reset link."""
    user = user_for_token(token)
    if user is None:
        return render_template("auth/reset.html", valid=False), 400
    if request.method == "POST":
        try:
            change_own_password(user, None, request.form.get("password", ""),
                                request.form.get("password2", ""))
        except AccountError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return render_template("auth/reset.html", valid=True, user=user), 400
        flash("Your password was changed. Log in with it now.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", valid=True, user=user)
