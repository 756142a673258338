"""The research pages show a session's real status: between play-throughs when only its
latest play-through ended (a rematch restarts it), ended once its owner ends it."""
import re
import time

from tests.webapp.test_live import setup_game
from webapp.models import Session


def wait_status(app, key, status, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            if Session.query.filter_by(key=key).one().status == status:
                return
        time.sleep(0.05)
    raise AssertionError(f"the session never became {status}")


def shown(researcher, key, query=""):
    page = researcher.http.get(f"{researcher.base}/research/{query}").text
    row = re.search(rf'href="/research/s/{key}".*?class="session-status">([^<]+)<', page, re.S)
    return row.group(1) if row else None


def test_a_rematch_restarts_what_only_looked_ended(app, live_server, make_user):
    from tests.webapp.players import Player
    owner, _, key = setup_game(app, live_server, "tic_tac_toe", [])
    for role in (0, 1):
        owner.post(f"/s/{key}/bot", {"role": role, "strategy": "first"},
                   csrf_from=f"/s/{key}/lobby")
    owner.post(f"/s/{key}/start", {}, csrf_from=f"/s/{key}/lobby")
    wait_status(app, key, "ended")
    make_user("rita", kind="researcher")
    rita = Player(live_server).login("rita")
    assert shown(rita, key) == "between play-throughs"
    assert shown(rita, key, "?status=between") == "between play-throughs"
    assert shown(rita, key, "?status=ended") is None
    assert "between play-throughs" in owner.http.get(f"{live_server}/my/sessions").text
    assert owner.post(f"/s/{key}/rematch", {}, csrf_from=f"/s/{key}/play").ok
    wait_status(app, key, "ended")                          # the bots play it out again
    owner.post(f"/s/{key}/end", {}, csrf_from="/my/sessions")
    assert shown(rita, key) == "ended"
    assert shown(rita, key, "?status=ended") == "ended"
    assert 'id="session-status">ended<' in rita.http.get(
        f"{live_server}/research/s/{key}").text
    owner.close()
