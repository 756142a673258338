"""The game page: the role's view, its moves, turn banner, messages, end screen."""
from flask import Blueprint

bp = Blueprint("play", __name__, url_prefix="/s")
