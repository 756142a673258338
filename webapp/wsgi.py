"""WSGI entry point for gunicorn: ``webapp.wsgi:app``."""
from . import create_app

app = create_app()
