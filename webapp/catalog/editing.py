"""Game admins edit a game's name, description and player counts: a new metadata version."""
from ..extensions import db
from ..install.lifecycle import log_change, new_metadata_version

MAX_NAME, MAX_DESC, MAX_PLAYERS = 200, 2000, 1000


class EditError(ValueError):
    """A change that is refused; the message is for people."""


def whole(text, name, low, high, optional=False):
    text = (text or "").strip()
    if not text and optional:
        return None
    if not text.isdigit() or not low <= int(text) <= high:
        raise EditError(f"{name} must be a whole number from {low} to {high}.")
    return int(text)


def checked(form):
    name = " ".join((form.get("name") or "").split())
    if not name or len(name) > MAX_NAME:
        raise EditError(f"The name must have 1 to {MAX_NAME} characters.")
    desc = (form.get("brief_desc") or "").strip()
    if len(desc) > MAX_DESC:
        raise EditError(f"The description can have at most {MAX_DESC} characters.")
    low = whole(form.get("min_players"), "The fewest players", 1, MAX_PLAYERS)
    high = whole(form.get("max_players"), "The most players", 1, MAX_PLAYERS, optional=True)
    if high is not None and high < low:
        raise EditError("The most players cannot be fewer than the fewest.")
    return {"name": name, "brief_desc": desc, "min_players": low, "max_players": high}


def edit_metadata(game, form, user):
    """Apply the form as a new metadata version and log what changed."""
    fields = checked(form)
    before = {"name": game.name, "brief_desc": game.brief_desc,
              "min_players": (game.game_metadata or {}).get("min_players", 1),
              "max_players": (game.game_metadata or {}).get("max_players")}
    changed = [k for k in fields if fields[k] != before.get(k)]
    if not changed:
        raise EditError("Nothing changed.")
    row = new_metadata_version(game, fields, user, "edit")
    db.session.flush()
    labels = {"name": "name", "brief_desc": "description", "min_players": "fewest players",
              "max_players": "most players"}
    log_change(game, user, f"metadata version {row.number}: "
               + ", ".join(labels[k] for k in changed) + " edited")
    db.session.commit()
    return row
