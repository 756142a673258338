"""Presence, slow and failing game code, artifacts and bots over real sockets."""
import html
import json
import time

from webapp.models import Session

from ..players import Player
from ..test_live import live_pt, move, play_setup, seat, start
from .support import FIXTURES, events, install, names_of, session_row, wait_until


def players_region(text):
    return text.split('id="players"', 1)[1].split("</section>", 1)[0] if 'id="players"' in text \
        else ""


def names_of(app, key):
    """Pseudonymous participant id -> display name (format 2 logs name participants only
    by their ids; the names are in the database)."""
    with app.app_context():
        return {p.pseudonym: p.display_name
                for p in Session.query.filter_by(key=key).one().participants}


def named(app, key, pt, type_):
    """Presence events with the person's name."""
    names = names_of(app, key)
    return [dict(e, name=names.get(e.get("participant"))) for e in events(pt, type_)]


def test_a_dropped_player_keeps_the_seat_and_everyone_leaving_pauses_the_session(app, live_server):
    app.config["RECONNECT_WINDOW_SECONDS"] = 1.0
    owner, (ann, bob), key = play_setup(app, live_server, "tic_tac_toe",
                                        [("Ann", [0]), ("Bob", [1])])
    pt = live_pt(app, key)
    names = names_of(app, key)
    wait_until(lambda: {names[e["participant"]] for e in events(pt, "player_joined")}
               == {"Teacher", "Ann", "Bob"})
    ann.close()
    text = bob.wait_for(lambda t: "Ann" in players_region(t) and "disconnected" in t)
    assert "disconnected" in players_region(text)
    ann.connect(key)                                  # back within the window: same seat
    ann.wait_for(lambda t: 'id="state-view"' in t and "Your turn" in t)
    wait_until(lambda: any(names[e["participant"]] == "Ann"
                           for e in events(pt, "player_reconnected")))
    assert not events(pt, "player_left")
    for p in (owner, ann, bob):
        p.close()
    wait_until(lambda: session_row(app, key).status == "paused", timeout=5)
    assert {names[e["participant"]] for e in events(pt, "player_left")} == \
        {"Teacher", "Ann", "Bob"}
    assert not any(n in json.dumps(events(pt)) for n in ("Teacher", "Ann", "Bob"))
    paused = events(pt, "paused")[-1]
    assert paused["reason"] == "everyone left"
    assert all("token" not in json.dumps(e) for e in events(pt))
    bob.connect(key)                                  # somebody is back: play goes on
    wait_until(lambda: session_row(app, key).status == "in_progress")
    assert events(pt, "resumed")[-1]["by"] == "host"    # the portal resumed it
    version = pt.version
    move(ann.connect(key), pt, 0, 4)
    bob.wait_version(version + 1)
    for p in (ann, bob):
        p.close()


def second_session(app, base, owner, slug, names_roles):
    """Another session of the same owner, with guests seated and connected."""
    from ..test_live import participant_id
    key = owner.start_session(slug)
    players = []
    for name, roles in names_roles:
        player = Player(base).join(key, name)
        pid = participant_id(app, key, name)
        owner.post(f"/s/{key}/seat", {"participant_id": pid, "roles": roles},
                   csrf_from=f"/s/{key}/lobby")
        players.append(player)
    owner.connect(key)
    for p in players:
        p.connect(key)
    start(owner, key, [owner] + players)
    for p in [owner] + players:
        p.close()
        p.received.clear()
        p.connect(key)
        p.wait_for(lambda t: 'id="state-view"' in t)
    return key, players


