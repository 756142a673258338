"""Research panel: sessions, play-through viewer, notes, artifacts, charts, API tokens."""
from flask import Blueprint

bp = Blueprint("research", __name__, url_prefix="/research")
