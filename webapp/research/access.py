"""Who may use the research panel: researchers, and admins granted research access."""
import functools

from flask import abort
from flask_login import current_user, login_required


def can_research(user):
    """True for researchers and for admins with ``perm_research``."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.kind == "researcher" or (user.kind == "admin" and bool(user.perm_research))


def research_required(view):
    """Log in first; then 403 unless the user may do research."""
    @functools.wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not can_research(current_user):
            abort(403)
        return view(*args, **kwargs)
    return wrapped
