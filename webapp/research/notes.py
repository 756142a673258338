"""Researchers' private notes: each note is seen, changed and exported by its author only."""
from ..extensions import db
from ..models import MAX_INTEGER, utcnow
from .models import NOTE_MAX_LENGTH, ResearchNote


class NoteError(ValueError):
    """A note that cannot be saved; the message is for people."""


def clean_body(text):
    body = (text or "").strip()
    if not body:
        raise NoteError("A note cannot be empty.")
    if len(body) > NOTE_MAX_LENGTH:
        raise NoteError(f"A note can have at most {NOTE_MAX_LENGTH} characters.")
    return body


def add_note(user_id, game_session, body, record=None, seq=None):
    """A new note on a session, a play-through of it, or one event (seq) of its log."""
    body = clean_body(body)
    if record is not None and record.session_id != game_session.id:
        raise NoteError("That play-through is not part of this session.")
    if seq is not None and (record is None or not 0 <= seq <= MAX_INTEGER):
        raise NoteError("A note on a step needs a play-through and a step number.")
    note = ResearchNote(user_id=user_id, session_id=game_session.id,
                        playthrough_id=record.id if record else None, seq=seq, body=body)
    db.session.add(note)
    db.session.commit()
    return note


def own_note(user_id, note_id):
    """The note if ``user_id`` wrote it, else None (other people's notes do not exist)."""
    note = db.session.get(ResearchNote, note_id)
    return note if note is not None and note.user_id == user_id else None


def update_note(note, body):
    note.body = clean_body(body)
    note.updated_at = utcnow()
    db.session.commit()


def delete_note(note):
    db.session.delete(note)
    db.session.commit()


def notes_of(user_id, session_id=None, playthrough_id=None, seq=None, target=None):
    """The user's notes, optionally narrowed to a session, a play-through or a step."""
    query = ResearchNote.query.filter_by(user_id=user_id)
    if session_id is not None:
        query = query.filter_by(session_id=session_id)
    if target == "session":
        query = query.filter(ResearchNote.playthrough_id.is_(None))
    elif playthrough_id is not None:
        query = query.filter_by(playthrough_id=playthrough_id)
        if target == "playthrough":
            query = query.filter(ResearchNote.seq.is_(None))
        elif seq is not None:
            query = query.filter(ResearchNote.seq == seq)
    return query.order_by(ResearchNote.created_at, ResearchNote.id).all()


def note_dict(note):
    """A note as JSON-ready data (annotations.json, the API)."""
    record = note.playthrough
    return {
        "id": note.id, "target": note.target, "session_key": note.session.key,
        "playthrough_id": note.playthrough_id,
        "playthrough_number": record.number if record is not None else None,
        "seq": note.seq, "body": note.body,
        "created_at": note.created_at.isoformat() + "Z",
        "updated_at": note.updated_at.isoformat() + "Z",
    }


def notes_for_export(user_id, session_id):
    """The notes ``user_id`` wrote on session ``session_id`` (and its play-throughs)."""
    return [note_dict(n) for n in notes_of(user_id, session_id=session_id)]


def step_counts(user_id, record):
    """seq -> number of the user's notes on that step of ``record``."""
    counts = {}
    for note in ResearchNote.query.filter_by(user_id=user_id, playthrough_id=record.id).filter(
            ResearchNote.seq.isnot(None)):
        counts[note.seq] = counts.get(note.seq, 0) + 1
    return counts

