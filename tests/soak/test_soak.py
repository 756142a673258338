"""Soak: a class-sized load on the real server, with make run's settings.

60 tic-tac-toe sessions (three sockets each: X, O and a watcher) play in a
closed loop for 15 s with a rematch after every game, against gunicorn with the
portal's own worker class and thread count, a real Redis and an RQ worker.
Every move must reach every screen within 10 s and no 2.5 s may pass without a
move completing: a correctness test (no stall, no lock-order deadlock), not a speed
test.
The server's log must show no broken lock rule (webapp/locks.py) and no
traceback.
"""
import pytest

from bench import loadlib

SESSIONS, SECONDS, MOVE_TIMEOUT = 60, 15, 10.0
MAX_GAP = 2.5           # seconds with no move completed anywhere
# A rematch is a page request: with one database connection, a class's rematches
# queue for it (slower, not stalled), so they get longer than a move.
REMATCH_TIMEOUT = 30.0
VARIANTS = {
    "sqlite": {},
    "postgresql": {},         # the PostgreSQL pass of make test runs this one only
    # The live path never needs more than one connection to make progress.
    "one_connection": {"extra_env": {"DATABASE_POOL_SIZE": 1, "DATABASE_MAX_OVERFLOW": 0}},
    "two_workers": {"workers": 2},
}


def soak(folder, **portal):
    servers = loadlib.Portal(str(folder), cores=None, rq_worker=True, **portal).start()
    try:
        groups = loadlib.portal_groups(servers.bases, SESSIONS, "instructor", "instructor-demo")
        stats, window, *_ = loadlib.run_measured(groups, servers.cpu, servers.rss, SECONDS,
                                                 move_timeout=MOVE_TIMEOUT,
                                                 rematch_timeout=REMATCH_TIMEOUT)
    finally:
        servers.stop()
    return stats, window, servers.logs()


def check(stats, window, logs):
    assert stats.errors == 0, (stats.error_kinds, stats.flashes)
    # A freeze or a lock-order deadlock stops every session for good (and times moves
    # out); the class must never wait more than a moment.  The driver's sessions play
    # the same game in lockstep, so their games end together and all 60 rematches queue
    # at once (each ~20 ms of server CPU, behind the end-of-game rows): gaps of 1.0-1.6 s
    # with 52-60 of 60 rematches in flight are measured (issue 18).  Whole-second buckets
    # would fail by where that wave falls, not by what the server does.
    gap, at, rematching = stats.longest_gap_detail(window)
    assert gap < MAX_GAP, (f"{gap:.2f} s passed with no move completed (from {at:.2f} s "
                           f"into the run; {rematching} rematches in flight meanwhile)")
    assert len(stats.latencies) > 2 * SESSIONS and stats.games >= SESSIONS
    assert max(stats.latencies) < MOVE_TIMEOUT
    assert "lock rule broken" not in logs, logs[-4000:]
    assert "Traceback" not in logs, logs[-4000:]


def pytest_generate_tests(metafunc):
    if "variant" in metafunc.fixturenames:
        on_postgres = metafunc.config.getoption("database") != "sqlite"
        metafunc.parametrize("variant", ["postgresql"] if on_postgres
                             else sorted(set(VARIANTS) - {"postgresql"}))


@pytest.mark.slow
def test_a_class_sized_load_never_stalls(tmp_path, variant, empty_database_url):
    check(*soak(tmp_path / "portal", database_url=empty_database_url, **VARIANTS[variant]))
