"""A user's page: the account, the sessions they started and the ones they played in."""
from flask import render_template

from ..extensions import db
from ..models import Participant, Session, User
from . import bp
from .guards import admin_required

LIMIT = 100


def joined_sessions(user):
    """(session, roles held) of the sessions the user took part in (not as their owner)."""
    rows = (db.session.query(Session, Participant)
            .join(Participant, Participant.session_id == Session.id)
            .filter(Participant.user_id == user.id, Session.owner_id != user.id)
            .order_by(Session.created_at.desc()).limit(LIMIT).all())
    return [(s, p.roles) for s, p in rows]


@bp.route("/users/<int:user_id>")
@admin_required("perm_accounts")
def user_page(user_id):
    """One user: account facts, sessions started, sessions played in."""
    user = db.get_or_404(User, user_id)
    started = (Session.query.filter_by(owner_id=user.id).order_by(Session.created_at.desc())
               .limit(LIMIT).all())
    return render_template("admin/user.html", user=user, started=started,
                           joined=joined_sessions(user))
