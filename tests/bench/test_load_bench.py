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


def test_the_longest_gap_names_the_rematches_in_flight_across_it():
    stats = loadlib.Stats()
    stats.done_at = [10.5, 11.0, 13.0, 13.2]
    stats.rematches = [(10.9, 13.0), (11.1, 12.9), (12.95, 13.2)]
    window = {"start": 10.0, "end": 14.0}
    assert stats.longest_gap(window) == pytest.approx(2.0)
    gap, at, in_flight = stats.longest_gap_detail(window)
    assert (gap, at, in_flight) == (pytest.approx(2.0), pytest.approx(1.0), 2)
    stats.done_at.append(12.0)                 # a move in the middle: no wave
    gap, at, in_flight = stats.longest_gap_detail(window)
    assert gap == pytest.approx(1.0) and in_flight == 2


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


def test_the_pace_schedule_staggers_first_moves_over_one_interval():
    interval, firsts = loadlib.pace_schedule(4, 100.0, start=10.0)
    assert interval == pytest.approx(0.04)          # N / R: each session's period
    assert firsts == pytest.approx([10.0, 10.01, 10.02, 10.03])   # 1 / R apart
    interval, firsts = loadlib.pace_schedule(1, 5.0)
    assert interval == pytest.approx(0.2) and firsts == [0.0]
    # Over one interval the N sessions offer N moves: R moves/s in all.
    interval, firsts = loadlib.pace_schedule(200, 1000.0)
    assert interval == pytest.approx(0.2) and len(firsts) == 200
    assert max(firsts) < interval and firsts == sorted(firsts)
    for count, rate in ((0, 10.0), (3, 0), (3, -1.0), (3, None)):
        with pytest.raises(ValueError):
            loadlib.pace_schedule(count, rate)


def test_the_floor_paced_carries_the_offered_rate():
    line = floor.measure_floor(2, 2.0, "flask", cores=None, threads=16, payload_bytes=3000,
                               rate=20.0)
    assert line["errors"] == 0, line
    assert line["mode"] == "paced" and line["offered_moves_per_s"] == 20.0
    assert 14 <= line["moves_per_s"] <= 26, line          # the offered rate, within 30 %
    assert 0 <= line["late_moves"] <= line["moves"]
    assert 0 < line["p50_ms"] <= line["p99_ms"] <= line["max_ms"]
    # Measured from the schedule, a move's latency includes any wait to be sent.
    assert line["p99_from_schedule_ms"] >= line["p99_ms"]


def test_closed_loop_is_the_default_and_rate_excludes_think(capsys):
    line = {"sessions": 1, "sockets": 3, "moves_per_s": 1, "p50_ms": 1, "p95_ms": 1,
            "p99_ms": 2, "max_ms": 2, "errors": 0, "server_cpu_pct": 1, "server_rss_mb": 1,
            "other_cpu_pct": 0}
    assert "offered" not in load.markdown([(line, line)])
    paced = dict(line, offered_moves_per_s=5.0, late_moves=0, p99_from_schedule_ms=2)
    table = load.markdown([(paced, paced)]).splitlines()
    assert "offered moves/s" in table[0] and "| 5.0 |" in table[2]
    assert table[0].count("|") == table[1].count("|") == table[2].count("|")
    for argv in (["--rate", "10", "--think-ms", "5"], ["--rate", "0"]):
        with pytest.raises(SystemExit):
            load.main(argv)
    with pytest.raises(SystemExit):
        floor.main(["--rate", "-1"])


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
