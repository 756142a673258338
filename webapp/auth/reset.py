"""Password reset links: signed, expiring, and single-use (bound to the current password)."""
import hashlib

from flask import current_app, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..extensions import db
from ..models import User
from .mail import send_later

SALT = "password-reset"


def _serializer():
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)


def fingerprint(user):
    """Changes when the password (or the session version) does: a used link is dead."""
    text = f"{user.password_hash}|{user.session_version or 0}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def reset_token(user):
    return _serializer().dumps({"u": user.id, "f": fingerprint(user)})


def user_for_token(token):
    """The active account a reset link is for, if the link is genuine, fresh and unused."""
    max_age = int(current_app.config.get("PASSWORD_RESET_SECONDS") or 3600)
    try:
        data = _serializer().loads(token or "", max_age=max_age)
    except BadSignature:        # also SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = db.session.get(User, data["u"])
    if user is None or not user.active or data.get("f") != fingerprint(user):
        return None
    return user


def find_account(text):
    """The account with this username or e-mail address (case ignored), or None."""
    text = (text or "").strip().lower()
    if not text:
        return None
    column = User.email if "@" in text else db.func.lower(User.username)
    return User.query.filter(column == text).first()


def reset_url(token):
    """The link in the message: PUBLIC_URL if set (never trust the Host header when it is)."""
    path = url_for("auth.reset_password", token=token)
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    return base.rstrip("/") + path


def send_reset_link(user):
    """E-mail a reset link to ``user`` (who has an address and an active account)."""
    minutes = int(current_app.config.get("PASSWORD_RESET_SECONDS") or 3600) // 60
    body = (f"Hello {user.display_name},\n\nsomeone (hopefully you) asked to reset the "
            f"password of the account {user.username}. To choose a new password, open\n\n"
            f"{reset_url(reset_token(user))}\n\nThe link works once, for {minutes} minutes. "
            "If you did not ask for it, ignore this message: your password stays as it is.\n")
    return send_later(user.email, "Reset your password", body)
