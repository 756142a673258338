"""The memory benchmark plays whole games and shows finished play-throughs released."""
import json
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIELDS = {"variant", "playthroughs", "warmup", "rss_after_warmup_mb", "rss_after_mb",
          "growth_mb", "szgame_modules", "szgame_modules_after_warmup",
          "held_playthroughs", "held_in_game_processes", "game_processes_rss_mb", "seconds"}


def test_released_play_throughs_leave_no_game_modules_behind():
    done = subprocess.run([sys.executable, "-m", "bench.memory", "--playthroughs", "30",
                           "--warmup", "5"], cwd=REPO, capture_output=True, text=True,
                          timeout=240)
    assert done.returncode == 0, done.stderr
    lines = {line["variant"]: line for line in map(json.loads, done.stdout.splitlines())}
    assert set(lines) == {"released", "keep"}
    for line in lines.values():
        assert set(line) == FIELDS, line
        assert (line["playthroughs"], line["warmup"]) == (30, 5)
        assert line["rss_after_mb"] > 0 and line["rss_after_warmup_mb"] > 0
        growth = line["rss_after_mb"] - line["rss_after_warmup_mb"]
        assert abs(line["growth_mb"] - growth) < 0.15, line
    released, keep = lines["released"], lines["keep"]
    # Game code ran in game processes only: no game module in the web process.
    assert released["szgame_modules"] == keep["szgame_modules"] == 0
    assert released["game_processes_rss_mb"] > 0
    # Released: only the last play-through is held, in the game process too.
    assert released["held_playthroughs"] == 1 and released["held_in_game_processes"] == 1
    # Kept: every play-through stays, each in the game process.
    assert keep["held_playthroughs"] == 35 and keep["held_in_game_processes"] == 35
