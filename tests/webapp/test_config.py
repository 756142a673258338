"""Settings from the environment: the database URL means what a host hands out."""
import pytest

from webapp.config import database_url, load_config


@pytest.mark.parametrize("given, meant", [
    ("postgresql://u:p@db:5432/portal", "postgresql+psycopg://u:p@db:5432/portal"),
    ("postgres://u:p@db/portal", "postgresql+psycopg://u:p@db/portal"),
    ("postgresql+psycopg://u@db/portal", "postgresql+psycopg://u@db/portal"),
    ("sqlite:////srv/portal.db", "sqlite:////srv/portal.db"),
])
def test_database_url_names_the_psycopg_driver(monkeypatch, given, meant):
    monkeypatch.setenv("DATABASE_URL", given)
    assert database_url("DATABASE_URL", "sqlite:///default.db") == meant


def test_database_url_defaults_when_unset_or_empty(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "")
    assert database_url("DATABASE_URL", "sqlite:///default.db") == "sqlite:///default.db"


def test_without_database_url_the_database_is_a_sqlite_file_in_the_instance(monkeypatch,
                                                                            tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SECRET_KEY", "x")
    url = load_config(tmp_path)["SQLALCHEMY_DATABASE_URI"]
    assert url == f"sqlite:///{tmp_path / 'szportal.db'}"
