"""The database the tests' apps run on: SQLite files (the default) or PostgreSQL.

``SZ_TEST_DATABASE=postgresql`` (or ``pytest --database=postgresql``) starts one
throw-away PostgreSQL server for the run (tests/support/postgres.py); each test
then gets a database of its own on it, made by ``CREATE DATABASE ... TEMPLATE``
from a template built once (as on SQLite, where the template is a file copied
per test), and dropped when the test ends.
"""

from __future__ import annotations

import itertools
import os
import shutil

import pytest
from sqlalchemy.engine import make_url

from tests.support.postgres import running_postgres
from tests.support.requirements import POSTGRESQL, require

__all__ = ["KINDS", "SETTING", "add_option", "databases", "empty_database_url"]

KINDS = ("sqlite", "postgresql")
SETTING = "SZ_TEST_DATABASE"


def add_option(parser) -> None:
    parser.addoption("--database", choices=KINDS, default=os.environ.get(SETTING) or "sqlite",
                     help=f"database of the app tests (default: ${SETTING} or sqlite)")


class SqliteDatabases:
    """Databases as files in each test's own folder (pytest removes the folders)."""

    kind = "sqlite"

    def empty(self, folder) -> str:
        return f"sqlite:///{folder}/empty.db"

    def copy(self, template_url, folder) -> str:
        shutil.copy(make_url(template_url).database, folder / "test.db")
        return f"sqlite:///{folder}/test.db"

    def drop(self, url) -> None:
        """Nothing to do: the file goes with the test's folder."""


class PostgresDatabases:
    """Databases on one server, named ``t_<n>`` in the order they are made."""

    kind = "postgresql"

    def __init__(self, server):
        self.server = server
        self.numbers = itertools.count(1)

    def empty(self, folder=None) -> str:
        return self.server.create_database(f"t_{next(self.numbers)}")

    def copy(self, template_url, folder=None) -> str:
        # The template must have no open connection (its builder disposed its engine).
        return self.server.create_database(f"t_{next(self.numbers)}",
                                           template=make_url(template_url).database)

    def drop(self, url) -> None:
        self.server.drop_database(make_url(url).database)


@pytest.fixture(scope="session")
def databases(request):
    """Where the run's test databases are made: SqliteDatabases or PostgresDatabases."""
    if request.config.getoption("database") == "sqlite":
        yield SqliteDatabases()
        return
    require(POSTGRESQL)
    with running_postgres() as server:
        yield PostgresDatabases(server)


@pytest.fixture
def empty_database_url(tmp_path, databases):
    """The URL of a database with no tables yet (for migrations and ``szportal init-db``)."""
    url = databases.empty(tmp_path)
    yield url
    databases.drop(url)
