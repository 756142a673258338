"""The game catalog: list, details, game assets, starting a session."""
from flask import Blueprint

bp = Blueprint("catalog", __name__, url_prefix="/games")
