"""Who may export, validate or manage which sessions and jobs."""
from flask import abort
from flask_login import current_user


def is_researcher(user):
    return user.is_authenticated and (user.kind == "researcher"
                                      or (user.kind == "admin" and user.perm_research))


def may_study(game_session):
    """Owner, admins and researchers may export and validate a session."""
    user = current_user
    if not user.is_authenticated:
        return False
    return user.id == game_session.owner_id or user.is_admin or is_researcher(user)


def require_study(game_session):
    if not may_study(game_session):
        abort(403)


def require_admin():
    if not (current_user.is_authenticated and current_user.is_admin):
        abort(403)


def may_see_job(record):
    user = current_user
    return user.is_authenticated and (user.is_admin or record.user_id == user.id)
