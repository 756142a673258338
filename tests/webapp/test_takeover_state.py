"""A play-through taken over by another process is the play-through it was: its
states, and what the game keeps in module globals (here the cards shown in the
deduction game, which only a replay of the whole log restores), as the roles see it."""
import random

from engine import bots, views
from engine.gameproc.pool import GamePool
from engine.gameproc.remote import GameRef, RemotePlayThrough
from engine.loader import GameSource
from engine.log import LogWriter
from engine.playthrough import Actor, PlayThrough


def step(pt, rnd):
    role = [r for r in pt.roles_to_move() if pt.applicable(r)][0]
    op, args = bots.choose_move(pt, role, "random", rnd)
    pt.apply(Actor(role, "p"), op, args)


def test_a_takeover_restores_module_globals_changed_during_play(tmp_path):
    log_path = tmp_path / "log.jsonl"
    source = GameSource("games/deduction_cards")
    pt = PlayThrough(source, seed=5, session_folder=str(tmp_path / "live"),
                     log_writer=LogWriter(str(log_path))).start()
    rnd = random.Random(5)
    for _ in range(400):                      # until a card has been shown
        if pt.game.module._SHOWN or pt.ended:
            break
        step(pt, rnd)
    assert pt.game.module._SHOWN, "no card was shown: pick another seed"
    for _ in range(2):
        if not pt.ended:
            step(pt, rnd)
    roles = [r.num for r in pt.roles if not r.observer]
    expected = {r: views.role_view(pt, r).text for r in roles}
    assert any("Cards shown to you" in text for text in expected.values())
    pt.log.close()
    pool = GamePool(tmp_path / "games", spare=False)
    try:
        taken = RemotePlayThrough.resume(pool, GameRef(str(source.folder), source.slug,
                                                       source.version), 1, str(log_path))
        assert (taken.state_hash, taken.k) == (pt.hashes[-1], pt.k)
        assert {r: taken.view(r).text for r in roles} == expected
        taken.close()
    finally:
        pool.close()
        pt.close()
