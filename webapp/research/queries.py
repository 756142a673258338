"""The sessions list: filters, sorting and pagination, shared by the pages and the API."""
import datetime

from sqlalchemy import func

from ..extensions import db
from ..models import (MAX_INTEGER, Game, GameVersion, PlayThroughRecord,
                      Session, User)

VALIDATION_FILTERS = ("canonical", "non_canonical", "error", "unvalidated")
# "between": the latest play-through ended, the session was not (a rematch may follow).
STATUS_FILTERS = ("lobby", "in_progress", "paused", "between", "ended")
SORTS = {"created": Session.created_at, "game": Game.slug, "owner": User.username,
         "status": Session.status}
PER_PAGE_DEFAULT, PER_PAGE_MAX = 20, 100


class FilterError(ValueError):
    """A filter value that cannot be used; the message is for people."""


def _date(text, name):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise FilterError(f"{name} must be a date like 2025-01-31, not {text!r}.") from None


def _positive(text, name, default, cap=None):
    if text in (None, ""):
        return default
    try:
        value = int(text)
    except ValueError:
        raise FilterError(f"{name} must be a whole number, not {text!r}.") from None
    if value < 1 or (cap and value > cap):
        limit = f" between 1 and {cap}" if cap else " of at least 1"
        raise FilterError(f"{name} must be a number{limit}.")
    return value


def parse_filters(args):
    """Checked filters from query arguments; raises FilterError with a clear message."""
    get = lambda name: (args.get(name) or "").strip()  # noqa: E731
    f = {"game": get("game"), "status": get("status"), "owner": get("owner"),
         "validation": get("validation"), "from": get("from"), "to": get("to"),
         "sort": get("sort") or "created", "order": get("order") or "desc"}
    if f["status"] and f["status"] not in STATUS_FILTERS:
        raise FilterError(f"Unknown status {f['status']!r}; use one of "
                          f"{', '.join(STATUS_FILTERS)}.")
    if f["validation"] and f["validation"] not in VALIDATION_FILTERS:
        raise FilterError(f"Unknown validation status {f['validation']!r}; use one of "
                          f"{', '.join(VALIDATION_FILTERS)}.")
    if f["sort"] not in SORTS:
        raise FilterError(f"Cannot sort by {f['sort']!r}; use one of {', '.join(SORTS)}.")
    if f["order"] not in ("asc", "desc"):
        raise FilterError("order must be asc or desc.")
    f["date_from"] = _date(f["from"], "from") if f["from"] else None
    f["date_to"] = _date(f["to"], "to") if f["to"] else None
    if f["date_from"] and f["date_to"] and f["date_from"] > f["date_to"]:
        raise FilterError("The date range is empty: from is after to.")
    f["page"] = _positive(args.get("page"), "page", 1, MAX_INTEGER)
    f["per_page"] = _positive(args.get("per_page"), "per_page", PER_PAGE_DEFAULT, PER_PAGE_MAX)
    return f


def _validation_clause(value):
    if value == "unvalidated":
        pts = PlayThroughRecord.validation_status.is_(None)
    else:
        pts = PlayThroughRecord.validation_status == value
    return Session.id.in_(db.select(PlayThroughRecord.session_id).where(pts))


def filtered_sessions(f):
    """A query of sessions matching the filters, sorted."""
    query = (Session.query.join(GameVersion, Session.game_version_id == GameVersion.id)
             .join(Game, GameVersion.game_id == Game.id)
             .join(User, Session.owner_id == User.id))
    if f["game"]:
        query = query.filter(Game.slug == f["game"])
    if f["status"] == "between":
        query = query.filter(Session.status == "ended", Session.closed_at.is_(None))
    elif f["status"] == "ended":
        query = query.filter(Session.status == "ended", Session.closed_at.isnot(None))
    elif f["status"]:
        query = query.filter(Session.status == f["status"])
    if f["owner"]:
        query = query.filter(func.lower(User.username) == f["owner"].lower())
    if f["validation"]:
        query = query.filter(_validation_clause(f["validation"]))
    if f["date_from"]:
        query = query.filter(Session.created_at >= datetime.datetime.combine(
            f["date_from"], datetime.time.min))
    if f["date_to"]:
        query = query.filter(Session.created_at < datetime.datetime.combine(
            f["date_to"] + datetime.timedelta(days=1), datetime.time.min))
    column = SORTS[f["sort"]]
    ordered = column.asc() if f["order"] == "asc" else column.desc()
    return query.order_by(ordered, Session.id.desc())


def page_of(f):
    """(sessions on the requested page, total count, number of pages)."""
    query = filtered_sessions(f)
    total = query.count()
    pages = max(1, -(-total // f["per_page"]))
    items = query.offset((f["page"] - 1) * f["per_page"]).limit(f["per_page"]).all()
    return items, total, pages


def filter_choices():
    """Games and owners that appear in sessions, for the filter form."""
    games = Game.query.order_by(Game.slug).all()
    owners = (User.query.join(Session, Session.owner_id == User.id)
              .distinct().order_by(User.username).all())
    return {"games": games, "owners": owners, "statuses": STATUS_FILTERS,
            "validations": VALIDATION_FILTERS, "sorts": list(SORTS)}
