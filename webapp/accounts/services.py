"""Create and change accounts, their access level, passwords and e-mail addresses."""
import re
import secrets

from ..extensions import db
from ..models import USER_KINDS, Game, User, clean_display_name, row_id
from .models import ACCESS_LEVELS, GameAccess

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
MAX_EMAIL = 254
PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
MIN_PASSWORD = 8
PERMISSIONS = ("perm_accounts", "perm_games", "perm_research")


class AccountError(Exception):
    """A change that is refused; the message is for people."""


def generate_password():
    """A password easy to read out and type: three groups of four characters."""
    return "-".join("".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(4))
                    for _ in range(3))


def check_username(username, exclude_id=None):
    if not USERNAME_RE.match(username or ""):
        raise AccountError(f"“{username}” is not a valid username: 2–64 letters, digits "
                           "or . _ - @, no spaces.")
    taken = User.query.filter(db.func.lower(User.username) == username.lower()).first()
    if taken is not None and taken.id != exclude_id:
        raise AccountError(f"The username “{username}” is already taken.")


def check_password(password):
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"A password needs at least {MIN_PASSWORD} characters.")


def set_email(user, text):
    """The account's e-mail address (for password reset links); empty removes it."""
    email = (text or "").strip().lower()
    if not email:
        user.email = None
        return
    if len(email) > MAX_EMAIL or not EMAIL_RE.match(email):
        raise AccountError(f"“{email[:80]}” is not an e-mail address.")
    taken = User.query.filter(User.email == email).first()
    if taken is not None and taken.id != user.id:
        raise AccountError(f"The address {email} belongs to another account.")
    user.email = email


def change_own_password(user, current, password, repeated):
    """A new password chosen by the account's owner (``current`` None: by a reset link)."""
    if current is not None and not user.check_password(current):
        raise AccountError("Your current password is not right.")
    if password != repeated:
        raise AccountError("The two new passwords differ.")
    check_password(password)
    user.set_password(password)
    db.session.commit()


def revoke_access_tokens(user):
    """Revoke the account's API tokens (it lost access; they never come back)."""
    from ..research.models import ApiToken
    from ..models import utcnow
    for row in ApiToken.query.filter_by(user_id=user.id, revoked_at=None):
        row.revoked_at = utcnow()


def apply_fields(user, form, actor):
    """Display name, kind and admin permissions from a form (refusing self-lockout)."""
    name = clean_display_name(form.get("display_name", ""))
    kind = form.get("kind", "")
    if not name:
        raise AccountError("Please enter a display name.")
    if kind not in USER_KINDS:
        raise AccountError(f"Unknown account type {kind!r}.")
    perms = {p: kind == "admin" and form.get(p) in ("on", "1", "true") for p in PERMISSIONS}
    if actor is not None and user.id == actor.id and not (kind == "admin"
                                                          and perms["perm_accounts"]):
        raise AccountError("You cannot take away your own right to manage accounts.")
    user.display_name, user.kind = name, kind
    for perm, value in perms.items():
        setattr(user, perm, value)


def set_access(user, level, game_ids=()):
    """The account's game access level (and its game list for ``custom``)."""
    if level not in ACCESS_LEVELS:
        raise AccountError(f"Unknown access level {level!r}.")
    ids = {row_id(i) for i in game_ids} if level == "custom" else set()
    known = {g.id for g in Game.query.filter(Game.id.in_(ids - {None}))} if ids else set()
    if ids - known:
        raise AccountError("One of the chosen games does not exist.")
    row = db.session.get(GameAccess, user.id) if user.id else None
    if row is None:
        row = GameAccess(user_id=user.id)
        db.session.add(row)
    row.level, row.game_ids = level, sorted(ids)


def create_account(form, actor):
    """A new account from the form; returns (user, generated password or None)."""
    username = (form.get("username") or "").strip()
    check_username(username)
    password = form.get("password") or ""
    generated = None
    if not password:
        password = generated = generate_password()
    check_password(password)
    user = User(username=username)
    apply_fields(user, form, actor)
    set_email(user, form.get("email", ""))
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    set_access(user, form.get("access_level", "published"), form.getlist("games"))
    db.session.commit()
    return user, generated


def update_account(user, form, actor):
    username = (form.get("username") or "").strip()
    check_username(username, exclude_id=user.id)
    user.username = username
    from ..research.access import can_research
    could_research = can_research(user)
    apply_fields(user, form, actor)
    set_email(user, form.get("email", ""))
    if could_research and not can_research(user):
        revoke_access_tokens(user)
    set_access(user, form.get("access_level", "published"), form.getlist("games"))
    db.session.commit()


def set_active(user, active, actor):
    if user.id == actor.id and not active:
        raise AccountError("You cannot deactivate your own account.")
    # Either way, cookies and API tokens issued before do not come back to life.
    user.active = bool(active)
    user.end_sessions()
    revoke_access_tokens(user)
    db.session.commit()


def reset_password(user, password=""):
    """Set a new password (generated if empty); returns the generated one, else None."""
    generated = None if password else generate_password()
    check_password(password or generated)
    user.set_password(password or generated)
    db.session.commit()
    return generated
