"""One rule for what a watcher is shown: a guest seated as Observer, an unseated guest,
the owner's default and "public" views, an admin's Observe and the research viewer's
Observer render the same picture of the same step, and it holds no hand."""
import json
import re

import pytest

from webapp.catalog.seeding import install_game
from webapp.config import REPO_DIR
from webapp.extensions import db
from webapp.models import User

from .players import Player
from .test_live import live_pt, seat, start

SCENE_RE = re.compile(r'<section id="(?:state|replay)-view"[^>]*>\s*'
                      r'<div class="game-scene" hx-disable>(.*?)</div>\s*</section>', re.S)


def scene_of(page):
    found = SCENE_RE.search(page)
    assert found, "the page shows no game scene"
    return found.group(1)


def users(app, *names_kinds):
    with app.app_context():
        for name, kind in names_kinds:
            user = User(username=name, kind=kind, display_name=name.title())
            user.set_password("pw")
            db.session.add(user)
        db.session.commit()


@pytest.mark.parametrize("slug, folder", [
    ("secret_hands", REPO_DIR / "tests" / "fixtures" / "games" / "secret_hands"),
    ("watcher_raises", REPO_DIR / "tests" / "fixtures" / "games" / "watcher_raises"),
    ("tic_tac_toe", REPO_DIR / "games" / "tic_tac_toe")])
def test_every_watcher_sees_the_same_picture_as_the_research_viewer(app, live_server, slug,
                                                                     folder):
    with app.app_context():
        install_game(folder)
    users(app, ("teacher", "instructor"), ("boss", "admin"), ("rita", "researcher"))
    owner = Player(live_server).login("teacher")
    key = owner.start_session(slug)
    with app.app_context():
        from webapp.models import Game
        roles = Game.query.filter_by(slug=slug).one().roles
    players = {}
    for r in roles:
        name = f"P{r['num']}"
        players[r["num"]] = Player(live_server).join(key, name)
        seat(owner, app, key, name, r["num"])
    wanda = Player(live_server).join(key, "Wanda")
    owner.connect(key)
    start(owner, key, [owner])
    owner.close()
    admin = Player(live_server).login("boss")
    assert admin.http.get(f"{live_server}/admin/sessions/{key}/observe").ok
    pt = live_pt(app, key)
    mover = players[pt.roles_to_move()[0]]
    mover.connect(key)
    for _ in range(2):
        role = pt.roles_to_move()[0]
        op, args = pt.bot_move(role, "first")
        before = pt.version
        players[role].connect(key) if players[role] is not mover else None
        players[role].send(action="move", role=role, op=op, args=json.dumps(args),
                           state_version=before)
        players[role].wait_for(lambda t: f'data-version="{before + 1}"' in t)
    observer_seats = [players[r["num"]] for r in roles if r["observer"]]
    play = f"{live_server}/s/{key}/play"
    pictures = {
        "unseated guest": wanda.http.get(play).text,
        "owner (own seat)": owner.http.get(play).text,
        "admin Observe": admin.http.get(play).text,
        "owner public view": owner.http.get(play + "?as=observer").text,
    }
    for p in observer_seats:
        pictures["seated as Observer"] = p.http.get(play).text
    record = app.extensions["live"].live(key).record_id
    with open(pt.log.path, encoding="utf-8") as f:
        last = len(f.read().splitlines()) - 1
    rita = Player(live_server).login("rita")
    viewer = f"{live_server}/research/playthroughs/{record}?seq={last}&role="
    pictures["research viewer, Observer"] = rita.http.get(viewer + "observer").text
    for r in roles:
        if r["observer"]:
            pictures["research viewer, the observer role"] = rita.http.get(
                viewer + str(r["num"])).text
    scenes = {who: scene_of(page) for who, page in pictures.items()}
    first = scenes["research viewer, Observer"]
    assert all(scene == first for scene in scenes.values()), {
        who: scene[:200] for who, scene in scenes.items()}
    assert "secret" not in first.lower()
    if slug != "tic_tac_toe":             # the players' own pictures do differ
        mine = scene_of(rita.http.get(viewer + "0").text)
        assert mine != first and "secret" in mine.lower()
    for p in list(players.values()) + [owner, wanda, admin, rita]:
        p.close()
