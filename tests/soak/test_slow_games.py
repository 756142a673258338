"""Slow game code holds only its own play-through: while one session's move sleeps
for 20 s and another's spins the CPU for 20 s, each with 20 sockets sending moves,
other sessions' moves and every page still answer within 2 s."""
import threading
import time

import pytest
import requests

from .servers import Socket, portal, session_with, teacher

LIMIT = 2.0


def crowd(base, owner, operator):
    """A slow_moves session: four guests sharing the role, 20 sockets in all.  The
    first sends the slow ``operator``; the other nineteen connect while it runs (their
    joins wait for the play-through) and send a plain step."""
    names = [f"P{operator}{i}" for i in range(4)]
    key, guests = session_with(base, owner, "slow_moves", [(n, [0]) for n in names])
    first = Socket(base, guests[names[0]], key)
    assert first.snapshot()
    version = first.version
    first.send(action="move", role=0, op=operator, args="[]", state_version=version)
    time.sleep(0.3)
    sockets = [first]
    for i in range(1, 20):
        sockets.append(Socket(base, guests[names[i % 4]], key))
        sockets[-1].send(action="move", role=0, op=0, args="[]", state_version=version)
    return sockets, version


def play_fast_game(base, owner):
    """A tic-tac-toe game of five moves; the seconds each took to reach the mover."""
    key, guests = session_with(base, owner, "tic_tac_toe", [("X", [0]), ("O", [1])])
    x, o = Socket(base, guests["X"], key), Socket(base, guests["O"], key)
    assert x.snapshot() and o.snapshot()
    took = []
    for role, cell in ((0, 0), (1, 3), (0, 1), (1, 4), (0, 2)):
        mover = (x, o)[role]
        target = max(x.version, o.version) + 1
        started = time.monotonic()
        mover.send(action="move", role=role, op=cell, args="[]", state_version=target - 1)
        assert mover.read_until(lambda s: s.version >= target, 10), mover.flashes
        took.append(time.monotonic() - started)
        (o, x)[role].read_until(lambda s: s.version >= target, 10)
    return took


@pytest.mark.slow
def test_slow_and_spinning_moves_hold_only_their_own_play_through(tmp_path):
    servers = portal(tmp_path, games=("tic_tac_toe",), fixtures=("slow_moves",))
    base = servers.bases[0]
    crowds = []
    try:
        owner = teacher(base)
        crowds = [crowd(base, owner, 1), crowd(base, owner, 2)]     # sleeping, spinning
        time.sleep(1.0)
        pages = []
        for _ in range(2):
            took = play_fast_game(base, owner)
            assert max(took) < LIMIT, took
            for path in ("/games/", "/", "/auth/login"):
                started = time.monotonic()
                assert requests.get(base + path, timeout=LIMIT * 2).ok
                pages.append(time.monotonic() - started)
        assert max(pages) < LIMIT, pages
        # The slow moves were still running all along (nobody else waited for them).
        for sockets, version in crowds:
            sockets[0].read_until(lambda s: False, 0.2)
            assert sockets[0].version == version
    finally:
        for sockets, _ in crowds:
            for s in sockets:
                s.close()
        servers.stop()
    assert "lock rule broken" not in servers.logs()
