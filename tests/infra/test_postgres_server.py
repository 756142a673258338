"""Debian's PostgreSQL binaries run a throw-away server (as the postgres user under root)."""
import os
import pwd

import psycopg
import pytest
from sqlalchemy import create_engine, text

from tests.support.postgres import running_postgres

pytestmark = pytest.mark.postgresql


def test_a_database_copied_from_a_template_has_its_rows():
    with running_postgres() as server:
        server.create_database("tpl")
        engine = create_engine(server.url("tpl"))
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE seat (name varchar(8))"))
            connection.execute(text("INSERT INTO seat VALUES ('ann')"))
        engine.dispose()
        copy = create_engine(server.create_database("t_1", template="tpl"))
        with copy.connect() as connection:
            assert connection.execute(text("SELECT name FROM seat")).scalar_one() == "ann"
        server.drop_database("t_1")          # its pooled connection is still open
        copy.dispose()
        with psycopg.connect(server.dsn()) as connection:
            names = [row[0] for row in connection.execute("SELECT datname FROM pg_database")]
        assert "tpl" in names and "t_1" not in names


def test_the_cluster_belongs_to_the_postgres_user_when_run_as_root():
    with running_postgres() as server:
        owner = (server.folder / "data").stat().st_uid
    expected = pwd.getpwnam("postgres").pw_uid if os.geteuid() == 0 else os.geteuid()
    assert owner == expected


def test_the_server_stops_and_its_folder_goes_on_exit():
    with running_postgres() as server:
        folder, dsn = server.folder, server.dsn()
    assert not folder.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(dsn, connect_timeout=2)
