"""Pages for a researcher's own notes: add, edit, delete, list."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..extensions import db
from ..models import PlayThroughRecord, Session, playthrough_row_id
from . import bp
from .access import research_required
from .notes import NoteError, add_note, delete_note, notes_of, own_note, update_note


def back(default):
    """Where to go after a note form: a local research page only (no open redirect)."""
    target = request.form.get("next") or ""
    if target.startswith("/research/") and not target.startswith("//") and "\\" not in target:
        return redirect(target)
    return redirect(default)


def parse_target():
    """(session, play-through or None, seq or None) named by the form; 404 if unknown."""
    game_session = Session.query.filter_by(key=request.form.get("session") or "").first()
    if game_session is None:
        abort(404)
    record, seq = None, None
    if request.form.get("playthrough"):
        number = playthrough_row_id(request.form["playthrough"])
        record = db.session.get(PlayThroughRecord, number) if number else None
        if record is None:
            abort(404)
    if request.form.get("seq") not in (None, ""):
        try:
            seq = int(request.form["seq"])
        except ValueError:
            raise NoteError("The step number must be a whole number.") from None
    return game_session, record, seq


@bp.route("/notes", methods=["POST"])
@research_required
def add():
    """Add a note on a session, a play-through or one step."""
    default = url_for("research.my_notes")
    try:
        game_session, record, seq = parse_target()
        add_note(current_user.id, game_session, request.form.get("body"), record, seq)
        flash("Note saved (only you can see it).", "ok")
    except NoteError as exc:
        flash(str(exc), "error")
    return back(default)


@bp.route("/notes/<int:note_id>/edit", methods=["POST"])
@research_required
def edit(note_id):
    """Change the text of one of my notes."""
    note = own_note(current_user.id, note_id)
    if note is None:
        abort(404)
    try:
        update_note(note, request.form.get("body"))
        flash("Note updated.", "ok")
    except NoteError as exc:
        flash(str(exc), "error")
    return back(url_for("research.my_notes"))


@bp.route("/notes/<int:note_id>/delete", methods=["POST"])
@research_required
def delete(note_id):
    """Delete one of my notes."""
    note = own_note(current_user.id, note_id)
    if note is None:
        abort(404)
    delete_note(note)
    flash("Note deleted.", "ok")
    return back(url_for("research.my_notes"))


@bp.route("/notes")
@research_required
def my_notes():
    """Every note I have written, newest session first."""
    return render_template("research/notes.html", notes=notes_of(current_user.id))
