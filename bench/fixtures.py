"""Sessions full of finished bot play-throughs, made directly with the engine.

Used by the export and validation benchmarks and by tests that need many
stored play-throughs quickly.  The logs are real canonical logs written at
the paths the portal uses; the rows are the rows the portal keeps.
"""
import random

from engine import bots
from engine.loader import GameSource
from engine.log import LogWriter
from engine.playthrough import PlayThrough


def fill_session(slug, count, owner_username="bench-owner", seed=0):
    """A new ended session of ``slug`` with ``count`` finished play-throughs (app context)."""
    from webapp.catalog.seeding import install_game
    from webapp.config import REPO_DIR
    from webapp.extensions import db
    from webapp.live.playthroughs import playthrough_paths
    from webapp.models import Game, GameVersion, Participant, Session, User
    owner = User.query.filter_by(username=owner_username).first()
    if owner is None:
        owner = User(username=owner_username, kind="instructor", display_name="Bench owner")
        owner.set_password("pw")
        db.session.add(owner)
    version = (GameVersion.query.join(Game).filter(Game.slug == slug).first()
               or install_game(REPO_DIR / "games" / slug))
    game_session = Session(owner=owner, game_version=version, status="ended",
                           join_code=Session.new_join_code())
    db.session.add(game_session)
    db.session.flush()
    source = GameSource(version.folder)
    seated = [Participant(session=game_session, display_name=f"Bot {role}", kind="bot",
                          bot_strategy="random", roles=[role]) for role in (0, 1)]
    db.session.add_all(seated)
    db.session.flush()
    seats = [{"role": p.roles[0], "participant": p.pseudonym, "kind": "bot"} for p in seated]
    for n in range(1, count + 1):
        record = play_one(game_session, source, n, seed * 100_003 + n, playthrough_paths,
                          seats)
        db.session.add(record)
    db.session.commit()
    return game_session


def play_one(game_session, source, number, seed, playthrough_paths, seats):
    from webapp.live.rows import playthrough_id
    from webapp.models import PlayThroughRecord, utcnow
    paths = playthrough_paths(game_session, number)
    paths["folder"].mkdir(parents=True, exist_ok=True)
    pt = PlayThrough(source, seed=seed, session_folder=str(paths["work"]),
                     seats=seats,
                     log_writer=LogWriter(str(paths["log"])),
                     artifacts_dir=str(paths["artifacts"])).start()
    bots.play_out(pt, rnd=random.Random(seed))
    pt.close()
    return PlayThroughRecord(id=playthrough_id(game_session.id, number),
                             session=game_session, number=number, seed=seed,
                             status="ended", end_reason=pt.ended, steps=pt.k,
                             outcome=pt.outcome, ended_at=utcnow(),
                             log_path=str(paths["log"]), game_version_hash=source.version)
