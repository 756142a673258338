"""A play-through taken over by another process is the play-through it was: its
states, its random sequence and what the game keeps in module globals (here the
cards shown in the deduction game, which only a replay of the whole log restores)."""
import random

from engine import bots, checkpoint
from engine.loader import GameSource
from engine.log import LogWriter
from engine.playthrough import Actor, PlayThrough
from webapp.live.runtime import resume_playthrough


def step(pt, rnd):
    role = [r for r in pt.roles_to_move() if pt.applicable(r)][0]
    op, args = bots.choose_move(pt, role, "random", rnd)
    pt.apply(Actor(role, "p"), op, args)


def test_a_takeover_restores_module_globals_changed_during_play(tmp_path):
    folder = tmp_path / "pt"
    paths = {"folder": folder, "log": folder / "log.jsonl", "work": folder / "work",
             "artifacts": folder / "artifacts"}
    folder.mkdir()
    source = GameSource("games/deduction_cards")
    pt = PlayThrough(source, seed=5, session_folder=str(tmp_path / "live"),
                     log_writer=LogWriter(str(paths["log"]))).start()
    rnd = random.Random(5)
    for _ in range(400):                      # until a card has been shown
        if pt.game.module._SHOWN or pt.ended:
            break
        step(pt, rnd)
    assert pt.game.module._SHOWN, "no card was shown: pick another seed"
    (folder / "checkpoints").mkdir()
    data = checkpoint.snapshot(pt)
    checkpoint.write(str(folder / "checkpoints" / f"s{data['log_seq']:07d}-k{pt.k:06d}.json"),
                     data)
    for _ in range(2):
        if not pt.ended:
            step(pt, rnd)
    expected = (pt.hashes[:], dict(pt.game.module._SHOWN), pt.rng.getstate())
    pt.log.close()
    taken = resume_playthrough(GameSource("games/deduction_cards"), paths["log"], paths)
    try:
        assert (taken.hashes, dict(taken.game.module._SHOWN), taken.rng.getstate()) == expected
    finally:
        taken.close()
        pt.close()
