"""Factories for research tests: finished play-throughs written by the engine, researchers."""
import datetime
import json

import pytest

from engine.bots import play_out
from engine.log import LogWriter
from engine.loader import GameSource
from engine.playthrough import PlayThrough
from webapp.extensions import db
from webapp.live.playthroughs import log_seats, playthrough_paths
from webapp.live.rows import playthrough_id
from webapp.models import Game, Participant, PlayThroughRecord, Session, User


def ensure_user(username, kind):
    user = User.query.filter_by(username=username).first()
    if user is None:
        user = User(username=username, kind=kind, display_name=username.title())
        user.set_password("pw")
        db.session.add(user)
        db.session.commit()
    return user


def add_playthrough(game_session, seed, max_moves=5000, started_at=None):
    """Play one play-through of ``game_session`` with bots ("first"), written to its log."""
    version = game_session.game_version
    number = len(game_session.playthroughs) + 1
    paths = playthrough_paths(game_session, number)
    paths["folder"].mkdir(parents=True, exist_ok=True)
    pt = PlayThrough(GameSource(version.folder), seed=seed, session_folder=str(paths["work"]),
                     seats=log_seats(game_session), log_writer=LogWriter(str(paths["log"])),
                     artifacts_dir=str(paths["artifacts"]))
    pt.start()
    try:
        play_out(pt, {r.num: "first" for r in pt.roles}, max_moves=max_moves)
    finally:
        pt.close()
    started = started_at or datetime.datetime(2025, 3, 1, 10, 0, 0)
    record = PlayThroughRecord(
        id=playthrough_id(game_session.id, number), session=game_session, number=number, seed=seed, status="ended", end_reason=pt.ended,
        steps=pt.k, outcome=pt.outcome, started_at=started,
        ended_at=started + datetime.timedelta(seconds=30 + pt.k), log_path=str(paths["log"]),
        game_version_hash=version.version_hash)
    db.session.add(record)
    db.session.commit()
    return record


@pytest.fixture
def played(app):
    """played(slug, owner, created=datetime, playthroughs=1, max_moves=...) -> session key."""
    def make(slug="tic_tac_toe", owner="teacher", created=None, playthroughs=1,
             max_moves=5000, status="ended"):
        with app.app_context():
            game = Game.query.filter_by(slug=slug).one()
            game_session = Session(owner=ensure_user(owner, "instructor"),
                                   game_version=game.current_version, status=status,
                                   join_code=Session.new_join_code())
            if created:
                game_session.created_at = created
            db.session.add(game_session)
            for role in game.roles:
                if not role["observer"]:
                    db.session.add(Participant(session=game_session, kind="bot",
                                               display_name=f"Bot {role['name']}",
                                               bot_strategy="first", roles=[role["num"]]))
            db.session.commit()
            for i in range(playthroughs):
                add_playthrough(game_session, seed=11 + i, max_moves=max_moves,
                                started_at=created)
            return game_session.key
    return make


@pytest.fixture
def researcher(make_user, login):
    """A researcher account, logged in on the test client."""
    make_user("rita", kind="researcher")
    login("rita")
    return "rita"


def record_of(app, key, number=1):
    with app.app_context():
        game_session = Session.query.filter_by(key=key).one()
        return next(r.id for r in game_session.playthroughs if r.number == number)


def log_events(app, record_id):
    with app.app_context():
        path = db.session.get(PlayThroughRecord, record_id).log_path
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
