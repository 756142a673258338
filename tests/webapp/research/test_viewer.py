"""The play-through viewer: events step by step, any role's view rebuilt by the engine."""
import json
import re

from webapp.extensions import db
from webapp.models import PlayThroughRecord

from .conftest import log_events, record_of

VIEW_RE = re.compile(r'<section id="replay-view"[^>]*>(.*?)</section>\s*<aside', re.S)


def view_html(html):
    found = VIEW_RE.search(html)
    assert found, "the viewer shows no game view"
    return found.group(1)


def test_stepping_shows_each_event_and_the_board_after_it(client, app, researcher, played):
    record = record_of(app, played())
    events = log_events(app, record)
    first_move = next(e for e in events if e["type"] == "move")
    start = client.get(f"/research/playthroughs/{record}?seq=0").get_data(as_text=True)
    after = client.get(f"/research/playthroughs/{record}?seq={first_move['seq']}"
                       ).get_data(as_text=True)
    assert view_html(start) != view_html(after)
    assert f"Event {first_move['seq'] + 1}: move" in after
    assert first_move["op_name"] in after and first_move["message"] in after
    with app.app_context():          # format 2 logs a pseudonym; the page shows the name
        from webapp.models import Participant
        who = Participant.query.filter_by(
            pseudonym=first_move["actor"]["participant"]).one().display_name
    assert who in after and first_move["actor"]["participant"] not in after
    assert f'data-step="next" id="step-next" href="/research/playthroughs/{record}?seq=' \
           f'{first_move["seq"] + 1}' in after
    last = client.get(f"/research/playthroughs/{record}?seq={len(events) - 1}"
                      ).get_data(as_text=True)
    assert 'data-step="next"' not in last and "play-through ended (goal)" in last


def test_each_role_sees_its_own_view(client, app, researcher, played):
    record = record_of(app, played("rock_paper_scissors"))
    events = log_events(app, record)
    first = next(e for e in events if e["type"] == "move")
    mover = first["actor"]["role"]
    other = 1 - mover
    mine = client.get(f"/research/playthroughs/{record}?seq={first['seq']}&role={mover}")
    theirs = client.get(f"/research/playthroughs/{record}?seq={first['seq']}&role={other}")
    assert "You chose" in view_html(mine.get_data(as_text=True))
    assert "You chose" not in view_html(theirs.get_data(as_text=True))


def test_bad_step_or_role_gets_a_clear_message(client, app, researcher, played):
    record = record_of(app, played())
    for query, message in (("seq=abc", "seq must be a whole number"),
                           ("seq=999", "There is no event 999"),
                           ("role=7", "There is no role 7")):
        page = client.get(f"/research/playthroughs/{record}?{query}", follow_redirects=True)
        assert message in page.get_data(as_text=True)
    assert client.get("/research/playthroughs/99999").status_code == 404


def tamper(path, seq, change):
    lines = open(path, encoding="utf-8").read().splitlines()
    event = json.loads(lines[seq])
    change(event)
    lines[seq] = json.dumps(event, separators=(",", ":"))
    open(path, "w", encoding="utf-8").write("\n".join(lines) + "\n")


def test_tampered_log_offers_a_jump_to_the_first_failure(client, app, researcher, played):
    record = record_of(app, played())
    events = log_events(app, record)
    moves = [e for e in events if e["type"] == "move"]
    target = moves[2]
    with app.app_context():
        path = db.session.get(PlayThroughRecord, record).log_path

    def replay_first_square(event):   # an occupied square: illegal, and breaks the chain
        event["op"] = moves[0]["op"]
    tamper(path, target["seq"], replay_first_square)
    page = client.get(f"/research/playthroughs/{record}").get_data(as_text=True)
    assert "non canonical" in page and "Replayed now" in page
    jump = re.search(r'id="jump-failure"[^>]*href="([^"]+)"', page)
    assert jump, "no jump link to the first failure"
    failed = client.get(jump.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert 'aria-current="step"' in failed and "first failure" in failed
    later = client.get(f"/research/playthroughs/{record}?seq={target['seq'] + 1}"
                       ).get_data(as_text=True)
    assert f"cannot apply event {target['seq']}" in later


def test_stored_validation_report_is_shown_without_replaying(client, app, researcher, played):
    record = record_of(app, played())
    with app.app_context():
        row = db.session.get(PlayThroughRecord, record)
        row.validation_status = "non_canonical"
        row.validation_report = {"status": "non_canonical", "counts": {"wrong_turn": 1},
                                 "steps_replayed": 2, "first_failure": {
                                     "class": "wrong_turn", "step": 3, "seq": 3,
                                     "message": "stored verdict marker", "diff": []}}
        db.session.commit()
    page = client.get(f"/research/playthroughs/{record}").get_data(as_text=True)
    assert "stored verdict marker" in page and "Stored report" in page
    assert 'href="/research/playthroughs/%d?seq=3' % record in page


def test_the_position_counts_every_event_and_the_view_is_inert(app, client, researcher,
                                                               played):
    record = record_of(app, played())
    count = len(log_events(app, record))
    first = client.get(f"/research/playthroughs/{record}?seq=0").get_data(as_text=True)
    last = client.get(f"/research/playthroughs/{record}?seq={count - 1}").get_data(
        as_text=True)
    assert f"Event 1 of {count} ·" in first and f"Event {count} of {count} ·" in last
    assert re.search(r'<section id="replay-view"[^>]*\binert\b[^>]*\bhx-disable\b', first)
