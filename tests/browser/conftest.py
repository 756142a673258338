"""Browser tests reuse the web app fixtures (real app, real database, live server)."""
from tests.webapp.conftest import app, live_server, make_user, template_db  # noqa: F401
