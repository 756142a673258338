"""Contract vectors: fixed move sequences with the expected result of each.

A vector pins, for one game version, seed and config, what the host must
produce after every decision: the bookkeeping moves it applies, the phase,
the role to move and the state hash.  Regenerate after a deliberate change
of a game or of the state encoding with ``python -m tests.engine.vectors``.
"""
import json
import pathlib
import random

from engine import bots
from engine.loader import GameSource
from engine.playthrough import Actor, PlayThrough, state_phase, state_to_move

FOLDER = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "vectors"
CASES = [("tic_tac_toe", 1, {}), ("tic_tac_toe", 2, {}), ("rift_mini", 5, {}),
         ("guess_my_age", 3, {}), ("rock_paper_scissors", 8, {}),
         ("deduction_cards", 4, {"active_roles": [0, 1, 2, 3]}), ("missionaries", 1, {})]


def expected_after(pt, first_move):
    forced = [m["op"] for m in pt.moves[first_move + 1:]]
    return {"bookkeeping_after": forced, "phase": state_phase(pt.state),
            "to_move": state_to_move(pt.state), "state_hash": pt.hashes[-1],
            "ended": pt.ended}


def make_vector(slug, seed, config, max_moves=400):
    source = GameSource(f"games/{slug}")
    pt = PlayThrough(source, seed=seed, config=config).start()
    rnd = random.Random(seed)
    steps = []
    while not pt.ended and len(steps) < max_moves:
        role = next(r for r in pt.roles_to_move() if pt.applicable(r))
        op, args = bots.choose_move(pt, role, "random", rnd)
        n = len(pt.moves)
        pt.apply(Actor(role, f"p{role}"), op, args)
        steps.append({"role": role, "op": op, "args": args, "expect": expected_after(pt, n)})
    pt.close()
    return {"game": slug, "game_version": source.version, "seed": seed, "config": config,
            "initial_state_hash": pt.hashes[0], "moves": steps}


def main():
    FOLDER.mkdir(parents=True, exist_ok=True)
    for slug, seed, config in CASES:
        path = FOLDER / f"{slug}-{seed}.json"
        path.write_text(json.dumps(make_vector(slug, seed, config), indent=1) + "\n")
        print("wrote", path)


if __name__ == "__main__":
    main()
