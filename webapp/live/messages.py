"""The socket's edge: what a browser sends, parsed into a typed :class:`Message`.

Nothing past this module sees raw JSON.  Whatever arrives (non-finite numbers,
deep nesting, huge integers, wrong types) either becomes a Message or raises
:class:`BadMessage` with a text for the sender.
"""
import dataclasses
import json
import math

ACTIONS = ("move", "undo", "ping")
MAX_INT = 2 ** 53          # role, operator and state version numbers
MAX_DIGITS = 16
MAX_ARGS = 64
UNREADABLE = "Your browser sent a message the server could not read."


class BadMessage(Exception):
    """A message the hub refuses; the text goes back to the sender only."""


@dataclasses.dataclass(frozen=True)
class Message:
    """One parsed socket message."""
    action: str
    role: int | None = None
    op: int | None = None
    args: tuple = ()
    state_version: int | None = None


def _no_constant(name):
    raise ValueError(f"{name} is not a number")


def _finite_float(text):
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    return value


def _small_int(text):
    if len(text.lstrip("-")) > 40:
        raise ValueError("number too long")
    return int(text)


def load_json(raw, max_bytes):
    """``raw`` as a JSON object (a dict), or BadMessage."""
    size = len(raw.encode("utf-8", "replace")) if isinstance(raw, str) else len(raw)
    if size > max_bytes:
        raise BadMessage(f"Your message is too large ({size} bytes; at most {max_bytes}).")
    try:
        data = json.loads(raw, parse_constant=_no_constant, parse_float=_finite_float,
                          parse_int=_small_int)
    except (ValueError, UnicodeDecodeError, RecursionError, TypeError):
        raise BadMessage(UNREADABLE) from None
    if not isinstance(data, dict):
        raise BadMessage(UNREADABLE)
    return data


def parse(raw, max_bytes):
    """The Message in ``raw``, or raise BadMessage."""
    data = load_json(raw, max_bytes)
    action = data.get("action")
    if action not in ACTIONS:
        shown = action[:40] if isinstance(action, str) else type(action).__name__
        raise BadMessage(f"Unknown action {shown!r}.")
    if action == "ping":
        return Message("ping")
    if action == "undo":
        return Message("undo", role=integer(data, "role", required=False))
    return Message("move", role=integer(data, "role"), op=integer(data, "op"),
                   args=tuple(move_args(data)),
                   state_version=integer(data, "state_version", required=False))


def integer(data, name, required=True):
    """A whole number field: an int, or a string of digits (form fields are strings)."""
    label = name.replace("_", " ")
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise BadMessage(f"The move is missing its {label}.")
        return None
    if isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text[:1] == "-" else text
        if not digits.isdigit() or not digits.isascii() or len(digits) > MAX_DIGITS:
            raise BadMessage(f"The {label} must be a whole number.")
        value = int(text)
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > MAX_INT:
        raise BadMessage(f"The {label} must be a whole number.")
    return value


def move_args(data):
    """Arguments from a JSON ``args`` list (Tier 1 clicks) or form fields arg0, arg1, ..."""
    args = data.get("args")
    if isinstance(args, str) and args.strip():
        try:
            args = json.loads(args, parse_constant=_no_constant, parse_float=_finite_float,
                              parse_int=_small_int)
        except (ValueError, RecursionError):
            raise BadMessage("The move's arguments could not be read.") from None
    if args not in (None, ""):
        if not isinstance(args, list):
            raise BadMessage("The move's arguments must be a list.")
        if len(args) > MAX_ARGS:
            raise BadMessage(f"A move has at most {MAX_ARGS} arguments.")
        return args
    out, i = [], 0
    while f"arg{i}" in data and i < MAX_ARGS:
        out.append(data[f"arg{i}"])
        i += 1
    return out
