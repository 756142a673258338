"""Notes are private to their author: pages, the API and exports never show them to others."""
import re

from webapp.extensions import db
from webapp.models import User
from webapp.research.notes import notes_for_export

from ..conftest import csrf_from
from .conftest import log_events, record_of
from .test_api import new_token


def add(client, key, body, record=None, seq=None, next_page=None):
    data = {"session": key, "body": body, "next": next_page or f"/research/s/{key}",
            "csrf_token": csrf_from(client.get(f"/research/s/{key}").get_data(as_text=True))}
    if record:
        data["playthrough"] = record
    if seq is not None:
        data["seq"] = seq
    return client.post("/research/notes", data=data, follow_redirects=True)


def user_id(app, username):
    with app.app_context():
        return User.query.filter_by(username=username).one().id


def session_id(app, key):
    with app.app_context():
        from webapp.models import Session
        return Session.query.filter_by(key=key).one().id


def test_notes_on_session_playthrough_and_step(app, client, researcher, played):
    key = played()
    record = record_of(app, key)
    seq = log_events(app, record)[3]["seq"]
    assert "Note saved" in add(client, key, "whole session note").get_data(as_text=True)
    add(client, key, "play-through note", record)
    add(client, key, "step <b>note</b>", record, seq)
    session_page = client.get(f"/research/s/{key}").get_data(as_text=True)
    assert "whole session note" in session_page and "play-through note" not in session_page
    step_page = client.get(f"/research/playthroughs/{record}?seq={seq}").get_data(as_text=True)
    assert "step &lt;b&gt;note&lt;/b&gt;" in step_page and "play-through note" in step_page
    other_step = client.get(f"/research/playthroughs/{record}?seq={seq + 1}").get_data(
        as_text=True)
    assert "step &lt;b&gt;note" not in other_step
    assert "✎ 1" in other_step          # the event list marks the annotated step
    listing = client.get("/research/notes").get_data(as_text=True)
    for body in ("whole session note", "play-through note", "step &lt;b&gt;note"):
        assert body in listing
    exported = notes_for_export_in(app, "rita", key)
    assert sorted(n["target"] for n in exported) == ["playthrough", "session", "step"]
    step = next(n for n in exported if n["target"] == "step")
    assert step["seq"] == seq and step["playthrough_number"] == 1 and step["session_key"] == key


def notes_for_export_in(app, username, key):
    with app.app_context():
        return notes_for_export(user_id(app, username), session_id(app, key))


def test_empty_or_misplaced_notes_are_refused(app, client, researcher, played):
    key, other = played(), played()
    record = record_of(app, other)
    assert "cannot be empty" in add(client, key, "   ").get_data(as_text=True)
    assert "not part of this session" in add(client, key, "x", record).get_data(as_text=True)
    assert "step number must be" in add(client, key, "x", record_of(app, key), "two"
                                        ).get_data(as_text=True)
    assert notes_for_export_in(app, "rita", key) == []
    page = add(client, key, "elsewhere", next_page="https://evil.example/")
    assert page.request.path == "/research/notes"      # no open redirect


def test_another_researcher_never_sees_my_notes(app, client, make_user, login, researcher,
                                                played):
    key = played()
    record = record_of(app, key)
    add(client, key, "rita secret session", record=None)
    add(client, key, "rita secret step", record, 2)
    with app.app_context():
        from webapp.research.models import ResearchNote
        note_id = ResearchNote.query.first().id
    make_user("ruth", kind="researcher")
    login("ruth")
    pages = [f"/research/s/{key}", f"/research/playthroughs/{record}?seq=2",
             f"/research/playthroughs/{record}", "/research/notes"]
    for path in pages:
        assert "rita secret" not in client.get(path).get_data(as_text=True), path
    csrf = csrf_from(client.get("/research/notes").get_data(as_text=True))
    assert client.post(f"/research/notes/{note_id}/edit",
                       data={"body": "hijacked", "csrf_token": csrf}).status_code == 404
    assert client.post(f"/research/notes/{note_id}/delete",
                       data={"csrf_token": csrf}).status_code == 404
    secret = new_token(client)
    for path in ("/sessions", f"/sessions/{key}", f"/playthroughs/{record}",
                 f"/playthroughs/{record}/log", f"/playthroughs/{record}/validation"):
        body = client.get("/api/v1" + path,
                          headers={"Authorization": f"Bearer {secret}"}).get_data(as_text=True)
        assert "rita secret" not in body
    assert notes_for_export_in(app, "ruth", key) == []
    assert len(notes_for_export_in(app, "rita", key)) == 2


def test_edit_and_delete_my_note(app, client, researcher, played):
    key = played()
    add(client, key, "first draft")
    page = client.get("/research/notes").get_data(as_text=True)
    note_id = re.search(r'id="note-(\d+)"', page).group(1)
    csrf = csrf_from(page)
    client.post(f"/research/notes/{note_id}/edit",
                data={"body": "second draft", "csrf_token": csrf, "next": "/research/notes"})
    page = client.get("/research/notes").get_data(as_text=True)
    assert "second draft" in page and "first draft" not in page
    refused = client.post(f"/research/notes/{note_id}/edit", data={
        "body": "", "csrf_token": csrf}, follow_redirects=True).get_data(as_text=True)
    assert "cannot be empty" in refused and "second draft" in refused
    client.post(f"/research/notes/{note_id}/delete", data={"csrf_token": csrf})
    assert "You have not written any notes yet" in client.get("/research/notes").get_data(
        as_text=True)
    with app.app_context():
        from webapp.research.models import ResearchNote
        assert db.session.query(ResearchNote).count() == 0
