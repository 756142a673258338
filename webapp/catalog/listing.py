"""The catalog list: search, filters, player counts (SQL stays out of templates)."""
from ..models import GAME_STATUSES


class ListingError(ValueError):
    """A filter value that cannot be used; the message is for people."""


def player_range(game):
    """(fewest, most or None) players of a game, from the catalog's metadata."""
    meta = game.game_metadata or {}
    low = int(meta.get("min_players") or 1)
    high = meta.get("max_players")
    return low, (int(high) if high else None)


def players_text(game):
    low, high = player_range(game)
    if high is None:
        return f"{low}+ players"
    if high == low:
        return f"{low} player{'s' if low != 1 else ''}"
    return f"{low}–{high} players"


def parse(args, admin):
    """Checked filters: q, players, status (statuses for game admins only)."""
    q = " ".join((args.get("q") or "").split())[:100]
    players = (args.get("players") or "").strip()
    if players and (not players.isdigit() or not 1 <= int(players) <= 1000):
        raise ListingError("Players must be a whole number from 1 to 1000.")
    status = (args.get("status") or "").strip() if admin else ""
    if status and status not in GAME_STATUSES:
        raise ListingError(f"Unknown status {status!r}.")
    return {"q": q, "players": int(players) if players else None, "status": status}


def matches(game, f):
    if f["q"]:
        text = f"{game.name} {game.slug} {game.brief_desc}".lower()
        if not all(word in text for word in f["q"].lower().split()):
            return False
    if f["players"] is not None:
        low, high = player_range(game)
        if f["players"] < low or (high is not None and f["players"] > high):
            return False
    return not f["status"] or game.status == f["status"]


def listed(games, f):
    return [g for g in games if matches(g, f)]
