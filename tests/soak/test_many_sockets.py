"""Sockets are cheap and bounded on the default server: 300 open sockets from one
address leave pages answering; a seat's sockets beyond the limit are refused with a
message; slow clients that never finish their request head are cut off."""
import asyncio
import socket
import time

import pytest
import requests

from .servers import portal, session_with, teacher


def timed_get(url):
    started = time.monotonic()
    assert requests.get(url, timeout=5).ok
    return time.monotonic() - started


async def open_sockets(base, specs):
    """Open a socket per (browser, key) concurrently, each read by its own task (as a
    browser does); returns (sockets, their received texts)."""
    import websockets
    received = []

    async def one(browser, key):
        ws = await websockets.connect(base.replace("http://", "ws://") + f"/ws/s/{key}",
                                      origin=base, max_size=2 ** 24, open_timeout=30,
                                      additional_headers={"Cookie": browser.cookie_header()})
        texts = []
        received.append(texts)

        async def read():
            try:
                async for text in ws:
                    texts.append(text)
            except websockets.ConnectionClosed:
                pass
        asyncio.get_running_loop().create_task(read())
        return ws
    sem = asyncio.Semaphore(20)

    async def limited(browser, key):
        async with sem:
            return await one(browser, key)
    return await asyncio.gather(*(limited(b, k) for b, k in specs)), received


@pytest.mark.slow
def test_300_sockets_and_the_limit_per_seat(tmp_path):
    servers = portal(tmp_path)
    base = servers.bases[0]
    try:
        owner = teacher(base)
        specs, seats = [], {}
        for s in range(10):
            names = [f"S{s}G{i}" for i in range(5)]
            key, guests = session_with(base, owner, "tic_tac_toe",
                                       [(names[0], [0]), (names[1], [1])]
                                       + [(n, []) for n in names[2:]])
            specs += [(guests[n], key) for n in names for _ in range(6)]
            seats[s] = (key, guests[names[0]])

        async def scenario():
            sockets, received = await open_sockets(base, specs)
            assert len(sockets) == 300
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 30
            while loop.time() < deadline and not all(received_state(t) for t in received):
                await asyncio.sleep(0.2)
            assert all(received_state(t) for t in received), "a socket got no snapshot"
            pages = [await loop.run_in_executor(None, timed_get, base + path)
                     for path in ("/games/", "/", "/auth/login")]
            assert max(pages) < 1.0, pages
            key, seat = seats[0]
            extra, texts = await open_sockets(base, [(seat, key)])
            await asyncio.sleep(1.0)
            flashes = [t for t in texts[0] if "already has 6 open windows" in t]
            assert flashes, texts[0][:2]
            assert extra[0].close_code == 1008
            assert await loop.run_in_executor(None, timed_get, base + "/games/") < 1.0
            await asyncio.gather(*(ws.close() for ws in sockets + extra),
                                 return_exceptions=True)
        asyncio.run(scenario())
    finally:
        servers.stop()
    assert "Traceback" not in servers.logs()


def received_state(texts):
    return any('id="state-view"' in t for t in texts)


@pytest.mark.slow
def test_slow_request_heads_are_cut_off(tmp_path):
    servers = portal(tmp_path, extra_env={"HEADER_SECONDS": "2"})
    base = servers.bases[0]
    port = int(base.rsplit(":", 1)[1])
    slow = []
    try:
        for _ in range(60):
            conn = socket.create_connection(("127.0.0.1", port))
            conn.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            slow.append(conn)
        assert timed_get(base + "/games/") < 1.0
        time.sleep(4)
        for conn in slow:
            conn.settimeout(3)
            assert conn.recv(100) == b"", "a slow head kept its connection"
        assert timed_get(base + "/games/") < 1.0
    finally:
        for conn in slow:
            conn.close()
        servers.stop()
