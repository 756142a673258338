"""``szportal games check`` and ``szportal validate`` as a user runs them."""
import json
import pathlib

import pytest
from click.testing import CliRunner

from engine.cli import main
from tests.engine.logtools import events_of, make_log, seal

GAMES = sorted(p for p in pathlib.Path("games").iterdir() if p.is_dir()
               and not p.name.startswith((".", "_")))


def test_every_builtin_game_is_checked():
    assert len(GAMES) >= 11


@pytest.mark.parametrize("folder", GAMES, ids=lambda p: p.name)
def test_builtin_game_passes_check(folder, tmp_path):
    result = CliRunner().invoke(main, ["games", "check", str(folder), "--runs", "2",
                                       "--logs", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["ok"] and report["game"]["roles"]
    checks = {r["check"] for r in report["rows"]}
    assert {"load", "play #1", "validate #1", "checkpoint round-trip"} <= checks
    assert list(tmp_path.rglob("log.jsonl")), "--logs keeps the logs"
    readme = (folder / "README.md").read_text().strip().splitlines()
    assert readme and len(readme[0]) > 20, "each game says what it teaches"


def test_check_of_a_broken_game_fails_clearly(tmp_path):
    (tmp_path / "Broken_SZ6.py").write_text("import numpy_not_here\n")
    result = CliRunner().invoke(main, ["games", "check", str(tmp_path)])
    assert result.exit_code == 1
    assert "numpy_not_here" in result.output and "not installed" in result.output
    assert "Traceback" not in result.output


def test_check_of_a_game_needing_a_service_says_so(tmp_path):
    # The game's sandbox gets only the variables given: here the address of its model.
    result = CliRunner().invoke(main, ["games", "check", "games/chat_with_model", "--runs", "1",
                                       "--env", "SZ_CHAT_MODEL_URL=http://127.0.0.1:9/"])
    assert result.exit_code == 1
    assert "network service" in result.output or "unreachable" in result.output
    assert "Traceback" not in result.output


def test_validate_file_folder_and_json(tmp_path):
    good = make_log("tic_tac_toe", 3)
    events = events_of(good)
    events[3]["state_hash"] = "0" * 64
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "log.jsonl").write_text(good)
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "log.jsonl").write_text(seal(events))
    runner = CliRunner()
    ok = runner.invoke(main, ["validate", str(tmp_path / "a" / "log.jsonl"), "--json"])
    assert ok.exit_code == 0
    assert json.loads(ok.output)["status"] == "canonical"
    both = runner.invoke(main, ["validate", str(tmp_path), "--json"])
    assert both.exit_code == 1
    summary = json.loads(both.output)
    assert summary["logs"] == 2 and summary["counts"] == {"state_mismatch": 1}
    text = runner.invoke(main, ["validate", str(tmp_path)])
    assert "state_mismatch at step" in text.output and "recorded" in text.output
    report = summary["reports"][1]
    assert set(report) >= {"status", "first_failure", "counts", "steps_replayed", "seconds",
                           "versions"}
    assert set(report["first_failure"]) >= {"step", "class", "operator", "args", "diff"}
