"""API tokens: created (the secret shown once), listed, regenerated, revoked, checked."""
from ..extensions import db
from ..models import hash_token, utcnow
from .access import can_research
from .models import ApiToken

NAME_MAX = 80


class TokenError(ValueError):
    """A token request that cannot be done; the message is for people."""


def create_token(user, name):
    """A new token for ``user``; returns (row, secret)."""
    name = " ".join((name or "").split())
    if not name:
        raise TokenError("Give the token a name, e.g. the script that will use it.")
    if len(name) > NAME_MAX:
        raise TokenError(f"A token name can have at most {NAME_MAX} characters.")
    row = ApiToken(user_id=user.id, name=name)
    secret = row.issue()
    db.session.add(row)
    db.session.commit()
    return row, secret


def tokens_of(user):
    return ApiToken.query.filter_by(user_id=user.id).order_by(ApiToken.created_at.desc()).all()


def own_token(user, token_id):
    row = db.session.get(ApiToken, token_id)
    return row if row is not None and row.user_id == user.id else None


def regenerate(row):
    """A new secret for an active token; the old one stops working at once."""
    if not row.active:
        raise TokenError("A revoked token cannot be regenerated; create a new one.")
    secret = row.issue()
    row.created_at, row.last_used_at = utcnow(), None
    db.session.commit()
    return secret


def revoke(row):
    if row.active:
        row.revoked_at = utcnow()
        db.session.commit()


def user_for_secret(secret):
    """The researcher owning an active token with this secret, or None."""
    if not secret:
        return None
    row = ApiToken.query.filter_by(token_hash=hash_token(secret)).first()
    if row is None or not row.active or not can_research(row.user):
        return None
    row.last_used_at = utcnow()
    db.session.commit()
    return row.user
