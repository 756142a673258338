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


class DroppingProxy:
    """A TCP proxy in front of the database that closes the first ``drop`` connections
    it accepts at once, as a server under load or restarting may ("server closed the
    connection unexpectedly"), and forwards the rest."""

    def __init__(self, host, port, drop):
        import socket
        import threading
        self.target, self.drop, self.dropped = (host, port), drop, 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        import socket
        import threading
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.dropped < self.drop:
                self.dropped += 1
                client.close()
                continue
            server = socket.create_connection(self.target)
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.close()
                except OSError:
                    pass

    def close(self):
        self.listener.close()


def test_a_connection_the_server_drops_while_connecting_is_tried_again(tmp_path, database_url,
                                                                         databases):
    if databases.kind != "postgresql":
        pytest.skip("about PostgreSQL's connections (run with --database=postgresql)")
    from webapp import create_app
    from webapp.extensions import db

    from .conftest import test_config
    url = make_url(database_url)
    proxy = DroppingProxy(url.host, url.port, drop=1)
    app = create_app(test_config(tmp_path, url.set(port=proxy.port)
                                 .render_as_string(hide_password=False)))
    try:
        assert app.test_client().get("/games/").status_code == 200
        assert proxy.dropped == 1
    finally:
        app.extensions["live"].close()
        app.extensions["rows"].close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        proxy.close()