def test_a_slow_move_shows_thinking_and_never_holds_up_another_session(app, live_server,
                                                                      monkeypatch):
    monkeypatch.setenv("SZ_CHAT_DELAY", "2")
    install(app, "chat_with_model")
    owner, (ann, bob), ttt_key = play_setup(app, live_server, "tic_tac_toe",
                                            [("Ann", [0]), ("Bob", [1])])
    chat_key, (cat,) = second_session(app, live_server, Player(live_server).login("teacher"),
                                      "chat_with_model", [("Cat", [0])])
    chat, ttt = live_pt(app, chat_key), live_pt(app, ttt_key)
    began = time.monotonic()
    move(cat, chat, 0, 0, ["I feel tired today"])
    thinking = cat.wait_for(lambda t: 'id="live-status"' in t and "working on Cat" in t)
    assert 'id="state-view"' not in thinking
    for role, player, op in ((0, ann, 4), (1, bob, 0), (0, ann, 1)):
        version, sent = ttt.version, time.monotonic()
        move(player, ttt, role, op)
        player.wait_version(version + 1)
        assert time.monotonic() - sent < 0.5, "another session waited for the slow game"
    assert time.monotonic() - began < 1.8 and chat.k == 0     # the chat move is still running
    done = cat.wait_for(lambda t: 'id="state-view"' in t and 'data-version="2"' in t, timeout=5)
    assert "working on" not in done and chat.k == 1
    for p in (owner, ann, bob, cat):
        p.close()


def test_game_code_that_raises_gives_a_clear_message_and_changes_nothing(app, live_server):
    install(app, "raising", FIXTURES / "raising")
    owner, (ann,), key = play_setup(app, live_server, "raising", [("Ann", [0])])
    pt = live_pt(app, key)
    version, state_hash = pt.version, pt.state_hash
    move(ann, pt, 0, 0)
    text = ann.flash()
    assert "boom in the transition" in text and "Nothing changed" in text
    assert (pt.version, pt.state_hash, pt.k) == (version, state_hash, 0)
    move(ann, pt, 0, 2)                               # a working move still goes through
    ann.wait_version(version + 1)
    for p in (owner, ann):
        p.close()


def test_every_save_is_a_versioned_artifact_its_writer_can_read(app, live_server):
    install(app, "writing_exercise")
    owner, (ann, olly), key = play_setup(app, live_server, "writing_exercise",
                                         [("Ann", [0]), ("Olly", [1])])
    pt = live_pt(app, key)
    first = ann.http.get(f"{live_server}/s/{key}/play").text
    assert 'class="op-button editor-open"' in first and "Write three paragraphs" in first
    drafts = ["Title: Home\n\nMy first draft.", "Title: Home\n\nMy second, longer draft."]
    for n, text in enumerate(drafts, start=1):
        version = pt.version
        move(ann, pt, 0, 0, [text])
        pushed = ann.wait_version(version + 1)
        assert f"draft.txt v{n}</a>" in pushed
    assert html.escape(drafts[1]).replace("\n", "&#10;") in pushed or \
        html.escape(drafts[1]) in pushed                 # the editor reopens the last save
    saved = events(pt, "artifact_saved")
    names = names_of(app, key)
    assert [(e["name"], e["version"], names[e["actor"]["participant"]]) for e in saved] == \
        [("draft.txt", 1, "Ann"), ("draft.txt", 2, "Ann")]
    url = f"{live_server}/s/{key}/artifacts/1/1/draft.txt"
    page = ann.http.get(url)
    assert page.status_code == 200 and "My first draft." in page.text
    assert owner.http.get(url).status_code == 200
    assert olly.http.get(url).status_code == 403
    assert 'id="artifacts"' in olly.http.get(f"{live_server}/s/{key}/play").text
    assert "draft.txt v1" not in olly.http.get(f"{live_server}/s/{key}/play").text
    assert ann.http.get(f"{live_server}/s/{key}/artifacts/1/9/draft.txt").status_code == 404
    for p in (owner, ann, olly):
        p.close()


def test_bots_fill_parameters_and_an_all_bot_session_ends(app, live_server, make_user):
    make_user("teacher", kind="instructor")
    owner = Player(live_server).login("teacher")
    key = owner.start_session("guess_my_age")
    owner.post(f"/s/{key}/bot", {"role": 0, "strategy": "random"}, csrf_from=f"/s/{key}/lobby")
    assert owner.post(f"/s/{key}/start", {}, csrf_from=f"/s/{key}/lobby").ok
    wait_until(lambda: session_row(app, key).status == "ended", timeout=10)
    pt = live_pt(app, key)
    guesses = [m for m in pt.moves if m["args"]]
    assert guesses and all(14 <= m["args"][0] <= 21 for m in guesses)
    assert pt.ended == "goal"
