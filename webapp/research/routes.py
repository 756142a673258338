"""Research pages: sessions list and detail, the play-through viewer, artifacts."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..extensions import db
from ..models import PlayThroughRecord, Session
from . import artifacts as artifacts_mod
from . import bp, describe
from .access import can_research, research_required
from .notes import notes_of, step_counts
from .queries import FilterError, filter_choices, page_of, parse_filters
from .replays import ReplayError, replays, validation_class, validation_report


@bp.app_context_processor
def research_nav():
    return {"can_research": can_research(current_user)}


OBSERVER = "observer"


def record_or_404(record_id):
    record = db.session.get(PlayThroughRecord, record_id)
    if record is None:
        abort(404)
    return record


@bp.route("/")
@research_required
def sessions():
    """All sessions, filtered, sorted and paginated."""
    try:
        filters = parse_filters(request.args)
    except FilterError as exc:
        flash(str(exc), "error")
        return redirect(url_for("research.sessions"))
    items, total, pages = page_of(filters)
    query = {k: request.args[k] for k in ("game", "status", "owner", "validation", "from",
                                          "to", "sort", "order", "per_page") if request.args.get(k)}
    return render_template("research/sessions.html", sessions=items, total=total, pages=pages,
                           filters=filters, query=query, validation_class=validation_class,
                           **filter_choices())


@bp.route("/s/<key>")
@research_required
def session_detail(key):
    """A session: metadata, seats, play-throughs, my notes, exports."""
    game_session = Session.query.filter_by(key=key).first_or_404()
    return render_template("research/session.html", game_session=game_session,
                           seats=describe.seats_of(game_session), describe=describe,
                           validation_class=validation_class,
                           notes=notes_of(current_user.id, session_id=game_session.id,
                                          target="session"))


def int_arg(name, default):
    text = request.args.get(name)
    if text in (None, ""):
        return default
    try:
        return int(text)
    except ValueError:
        raise FilterError(f"{name} must be a whole number, not {text!r}.") from None


def failure_seq(report, last):
    failure = (report or {}).get("first_failure")
    if not failure or failure.get("seq") is None:
        return None
    return min(int(failure["seq"]), last)


def viewer_role(header_roles, default):
    """The ``role`` argument: a player role's number, or OBSERVER for ``observer`` and for
    the game's own observer roles (watchers are shown by the rule of live play)."""
    text = request.args.get("role")
    if text == OBSERVER:
        return OBSERVER
    role = int_arg("role", default)
    found = next((r for r in header_roles if r["num"] == role), None)
    if found is None:
        raise FilterError(f"There is no role {role} in this game.")
    return OBSERVER if found.get("observer") else role


def role_choices(header_roles):
    """(value, label) of the viewer's role menu: the player roles, then the watcher."""
    players = [(r["num"], r["name"]) for r in header_roles if not r.get("observer")]
    watcher = next((r["name"] for r in header_roles if r.get("observer")), "Observer")
    return players + [(OBSERVER, watcher)]


@bp.route("/playthroughs/<pid:record_id>")
@research_required
def viewer(record_id):
    """One play-through's log, event by event, with any role's view rebuilt by the engine."""
    record = record_or_404(record_id)
    try:
        replay = replays().get(record)
    except ReplayError as exc:
        return render_template("research/viewer_error.html", record=record, error=str(exc)), 409
    events = replay.events
    header_roles = events[0].get("roles") or []
    roles = {r["num"]: r["name"] for r in header_roles}
    try:
        seq = int_arg("seq", 0)
        role = viewer_role(header_roles, events[0].get("to_move", 0))
        if not 0 <= seq < len(events):
            raise FilterError(f"There is no event {seq}: this log has events 0 to "
                              f"{len(events) - 1}.")
    except FilterError as exc:
        flash(str(exc), "error")
        return redirect(url_for("research.viewer", record_id=record.id))
    # Imported here: webapp.models imports this package before the live area is loaded.
    from ..live.playthroughs import assets_url
    from ..play.rendering import scene_html
    version = describe.version_of(record)
    view, k, failure = replay.view(seq, None if role == OBSERVER else role,
                                   assets_url(version) if version else "")
    report, report_source = validation_report(record)
    choices = role_choices(header_roles)
    role_name = lambda r: roles.get(r, f"role {r}")  # noqa: E731
    names = describe.participant_names(record.session)
    return render_template(
        "research/viewer.html", record=record, game_session=record.session, events=events,
        summaries=[describe.event_summary(e, role_name, names) for e in events], seq=seq,
        names=names,
        event=events[seq], role=role, roles=roles, role_choices=choices,
        role_label=dict(choices)[role],
        scene=scene_html(view.html), k=k,
        replay_failure=failure,
        report=report, report_source=report_source,
        failure_seq=failure_seq(report, len(events) - 1), describe=describe,
        notes=notes_of(current_user.id, playthrough_id=record.id, seq=seq),
        playthrough_notes=notes_of(current_user.id, playthrough_id=record.id,
                                   target="playthrough"),
        note_counts=step_counts(current_user.id, record))


@bp.route("/playthroughs/<pid:record_id>/artifacts")
@research_required
def artifacts(record_id):
    """Saved texts of a play-through: every version, one version's text, or a diff."""
    record = record_or_404(record_id)
    found = artifacts_mod.artifact_versions(record)
    name = request.args.get("name") or ""
    context = {"record": record, "found": found, "name": name, "text": None, "diff": None}
    try:
        if name and name not in found:
            raise FilterError(f"This play-through has no saved text called {name!r}.")
        if name:
            numbers = [n for n, _ in found[name]]
            a, b = int_arg("a", None), int_arg("b", numbers[-1])
            for v in (a, b):
                if v is not None and v not in numbers:
                    raise FilterError(f"{name} has no version {v}.")
            context.update(a=a, b=b, numbers=numbers)
            new = artifacts_mod.artifact_text(record, name, b)
            if a is None:
                context["text"] = new
            else:
                old = artifacts_mod.artifact_text(record, name, a)
                context["diff"] = artifacts_mod.diff_lines(old, new, f"{name} v{a}",
                                                          f"{name} v{b}")
    except FilterError as exc:
        flash(str(exc), "error")
        return redirect(url_for("research.artifacts", record_id=record.id))
    return render_template("research/artifacts.html", **context)


from . import chart_routes, note_routes, token_routes  # noqa: E402,F401
