"""The game-turnover benchmark runs the real rematch route and counts what it claims."""
from bench import turnover


def test_turnover_plays_games_and_rematches_through_the_route(capsys):
    result = turnover.run(games=2)
    assert result["games"] == 2
    assert result["rematch_cpu_ms"] > 0
    assert result["turnover_cpu_ms"] == round(result["rematch_cpu_ms"]
                                              + result["last_move_extra_cpu_ms"], 2)
    assert result["queries_per_rematch"] > 0            # the route really ran its queries
    assert '"bench": "game_turnover"' in capsys.readouterr().out
