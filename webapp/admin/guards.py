"""Role checks for admin and instructor pages: 302 to log in, 403 for the wrong account."""
import functools

from flask import abort
from flask_login import current_user, login_required


def admin_required(permission=None):
    """Only admins (with ``permission``, e.g. ``"perm_games"``, if given)."""
    def decorate(view):
        @functools.wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.is_admin or (permission and not getattr(current_user,
                                                                        permission)):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorate


def starter_required(view):
    """Only accounts that start sessions (instructors and admins)."""
    @functools.wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.can_start_sessions:
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def installer_required(view):
    """Game admins, and instructors installing their own games."""
    @functools.wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not (current_user.kind == "instructor"
                or (current_user.is_admin and current_user.perm_games)):
            abort(403)
        return view(*args, **kwargs)
    return wrapped
