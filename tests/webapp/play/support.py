"""Helpers for the game-page socket tests: install extra games, read logs, wait."""
import json
import time

from webapp.catalog.seeding import install_game
from webapp.config import REPO_DIR
from webapp.extensions import db
from webapp.models import Session, User

FIXTURES = REPO_DIR / "tests" / "fixtures" / "games"


def install(app, slug, folder=None):
    """Install a built-in game (or a fixture folder) into the test catalog."""
    with app.app_context():
        install_game(folder or (REPO_DIR / "games" / slug))


def make_admin(app, username="admin"):
    with app.app_context():
        user = User(username=username, kind="admin", display_name=username.title(),
                    perm_games=True, perm_accounts=True, perm_research=True)
        user.set_password("pw")
        db.session.add(user)
        db.session.commit()


def events(pt, type_=None):
    with open(pt.log.path, encoding="utf-8") as f:
        found = [json.loads(line) for line in f if line.strip()]
    return [e for e in found if type_ is None or e["type"] == type_]


def session_row(app, key):
    with app.app_context():
        row = Session.query.filter_by(key=key).one()
        db.session.expunge(row)
        return row


def wait_until(predicate, timeout=5.0, step=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    raise AssertionError("condition never became true")


def names_of(app, key):
    """Pseudonymous participant id -> display name (format 2 logs name no one)."""
    from webapp.models import Participant, Session
    with app.app_context():
        game_session = Session.query.filter_by(key=key).one()
        return {p.pseudonym: p.display_name
                for p in Participant.query.filter_by(session_id=game_session.id)}
