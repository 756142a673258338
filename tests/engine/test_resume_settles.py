"""Resume settles first (the PAR-08 bug): a process that died after a decision's line
and before its forced bookkeeping lines leaves the forced moves pending; the resumed
play-through makes them as host moves before anything else, in this process (the
engine's ``checkpoint.resume``) and in a game process (``RemotePlayThrough.resume``),
and the log stays canonical.  Without the fix the next player's move was recorded in
place of the forced one and the log could never validate."""
import json
import random

import pytest

from engine import bots, checkpoint, replay
from engine.gameproc.pool import GamePool
from engine.gameproc.remote import GameRef, RemotePlayThrough
from engine.loader import GameSource
from engine.log import LogWriter, read_events, read_lines
from engine.playthrough import Actor, PlayThrough
from tests.engine.logtools import resolve


def crashed_log(tmp_path, slug, seed):
    """A log cut right after a decision whose forced moves followed it (as if the
    process died between them); returns (path, decision k, forced moves cut)."""
    source = GameSource(f"games/{slug}")
    path = tmp_path / f"{slug}.jsonl"
    pt = PlayThrough(source, seed=seed, session_folder=str(tmp_path / "s"),
                     log_writer=LogWriter(str(path))).start()
    bots.play_out(pt, rnd=random.Random(seed))
    pt.close()
    lines = read_lines(str(path))
    events = [json.loads(line) for line in lines]
    cut = next(i for i, e in enumerate(events)
               if e["type"] == "move" and not e["bookkeeping"] and i > 3
               and events[i + 1].get("bookkeeping"))
    forced = 0
    while events[cut + 1 + forced].get("bookkeeping"):
        forced += 1
    path.write_bytes(b"".join(line + b"\n" for line in lines[:cut + 1]))
    return source, path, events[cut]["k"], forced


def finish(pt, rnd):
    while not pt.ended:
        movers = [r for r in pt.roles_to_move() if pt.applicable(r)]
        if not movers:
            break
        role = movers[0]
        choice = bots.choose_move(pt, role, "random", rnd)
        if choice is None:
            break
        pt.apply(Actor(role, f"bot-{role}", "bot"), *choice)
    if not pt.ended:
        pt.end("abandoned")


@pytest.mark.parametrize("slug,seed", [("rift_mini", 3), ("deduction_cards", 4)])
def test_resume_makes_the_pending_forced_moves_first(tmp_path, slug, seed):
    source, path, k, forced = crashed_log(tmp_path, slug, seed)
    assert forced >= 1
    assert replay.validate(str(path), resolve, allow_open=True)["status"] == "canonical"
    pt = checkpoint.resume(source, str(path), session_folder=str(tmp_path / "r"))
    events = read_events(str(path))
    after = [e for e in events if e["type"] == "move" and e["k"] > k]
    assert len(after) >= forced, "the forced moves were made on resume"
    assert all(e["bookkeeping"] and e["actor"]["kind"] == "host" for e in after[:forced])
    finish(pt, random.Random(seed))
    pt.close()
    report = replay.validate(str(path), resolve)
    assert report["status"] == "canonical", report["first_failure"]


@pytest.mark.parametrize("slug,seed", [("rift_mini", 3), ("deduction_cards", 4)])
def test_a_game_process_resume_settles_too(tmp_path, slug, seed):
    source, path, k, forced = crashed_log(tmp_path, slug, seed)
    pool = GamePool(tmp_path / "games", spare=False)
    try:
        pt = RemotePlayThrough.resume(pool, GameRef(str(source.folder), source.slug,
                                                    source.version), 1, str(path))
        events = read_events(str(path))
        after = [e for e in events if e["type"] == "move" and e["k"] > k]
        assert len(after) >= forced
        assert all(e["bookkeeping"] and e["actor"]["kind"] == "host" for e in after[:forced])
        assert pt.k == after[-1]["k"]
        rnd = random.Random(seed)
        while not pt.ended:
            role = next((r for r in pt.roles_to_move() if pt.applicable(r)), None)
            if role is None:
                break
            op, args = pt.bot_move(role, "random", seed=rnd.randrange(1 << 30))
            pt.apply(Actor(role, "bot", "bot"), op, args, pt.version)
        if not pt.ended:
            pt.end("abandoned")
        pt.close()
    finally:
        pool.close()
    report = replay.validate(str(path), resolve)
    assert report["status"] == "canonical", report["first_failure"]


def test_a_player_may_not_make_a_bookkeeping_move(tmp_path):
    """The live path refuses a bookkeeping operator from a player: only the host makes
    one, when it is the only move (the validator's rule, enforced where moves come in)."""
    source = GameSource("games/rift_mini")
    pt = PlayThrough(source, seed=3, log_writer=LogWriter()).start()
    bk = next(i for i, op in enumerate(pt.operators) if getattr(op, "bookkeeping", False))
    role = pt.roles_to_move()[0]
    with pytest.raises(Exception) as raised:
        pt.apply(Actor(role, "x", "human"), bk, [])
    assert getattr(raised.value, "code", None) in ("bookkeeping", "not_applicable")
