"""An open-ended game (no goal by design) passes ``games check`` with a note saying so;
a game that ends with an error or a stall is still judged as before."""
import pathlib

from engine.check import check_game, open_ended_note

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "games"


def test_no_goal_after_the_move_cap_passes_with_a_note():
    result = check_game(FIXTURES / "open_ended", runs=1, max_moves=300)
    assert result["ok"], result["rows"]
    play = next(r for r in result["rows"] if r["check"] == "play #1")
    assert play["ok"] and play["note"] == "open-ended: no goal in 300 moves"
    assert "open-ended: no goal in 300 moves" in play["detail"]
    assert result["notes"] == ["open-ended: no goal in 300 moves"]


def test_only_the_move_cap_with_no_error_makes_a_game_open_ended():
    assert open_ended_note("abandoned", 2000, 2000) == "open-ended: no goal in 2,000 moves"
    assert open_ended_note("abandoned", 12, 2000) is None      # the bots gave up early
    assert open_ended_note("goal", 2000, 2000) is None
    assert open_ended_note("stalled", 5, 2000) is None


def test_a_game_that_reaches_its_goal_has_no_note():
    result = check_game(FIXTURES.parents[2] / "games" / "tic_tac_toe", runs=1)
    assert result["ok"] and result["notes"] == []
