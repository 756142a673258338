"""Latecomers in a running session: they show up as watchers, the owner seats them
(replacing a bot, taking a seat over, or sharing a role), the log says so in
``seat_changed`` events and stays canonical."""
import re

from engine.loader import GameSource
from engine.log import read_events
from engine.replay import validate
from webapp.models import Participant, Session

from .players import Player
from .test_live import live_pt, move, participant_id, play_setup


def seat_live(owner, key, pid, role, mode="replace"):
    return owner.post(f"/s/{key}/seat-live", {"participant_id": pid, "role": role,
                                              "mode": mode},
                      csrf_from=f"/s/{key}/play", headers={"HX-Request": "true"})


def canonical(app, pt):
    folder = app.config["GAMES_DIR"] + "/tic_tac_toe"
    report = validate(pt.log.path, lambda slug, v: GameSource(folder), allow_open=True)
    assert report["status"] == "canonical", report


def bot_for(owner, key, role):
    owner.post(f"/s/{key}/bot", {"role": role, "strategy": "first"},
               csrf_from=f"/s/{key}/lobby")


def test_a_latecomer_is_listed_announced_and_seated_in_a_bots_role(app, live_server):
    from .test_live import setup_game, start
    app.config["BOT_DELAY_SECONDS"] = 30          # the bot must not move before Dana
    owner, (ann,), key = setup_game(app, live_server, "tic_tac_toe", [("Ann", [0])])
    bot_for(owner, key, 1)
    start(owner, key, [owner, ann])
    for p in (owner, ann):
        p.close()
        p.received.clear()
        p.connect(key)
        p.wait_for(lambda t: 'id="state-view"' in t)
    pt = live_pt(app, key)
    move(ann, pt, 0, 4)
    ann.wait_version(2)
    dana = Player(live_server).join(key, "Dana")
    dana.connect(key)
    dana.wait_for(lambda t: 'id="state-view"' in t)
    owner.wait_for(lambda t: "Dana joined" in t and 'id="flash"' in t)
    shown = owner.wait_for(lambda t: 'id="players"' in t and "Dana" in t)
    assert "watching" in shown.split("Dana")[1].split("</li>")[0]
    assert "Dana joined" not in "".join(ann.received)
    # everyone connected appears, also after a reload of the owner's page
    page = owner.http.get(f"{live_server}/s/{key}/play").text
    assert "Dana" in page.split('id="players"')[1] and 'class="seat-live-form' in page
    dana_id = participant_id(app, key, "Dana")
    version = pt.version
    assert seat_live(owner, key, dana_id, 1).ok
    text = dana.wait_for(lambda t: "Your turn (O)" in t)
    assert "Your moves" in text
    move(dana, pt, 1, 0)
    dana.wait_version(version + 1)
    assert pt.k == 2
    with app.app_context():
        game_session = Session.query.filter_by(key=key).one()
        roles = {p.display_name: list(p.roles) for p in game_session.participants}
        bot = next(p for p in game_session.participants if p.kind == "bot")
    assert roles["Dana"] == [1] and bot.roles == []
    events = read_events(pt.log.path)
    changed = [e for e in events if e["type"] == "seat_changed"]
    assert len(changed) == 1 and changed[0]["role"] == 1 and changed[0]["kind"] == "human"
    assert changed[0]["previous"][0]["kind"] == "bot"
    assert "Dana" not in open(pt.log.path).read()
    canonical(app, pt)
    for p in (owner, ann, dana):
        p.close()


def test_a_latecomer_shares_a_role_and_the_first_holder_still_moves(app, live_server):
    owner, (ann, bob), key = play_setup(app, live_server, "tic_tac_toe",
                                        [("Ann", [0]), ("Bob", [1])])
    pt = live_pt(app, key)
    cleo = Player(live_server).join(key, "Cleo")
    cleo.connect(key)
    cleo.wait_for(lambda t: 'id="state-view"' in t)
    assert seat_live(owner, key, participant_id(app, key, "Cleo"), 0, "share").ok
    cleo.wait_for(lambda t: "Your turn (X)" in t)
    move(cleo, pt, 0, 4)
    bob.wait_version(2)
    move(bob, pt, 1, 0)
    ann.wait_version(3)
    move(ann, pt, 0, 8)          # Ann still holds X beside Cleo
    bob.wait_version(4)
    assert pt.k == 3
    changed = [e for e in read_events(pt.log.path) if e["type"] == "seat_changed"]
    assert changed[0]["shared"] is True and len(changed[0]["previous"]) == 1
    canonical(app, pt)
    for p in (owner, ann, bob, cleo):
        p.close()


def test_seating_mid_game_refuses_bad_requests_and_changes_nothing(app, live_server):
    owner, (ann, bob), key = play_setup(app, live_server, "tic_tac_toe",
                                        [("Ann", [0]), ("Bob", [1])])
    pt = live_pt(app, key)
    eve = Player(live_server).join(key, "Eve")
    eve.connect(key)
    eve_id = participant_id(app, key, "Eve")
    eve.wait_for(lambda t: 'id="state-view"' in t)
    for data in ({"participant_id": eve_id, "role": 7}, {"participant_id": eve_id, "role": "x"},
                 {"participant_id": 999999, "role": 1}, {"participant_id": eve_id},
                 {"participant_id": eve_id, "role": 1, "mode": "steal"}):
        answer = owner.post(f"/s/{key}/seat-live", data, csrf_from=f"/s/{key}/play",
                            headers={"HX-Request": "true"})
        assert answer.status_code == 200 and 'class="flash error"' in answer.text, data
    # only the owner seats people
    page = eve.http.get(f"{live_server}/s/{key}/play").text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    refused = eve.http.post(f"{live_server}/s/{key}/seat-live", allow_redirects=False,
                            data={"participant_id": eve_id, "role": 1, "csrf_token": token})
    assert refused.status_code in (302, 403) and "/auth/login" in (
        refused.headers.get("Location") or "/auth/login")
    assert not [e for e in read_events(pt.log.path) if e["type"] == "seat_changed"]
    with app.app_context():
        assert Participant.query.filter_by(display_name="Eve").one().roles == []
    canonical(app, pt)
    for p in (owner, ann, bob, eve):
        p.close()
