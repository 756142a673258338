"""The Alembic migrations build exactly the tables the models describe, on the database
of the run (SQLite, or PostgreSQL with --database=postgresql)."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from webapp import create_app
from webapp.extensions import db


def migrated_app(tmp_path, database_url):
    return create_app({"INSTANCE_PATH": str(tmp_path / "i"), "SECRET_KEY": "x",
                       "SQLALCHEMY_DATABASE_URI": database_url,
                       "DATA_DIR": str(tmp_path / "d")})


def test_migrations_match_the_models(tmp_path, empty_database_url):
    app = migrated_app(tmp_path, empty_database_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
        db.engine.dispose()
    app.extensions["live"].close()
    assert diff == [], "models changed without a migration: run flask db migrate"


def test_migrations_go_down_to_an_empty_database_and_up_again(tmp_path, empty_database_url):
    app = migrated_app(tmp_path, empty_database_url)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        left = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        db.engine.dispose()
    app.extensions["live"].close()
    assert left == set()
    assert set(db.metadata.tables) <= tables
