"""Background jobs seen from the web: enqueue by name, show progress, download results."""
from flask import Blueprint

bp = Blueprint("jobs", __name__)
