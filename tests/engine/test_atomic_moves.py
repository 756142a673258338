"""A move and its log lines are one unit: a failed write or a state that cannot be
recorded changes nothing, and the play-through goes on once the cause is gone."""
import os
import random

import pytest

from engine import bots, replay
from engine.cli import folder_resolver
from engine.loader import GameSource
from engine.log import LogWriter, read_lines
from engine.playthrough import Actor, MoveError, PlayThrough
from tests.support.disk import fill, small_disk

resolve = folder_resolver("games")
FIXTURES = "tests/fixtures/games"


def facts(pt):
    return (pt.k, pt.version, list(pt.hashes), pt.rng.getstate(), pt.ended,
            pt.log.next_seq, pt.log.prev, len(pt.moves))


def play_until_refused(pt, rnd):
    """Bot moves until one is refused as not recorded; returns (facts before, error)."""
    for _ in range(500):
        role = pt.roles_to_move()[0]
        op, args = bots.choose_move(pt, role, "random", rnd=rnd)
        before, size = facts(pt), os.path.getsize(pt.log.path)
        try:
            pt.apply(Actor(role, "bot", "bot"), op, args)
        except MoveError as exc:
            assert os.path.getsize(pt.log.path) == size
            return before, exc
    raise AssertionError("the disk never filled up")


@pytest.mark.parametrize("slug", ["rift_mini", "deduction_cards"])
def test_disk_full_refuses_the_move_and_the_log_stays_canonical(tmp_path, slug):
    with small_disk(tmp_path / "disk", size_kb=64) as disk:
        log_path = os.path.join(disk, "log.jsonl")
        pt = PlayThrough(GameSource(f"games/{slug}"), seed=5, log_writer=LogWriter(log_path),
                         session_folder=str(tmp_path / "work")).start()
        filler = fill(disk, leave_bytes=6000)
        rnd = random.Random(5)
        before, error = play_until_refused(pt, rnd)
        assert error.code == "not_recorded"
        assert "could not be recorded" in error.message and "nothing changed" in error.message
        assert facts(pt) == before
        lines = read_lines(log_path)
        assert [int(l.split(b'"seq":')[1].split(b",")[0]) for l in lines] == \
            list(range(len(lines)))
        with pytest.raises(MoveError):       # still full: refused again, nothing repeated
            role = pt.roles_to_move()[0]
            pt.apply(Actor(role, "bot", "bot"), *bots.choose_move(pt, role, "random", rnd=rnd))
        assert facts(pt) == before
        os.unlink(filler)
        bots.play_out(pt, rnd=rnd)
        pt.close()
        report = replay.validate(log_path, resolve)
        assert report["status"] == "canonical", report["first_failure"]
        assert pt.ended


def test_a_state_that_cannot_be_recorded_is_refused(tmp_path):
    source = GameSource(f"{FIXTURES}/generator_state")
    pt = PlayThrough(source, seed=1, log_writer=LogWriter()).start()
    me = Actor(0, "Ann")
    pt.apply(me, 0)
    before = (pt.k, pt.version, list(pt.hashes), len(pt.log.lines))
    with pytest.raises(MoveError) as err:
        pt.apply(me, 1)
    assert err.value.code == "game_error" and "cannot be recorded" in err.value.message
    assert (pt.k, pt.version, list(pt.hashes), len(pt.log.lines)) == before
    pt.apply(me, 0)
    pt.apply(me, 0)
    assert pt.ended == "goal"
    report = replay.validate(pt.log.text(), lambda slug, version: source)
    assert report["status"] == "canonical", report["first_failure"]


def test_an_event_that_cannot_be_encoded_leaves_no_line(tmp_path):
    writer = LogWriter(str(tmp_path / "log.jsonl"))
    writer.write("playthrough_started", game="x")
    with pytest.raises(OSError):
        with writer.transaction():
            writer.write("move", k=1)
            writer.write("move", k=2, message=float("nan"))
    writer.write("move", k=1)
    lines = read_lines(str(tmp_path / "log.jsonl"))
    assert len(lines) == 2 and b'"seq":1' in lines[1]
