"""Home page and joining a session by code."""
from flask import Blueprint

bp = Blueprint("main", __name__)
