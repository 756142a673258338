"""The log and the state move together on the live path: a full disk or a state the
game cannot have recorded refuses the move with a message, nothing changes, and play
goes on once the cause is gone; the log validates canonical afterwards."""
import os

import pytest

from engine import replay
from engine.cli import folder_resolver
from engine.loader import GameSource
from tests.support.disk import fill, small_disk
from webapp import create_app
from webapp.catalog.seeding import install_game
from webapp.extensions import db

from .conftest import test_config as config_for
from .players import Player
from .test_bad_input import log_lines
from .test_live import live_pt, move, play_setup


@pytest.fixture
def disk_app(tmp_path, database_url):
    """The app with its data folder (the logs) on a small file system of its own."""
    with small_disk(tmp_path / "disk", size_kb=512) as disk:
        config = config_for(tmp_path, database_url)
        config["DATA_DIR"] = str(disk / "data")
        app = create_app(config)
        yield app, disk
        app.extensions["live"].close()
        app.extensions["rows"].close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def disk_server(disk_app):
    import threading

    from werkzeug.serving import make_server
    app, disk = disk_app
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield app, disk, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_a_full_disk_refuses_the_move_and_play_goes_on(disk_server):
    app, disk, base = disk_server
    owner, (ann, bob), key = play_setup(app, base, "tic_tac_toe",
                                        [("Ann", [0]), ("Bob", [1])])
    pt = live_pt(app, key)
    move(ann, pt, 0, 4)
    bob.wait_version(2)
    filler = fill(disk, leave_bytes=0)
    # The log's last page still has room for a few lines: Bob moves and the owner
    # takes it back until a move no longer fits.
    for _ in range(20):
        before = (pt.version, log_lines(pt), os.path.getsize(pt.log.path))
        move(bob, pt, 1, 0)
        text = bob.wait_for(lambda t: 'id="flash"' in t and "<p class" in t
                            or f'data-version="{before[0] + 1}"' in t)
        if "could not be recorded" in text:
            break
        owner.send(action="undo")
        bob.wait_version(before[0] + 2)
    assert "could not be recorded" in text and "nothing changed" in text
    pt = live_pt(app, key)
    assert (pt.version, log_lines(pt), os.path.getsize(pt.log.path)) == before
    os.unlink(filler)
    move(bob, pt, 1, 0)
    ann.wait_version(before[0] + 1)
    for player, role, cell in ((ann, 0, 3), (bob, 1, 1), (ann, 0, 5)):
        version = live_pt(app, key).version
        move(player, live_pt(app, key), role, cell)
        player.wait_version(version + 1)
    pt = live_pt(app, key)
    assert pt.ended == "goal"
    report = replay.validate(pt.log.path, folder_resolver("games"))
    assert report["status"] == "canonical", report["first_failure"]
    for p in (owner, ann, bob):
        p.close()


def test_a_state_that_cannot_be_recorded_is_refused_live(app, live_server):
    with app.app_context():
        install_game("tests/fixtures/games/generator_state")
    owner, (ann,), key = play_setup(app, live_server, "generator_state", [("Ann", [0])])
    pt = live_pt(app, key)
    move(ann, pt, 0, 0)
    ann.wait_version(2)
    before = (pt.version, log_lines(pt))
    move(ann, pt, 0, 1)                      # "Lazy": a generator in the new state
    assert "cannot be recorded" in ann.flash()
    assert (pt.version, log_lines(pt)) == before
    move(ann, pt, 0, 0)
    ann.wait_version(3)
    source = GameSource("tests/fixtures/games/generator_state")
    report = replay.validate(pt.log.path, lambda slug, version: source, allow_open=True)
    assert report["status"] == "canonical", report["first_failure"]
    for p in (owner, ann):
        p.close()


def test_pages_still_answer_while_the_disk_is_full(disk_server):
    app, disk, base = disk_server
    filler = fill(disk, leave_bytes=0)
    try:
        assert Player(base).http.get(base + "/games/").ok
    finally:
        os.unlink(filler)
