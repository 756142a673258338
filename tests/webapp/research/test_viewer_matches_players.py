"""The viewer's rebuilt view at a step is exactly what each player was sent at that step."""
import json
import re

import pytest

from ..test_live import live_pt, play_setup
from .test_viewer import view_html

STATE_RE = re.compile(r'<section id="state-view"[^>]*data-version="(\d+)"[^>]*>\n  (.*?)\n'
                      r'</section>', re.S)


def latest_view(player, version):
    """The state-view HTML in the newest fragment of ``version`` this player received."""
    for text in reversed(player.received):
        for found_version, html in STATE_RE.findall(text):
            if int(found_version) == version:
                return html
    raise AssertionError(f"no state view of version {version} received")


def has_version(texts, version):
    return any(int(v) == version for t in texts for v, _ in STATE_RE.findall(t))


def last_seq(pt):
    with open(pt.log.path, encoding="utf-8") as f:
        return json.loads(f.read().splitlines()[-1])["seq"]


def play_and_record(pt, by_role, max_moves):
    """Make moves over the sockets; [(seq, role, html the player of role saw)]."""
    seen = []
    for _ in range(max_moves):
        if pt.ended:
            break
        movers = [r for r in pt.roles_to_move() if pt.applicable(r)]
        if not movers:
            break
        role = movers[0]
        op, args = pt.bot_move(role, "first")
        before = pt.version
        by_role[role].send(action="move", role=role, op=op, args=json.dumps(args),
                           state_version=before)
        by_role[role].wait_for(lambda t, b=before: any(
            int(v) > b for v, _ in STATE_RE.findall(t)))
        version = pt.version
        for r, player in by_role.items():
            if not has_version(player.received, version):
                player.wait_for(lambda t, v=version: has_version([t], v))
            seen.append((last_seq(pt), r, latest_view(player, version)))
    return seen


@pytest.mark.parametrize("slug, names_roles, max_moves", [
    ("tic_tac_toe", [("Ann", [0]), ("Bob", [1])], 9),
    ("rock_paper_scissors", [("Ann", [0]), ("Bob", [1])], 6),
    ("deduction_cards", [("Ann", [0]), ("Bob", [1]), ("Cy", [2])], 14),
])
def test_viewer_view_equals_what_each_player_saw(app, live_server, client, make_user, login,
                                                 slug, names_roles, max_moves):
    owner, players, key = play_setup(app, live_server, slug, names_roles)
    pt = live_pt(app, key)
    by_role = {roles[0]: p for (_, roles), p in zip(names_roles, players)}
    seen = play_and_record(pt, by_role, max_moves)
    for p in [owner] + players:
        p.close()
    assert len(seen) >= max_moves // 2 * len(by_role)
    record = app.extensions["live"].live(key).record_id
    make_user("rita", kind="researcher")
    login("rita")
    private = 0
    for seq, role, html in seen:
        page = client.get(f"/research/playthroughs/{record}?seq={seq}&role={role}")
        assert page.status_code == 200
        assert view_html(page.get_data(as_text=True)).strip() == html.strip(), (seq, role)
        others = [h for s, r, h in seen if s == seq and r != role]
        private += any(h != html for h in others)
    if slug != "tic_tac_toe":
        assert private, "roles never saw different views: the comparison proves little"
