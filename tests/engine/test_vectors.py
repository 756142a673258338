"""Run the contract vectors in tests/fixtures/vectors against the engine."""
import json

import pytest

from engine.loader import GameSource
from engine.playthrough import Actor, PlayThrough
from tests.engine.vectors import FOLDER, expected_after

VECTORS = sorted(FOLDER.glob("*.json"))


def test_there_are_vectors_for_the_phased_and_turn_games():
    names = {p.name.split("-")[0] for p in VECTORS}
    assert {"tic_tac_toe", "rift_mini", "guess_my_age", "rock_paper_scissors"} <= names


@pytest.mark.parametrize("path", VECTORS, ids=lambda p: p.stem)
def test_vector(path):
    vector = json.loads(path.read_text())
    source = GameSource(f"games/{vector['game']}")
    assert source.version == vector["game_version"], (
        "the game changed since this vector was made: regenerate with "
        "python -m tests.engine.vectors if the change is deliberate")
    pt = PlayThrough(source, seed=vector["seed"], config=vector["config"]).start()
    assert pt.hashes[0] == vector["initial_state_hash"]
    for i, step in enumerate(vector["moves"]):
        n = len(pt.moves)
        pt.apply(Actor(step["role"], "v"), step["op"], step["args"])
        assert expected_after(pt, n) == step["expect"], f"after move {i}"
    assert pt.ended is not None
    pt.close()
