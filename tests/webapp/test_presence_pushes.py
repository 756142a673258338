"""Sockets opening and closing in a burst (a class arriving, every page moving from the
lobby to the game) cost one push to everyone per burst, not one per socket: N sockets
used to be sent N²/2 pushes, all of them the same list of who is connected."""
import re
import time

from sqlalchemy import event

from webapp.models import Participant

from .players import Player
from .test_live import setup_game, start

WATCHERS = 20


def connected_names(text):
    """Names the players region shows as connected (a green dot)."""
    players = re.search(r'id="players".*?</ul>', text, re.S)
    assert players, "no players region"
    return set(re.findall(r'class="dot on"[^>]*></span>\s*([^<\s][^<]*?)\s*<', players.group(0)))


def test_a_class_arriving_is_pushed_to_each_socket_a_few_times_not_once_per_arrival(
        app, live_server):
    app.config["PRESENCE_PUSH_SECONDS"] = 1.0     # a burst is a few windows on any machine
    owner, (ann, bo), key = setup_game(app, live_server, "tic_tac_toe",
                                       [("Ann", [0]), ("Bo", [1])])
    start(owner, key, [owner, ann, bo])
    everyone = [owner, ann, bo]
    for p in everyone:                      # the game pages' sockets
        p.close()
        p.connect(key)
        p.wait_for(lambda t: 'id="state-view"' in t)
    for p in everyone:
        p.drain(0.5)
        p.received.clear()
    class_ = [Player(live_server).join(key, f"Watcher{i}") for i in range(WATCHERS)]
    started = time.monotonic()
    for p in class_:
        p.connect(key)
        p.wait_for(lambda t: 'id="state-view"' in t)     # its own first state, at once
    took = time.monotonic() - started
    everyone += class_
    time.sleep(1.2)
    for p in everyone:
        p.drain(0.5)
    # The owner is told of each latecomer (a flash); the rest is who is here.  One push
    # to every open socket per join and per socket opening was 2 x (3 + 4 + ... + 22),
    # ~500; coalesced, each socket gets a few (its first state, then a push a window).
    pushes = sum(1 for p in everyone for t in p.received if 'id="flash"' not in t)
    assert pushes <= 6 * len(everyone), (pushes, took)
    names = {f"Watcher{i}" for i in range(WATCHERS)} | {"Ann", "Bo"}
    for p in everyone:                      # and every page ends up right
        assert names <= connected_names(p.page()), (names - connected_names(p.page()))
    # A latecomer's socket and game page read their own seat, not every participant's
    # row (23 of them here) while this process holds the play-through.
    late = Player(live_server).join(key, "Latecomer")
    loaded = []

    def note(target, _context):
        loaded.append(target.id)
    event.listen(Participant, "load", note)
    try:
        late.connect(key)
        late.wait_for(lambda t: 'id="state-view"' in t)
        assert 'id="state-view"' in late.http.get(f"{live_server}/s/{key}/play").text
        time.sleep(1.2)                     # the others' push too
    finally:
        event.remove(Participant, "load", note)
    assert len(loaded) <= 4, loaded
    late.close()
    for p in class_[:6]:                    # part of the class leaves at once
        p.close()
    time.sleep(1.2)
    for p in everyone[:3]:
        p.drain(0.5)
        shown = connected_names(p.page())
        assert not shown & {f"Watcher{i}" for i in range(6)}, shown
        assert {f"Watcher{i}" for i in range(6, WATCHERS)} <= shown, shown
    for p in everyone:
        p.close()
