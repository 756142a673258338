"""Checking a username and password in the same time whether or not the account exists."""
import secrets

from werkzeug.security import check_password_hash, generate_password_hash

from ..models import User

_dummy = {}


def dummy_hash():
    """A hash made the way real ones are, of a password nobody knows (made once)."""
    if "hash" not in _dummy:
        _dummy["hash"] = generate_password_hash(secrets.token_urlsafe(16))
    return _dummy["hash"]


def authenticate(username, password):
    """The active account with this username and password, else None.

    An unknown or deactivated account costs one password hash too, so the time
    of an answer says nothing about which usernames exist.
    """
    user = User.query.filter_by(username=(username or "").strip()).first()
    if user is None:
        check_password_hash(dummy_hash(), password or "")
        return None
    if not user.check_password(password or "") or not user.active:
        return None
    return user
