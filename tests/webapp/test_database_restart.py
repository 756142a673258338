"""When PostgreSQL drops the portal's connections (a restart, an idle timeout), the next
page is served, not an error."""
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@pytest.fixture
def postgres_app(app, databases):
    if databases.kind != "postgresql":
        pytest.skip("about PostgreSQL's connections (run with --database=postgresql)")
    return app


def drop_connections(database_url):
    """End every session of the database, as a server restart does."""
    admin = create_engine(make_url(database_url).set(database="postgres"))
    with admin.begin() as connection:
        connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = :name AND pid <> pg_backend_pid()"),
                           {"name": make_url(database_url).database})
    admin.dispose()


def test_pages_after_the_database_dropped_every_connection(postgres_app, client):
    assert client.get("/games/").status_code == 200             # a pooled connection
    drop_connections(postgres_app.config["SQLALCHEMY_DATABASE_URI"])
    assert client.get("/games/").status_code == 200
