"""Browser tests reuse the web app fixtures (real app, real database, live server)."""
from tests.webapp.conftest import (app, database_url, live_server, make_user,  # noqa: F401
                                   template_db)
