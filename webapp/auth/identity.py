"""Who is this browser: account or guest, and which seats it holds (via the cookie)."""
import secrets

from flask import session as cookie
from flask_login import current_user

from ..models import Participant, hash_token

MAX_REMEMBERED_SEATS = 20


def guest_id():
    return cookie.get("guest_id")


def guest_name():
    return cookie.get("guest_name", "")


def become_guest(display_name):
    """Give this browser a guest identity (kept in the signed session cookie)."""
    if not cookie.get("guest_id"):
        cookie["guest_id"] = secrets.token_urlsafe(18)
    cookie["guest_name"] = display_name
    return cookie["guest_id"]


def remember_seat(session_key, token):
    """Keep a seat token in the signed, HttpOnly cookie (the database has only its hash)."""
    seats = dict(cookie.get("seats") or {})
    seats.pop(session_key, None)
    seats[session_key] = token
    while len(seats) > MAX_REMEMBERED_SEATS:
        seats.pop(next(iter(seats)))
    cookie["seats"] = seats


def seat_token(session_key):
    return (cookie.get("seats") or {}).get(session_key)


def owns_identity(participant):
    """True if the participant belongs to this browser's account or guest identity."""
    if participant.user_id is not None:
        return current_user.is_authenticated and participant.user_id == current_user.id
    return participant.guest_id is not None and participant.guest_id == guest_id()


def current_participant(game_session):
    """This browser's participant in ``game_session`` (cookie identity + seat token), or None."""
    token = seat_token(game_session.key)
    participant = Participant.query.filter_by(session_id=game_session.id,
                                              token_hash=hash_token(token)).first() \
        if token else None
    if participant is None or not owns_identity(participant):
        return owner_participant(game_session)
    return participant


def owner_participant(game_session):
    """The owner's own row, found by login, so the owner can watch from any browser."""
    if not (current_user.is_authenticated and current_user.id == game_session.owner_id):
        return None
    return (Participant.query.filter_by(session_id=game_session.id, user_id=current_user.id)
            .order_by(Participant.id).first())
