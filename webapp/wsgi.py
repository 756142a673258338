"""WSGI entry point for gunicorn: ``webapp.wsgi:app``."""
import logging
import os

from . import create_app

logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO").upper(),
                    format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
app = create_app()
