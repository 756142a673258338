"""Parse what a browser sends: size, JSON, a known action, typed fields."""
import json

ACTIONS = ("move", "undo", "ping")


class BadMessage(Exception):
    """A message the hub refuses; the text goes back to the sender only."""


def parse(raw, max_bytes):
    """The message as a dict with a known ``action``, or raise BadMessage."""
    size = len(raw.encode("utf-8")) if isinstance(raw, str) else len(raw)
    if size > max_bytes:
        raise BadMessage(f"Your message is too large ({size} bytes; at most {max_bytes}).")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadMessage("Your browser sent a message the server could not read.") from None
    if not isinstance(data, dict):
        raise BadMessage("Your browser sent a message the server could not read.")
    action = data.get("action")
    if action not in ACTIONS:
        raise BadMessage(f"Unknown action {str(action)[:40]!r}.")
    return data


def integer(data, name, required=True):
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise BadMessage(f"The move is missing its {name.replace('_', ' ')}.")
        return None
    if isinstance(value, bool):
        raise BadMessage(f"The {name.replace('_', ' ')} must be a whole number.")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise BadMessage(f"The {name.replace('_', ' ')} must be a whole number.") from None


def move_args(data):
    """Arguments from a JSON ``args`` list (Tier 1 clicks) or form fields arg0, arg1, ..."""
    args = data.get("args")
    if isinstance(args, str) and args.strip():
        try:
            args = json.loads(args)
        except ValueError:
            raise BadMessage("The move's arguments could not be read.") from None
    if args not in (None, ""):
        if not isinstance(args, list):
            raise BadMessage("The move's arguments must be a list.")
        return args
    out, i = [], 0
    while f"arg{i}" in data:
        out.append(data[f"arg{i}"])
        i += 1
    return out


def move_fields(data):
    """(role, op index, args, state version) of a move message."""
    return (integer(data, "role"), integer(data, "op"), move_args(data),
            integer(data, "state_version"))
