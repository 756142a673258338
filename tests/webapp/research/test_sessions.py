"""Sessions list (filters, sorting, pagination) and session detail pages."""
import datetime
import re

from webapp.extensions import db
from webapp.models import PlayThroughRecord, Session

from .conftest import record_of


def rows(html):
    body = html.split('id="sessions-table"')[1].split("</tbody>")[0]
    return re.findall(r"<tr>\s*<td><a href=\"/research/s/([^\"]+)\">", body)


def test_filters_sort_and_pages(app, client, researcher, played):
    keys = [played(created=datetime.datetime(2025, 4, d, 9)) for d in (1, 2, 3)]
    other = played("rock_paper_scissors", owner="tom", created=datetime.datetime(2025, 4, 4))
    with app.app_context():
        record = db.session.get(PlayThroughRecord, record_of(app, keys[1]))
        record.validation_status, record.validation_class = "non_canonical", "wrong_turn"
        db.session.commit()
    page = client.get("/research/").get_data(as_text=True)
    assert rows(page) == [other] + keys[::-1]
    assert rows(client.get("/research/?game=tic_tac_toe&order=asc").get_data(as_text=True)) \
        == keys
    assert rows(client.get("/research/?owner=tom").get_data(as_text=True)) == [other]
    assert rows(client.get("/research/?validation=non_canonical").get_data(as_text=True)) \
        == [keys[1]]
    ranged = client.get("/research/?from=2025-04-02&to=2025-04-03").get_data(as_text=True)
    assert rows(ranged) == [keys[2], keys[1]]
    first = client.get("/research/?per_page=3").get_data(as_text=True)
    assert "page 1 of 2" in first and rows(first) == [other, keys[2], keys[1]]
    second = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert rows(client.get(second).get_data(as_text=True)) == [keys[0]]
    assert "wrong turn" in page


def test_bad_filters_get_a_clear_message(client, researcher, played):
    played()
    for query, message in (("status=paused-ish", "Unknown status"),
                           ("from=31/12/2025", "from must be a date"),
                           ("from=2025-05-02&to=2025-05-01", "from is after to"),
                           ("sort=secret", "Cannot sort by"), ("page=0", "page must be")):
        page = client.get(f"/research/?{query}", follow_redirects=True).get_data(as_text=True)
        assert message in page, query


def test_session_detail_shows_seats_playthroughs_and_export_forms(app, client, researcher,
                                                                  played):
    key = played(playthroughs=2)
    page = client.get(f"/research/s/{key}").get_data(as_text=True)
    with app.app_context():
        game_session = Session.query.filter_by(key=key).one()
        records = [(r.id, r.steps) for r in game_session.playthroughs]
    assert "Bot X" in page and "Bot O" in page and "Teacher (teacher)" in page
    for record_id, steps in records:
        row = page.split(f'id="playthrough-{record_id}"')[1].split("</tr>")[0]
        assert f"<td>{steps}</td>" in row and "(goal)" in row and "unvalidated" in row
        assert f'action="/playthroughs/{record_id}/export"' in row
        assert 'name="format" value="log"' in row and 'name="format" value="zip"' in row
    form = page.split('id="export-session"')[0].rsplit("<form", 1)[1] + \
        page.split('id="export-session"')[1].split("</form>")[0]
    assert f'action="/s/{key}/export"' in form and 'name="include_notes"' in form
    assert 'name="csrf_token"' in form
    assert client.get("/research/s/nope").status_code == 404
