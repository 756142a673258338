"""Home page and the join-by-code form."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..models import JOIN_CODE_LENGTH, Session
from . import bp


@bp.route("/")
def index():
    """Home: join a session by code; instructors see their recent sessions."""
    sessions = []
    if current_user.is_authenticated and current_user.can_start_sessions:
        sessions = (Session.query.filter_by(owner_id=current_user.id)
                    .order_by(Session.created_at.desc()).limit(10).all())
    return render_template("main/index.html", sessions=sessions)


@bp.route("/join", methods=["GET", "POST"])
def join():
    """Find a session by its 6-character code (any case) and go to its invite page."""
    code = "".join((request.values.get("code") or "").split()).upper()
    if len(code) != JOIN_CODE_LENGTH:
        flash(f"A join code has {JOIN_CODE_LENGTH} characters.", "error")
        return redirect(url_for("main.index"))
    game_session = Session.query.filter(Session.join_code == code,
                                        Session.status != "ended").first()
    if game_session is None:
        flash(f"No open session has the code {code}.", "error")
        return redirect(url_for("main.index"))
    return redirect(url_for("sessions.invite", key=game_session.key))
