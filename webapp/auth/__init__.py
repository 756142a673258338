"""Accounts and guests: log in, log out, guest identities, seat tokens."""
from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")
