"""The load benchmark measures for real: the floor and the portal answer its moves."""
import pytest

from bench import floor, load, loadlib


def test_percentiles_and_the_board():
    values = sorted(range(1, 101))
    assert loadlib.percentile(values, 50) == 50
    assert loadlib.percentile(values, 99) == 99
    assert loadlib.percentile([], 99) is None
    assert loadlib.winner([0, 0, 0, None, 1, 1, None, None, None]) == 0
    assert loadlib.winner([0, 1, 0, None, None, None, None, None, None]) is None


def test_only_loopback_is_a_target():
    loadlib.require_loopback("http://127.0.0.1:5000")
    with pytest.raises(SystemExit):
        loadlib.require_loopback("http://10.0.0.5:5000")


def test_profile_summary_counts_own_and_inclusive_samples(tmp_path):
    raw = tmp_path / "p.txt"
    raw.write_text("thread (1);a (x.py:1);b (x.py:2) 3\nthread (1);a (x.py:1) 1\n")
    text = load.profile_summary(str(raw))
    assert "samples: 4" in text
    assert " 100.0  a (x.py:1)" in text and "  75.0  b (x.py:2)" in text


def test_the_floor_broadcasts_every_move_to_its_three_sockets():
    line = floor.measure_floor(2, 1.5, "flask", cores=None, threads=16, payload_bytes=3000)
    assert line["errors"] == 0, line
    assert line["moves"] > 20 and line["sockets"] == 6
    assert 2900 < line["bytes_per_push"] < 3100
    assert 0 < line["p50_ms"] <= line["p99_ms"] <= line["max_ms"]
    assert line["server_cpu_s"] > 0 and line["server_rss_mb"] > 10


@pytest.mark.slow
def test_portal_sessions_play_whole_games_seen_on_every_screen():
    args = load.main.__globals__["argparse"].Namespace(
        url=None, server_pid=None, servers=1, workers=1, threads=32, server_cores="",
        split=False, username="instructor", password="instructor-demo", seconds=2.0,
        profile=None, keep=False, move_timeout=5.0, think_ms=0.0, no_deflate=False)
    line, sample = load.measure_portal(2, args)
    try:
        assert line["errors"] == 0, line
        assert line["moves"] >= 10 and line["games"] >= 1, line
        assert line["p99_ms"] is not None and line["server_cpu_s"] > 0
        with open(sample) as f:
            assert 'id="operators"' in f.read()      # a real push, kept for the floor
    finally:
        if sample:
            import os
            os.unlink(sample)
