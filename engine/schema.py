"""The fields of every canonical log event, per log format: nothing more, nothing less.

A stored log is read strictly: each event must have exactly the fields its type
has in the log's format (an added ``winner`` in a footer is a forgery, not an
extension), each of the declared JSON type.  Integers are integers (not
``true``, not ``23.0``), hashes are 64 lowercase hex digits, times are UTC
ISO-8601 and never run backwards.  ``check_event`` raises SchemaError with a
message naming the field; the validator turns it into a ``structure`` failure.
"""
import datetime
import re

from . import log as logmod

HEX64 = re.compile(r"[0-9a-f]{64}\Z")
ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d:\d\d)\Z")
KINDS = ("human", "bot", "host")
MAX_DEPTH = 32


class SchemaError(ValueError):
    """An event whose fields are not those of its type."""


# -- value checkers: each returns None when the value is fine, else what is wrong --------

def integer(v):
    return None if type(v) is int else "an integer"


def boolean(v):
    return None if type(v) is bool else "true or false"


def text(v):
    return None if type(v) is str else "a string"


def hex64(v):
    return None if type(v) is str and HEX64.match(v) else "a SHA-256 hex digest"


def opt(check):
    def optional(v):
        return None if v is None else check(v)
    optional.__name__ = f"optional {check.__name__}"
    optional.inner = check
    return optional


def scalar(v):
    """A phase or a role to move: whatever plain value a game uses."""
    return None if v is None or type(v) in (int, str, bool, float) else "a plain value"


def json_value(v, depth=0):
    if depth > MAX_DEPTH:
        return f"nested at most {MAX_DEPTH} deep"
    if v is None or type(v) in (int, str, bool, float):
        return None
    if type(v) is list:
        return next((e for e in (json_value(x, depth + 1) for x in v) if e), None)
    if type(v) is dict:
        return next((e for e in (json_value(x, depth + 1) for x in v.values()) if e), None)
    return "a JSON value"


def json_list(v):
    return json_value(v) if type(v) is list else "a list"


def json_object(v):
    return json_value(v) if type(v) is dict else "an object"


def list_of(check):
    def items(v):
        if type(v) is not list:
            return "a list"
        return next((f"a list of {e}" for e in map(check, v) if e), None)
    return items


def record(fields):
    """A nested object with exactly ``fields`` (name -> checker)."""
    def nested(v):
        if type(v) is not dict:
            return "an object"
        extra = sorted(set(v) - set(fields))
        if extra:
            return f"an object without the unknown field {extra[0]!r}"
        for name, check in fields.items():
            if name not in v:
                return f"an object with {name!r}"
            problem = check(v[name])
            if problem:
                return f"an object whose {name!r} is {problem}"
        return None
    nested.fields = fields
    return nested


def kind(v):
    return None if v in KINDS else "human, bot or host"


def seat_kind(v):
    return None if v in ("human", "bot") else "human or bot"


def pause_by_v2(v):
    return None if v in ("owner", "host") else "owner or host"


ACTOR = {1: record({"role": opt(integer), "name": text, "kind": kind}),
         2: record({"role": opt(integer), "participant": opt(text), "kind": kind})}
SEAT = {1: record({"role": integer, "name": text, "kind": seat_kind}),
        2: record({"role": integer, "participant": opt(text), "kind": seat_kind})}
ROLE = record({"num": integer, "name": text, "observer": boolean})
SIGNATURE = record({"key": text, "sig": text})
WHO = {1: {"name": text}, 2: {"participant": opt(text)}}


def _events(fmt):
    """Type -> (required fields, optional fields) for format ``fmt``."""
    actor, who = ACTOR[fmt], WHO[fmt]
    header = {"format": integer, "game": text, "game_version": text,
              "engine_version": text, "seed": integer, "config": json_object,
              "roles": list_of(ROLE), "seats": list_of(SEAT[fmt]), "state_hash": hex64,
              "phase": scalar, "to_move": scalar, "parallel": boolean}
    events = {
        logmod.HEADER: (header, {}),
        "move": ({"k": integer, "actor": actor, "op": integer, "op_name": text,
                  "args": json_list, "bookkeeping": boolean, "phase_before": scalar,
                  "phase_after": scalar, "to_move_before": scalar, "to_move_after": scalar,
                  "parallel_before": boolean, "state_hash": hex64, "message": text}, {}),
        "undo": ({"actor": actor, "k": integer, "owner": boolean, "state_hash": hex64,
                  "phase": scalar, "to_move": scalar}, {}),
        "paused": ({"by": text if fmt == 1 else pause_by_v2, "reason": text, "k": integer},
                   {}),
        "resumed": ({"by": text if fmt == 1 else pause_by_v2, "k": integer}, {}),
        "player_joined": ({**who, "roles": list_of(integer)}, {}),
        "player_left": ({**who, "after_seconds": lambda v: None
                         if type(v) in (int, float) and v >= 0 else "a number of seconds"},
                        {}),
        "player_reconnected": ({**who, "after": text}, {}),
        "artifact_saved": ({"k": integer, "name": text, "version": integer, "sha256": hex64,
                            "words": integer, "actor": actor}, {}),
        "checkpoint_written": ({"k": integer, "state_hash": hex64, "log_seq": integer,
                                "file": text}, {}),
        "goal_reached": ({"k": integer, "message": text, "outcome": json_object,
                          "state_hash": hex64}, {}),
        logmod.FOOTER: ({"reason": text, "k": integer, "state_hash": hex64},
                        {"signature": SIGNATURE} if fmt >= 2 else {}),
    }
    if fmt >= 2:
        events["seat_changed"] = ({"role": integer, "participant": opt(text),
                                   "kind": seat_kind, "previous": list_of(SEAT[fmt])},
                                  {"shared": boolean})
    return events


FORMATS = {1: _events(1), 2: _events(2)}
COMMON = ("seq", "t", "type", "prev")


def parse_time(value):
    if type(value) is not str or not ISO_TIME.match(value):
        return None
    try:
        return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


_SCALARS = frozenset({int, str, bool, float})
_INLINE = {integer: "type({v}) is int", boolean: "type({v}) is bool", text: "type({v}) is str",
           hex64: "(type({v}) is str and HEX64.match({v}) is not None)",
           scalar: "({v} is None or type({v}) in _SCALARS)"}


def _inline(check, value, names):
    """Python text true exactly when ``check(value)`` finds nothing wrong."""
    if check in _INLINE:
        return _INLINE[check].format(v=value)
    if check is kind:
        return f"{value} in KINDS"
    if check is json_list:
        names["json_value"] = json_value
        return f"(type({value}) is list and (not {value} or json_value({value}) is None))"
    inner = getattr(check, "inner", None)
    if inner is not None:                                     # opt(...)
        return f"({value} is None or {_inline(inner, value, names)})"
    fields = getattr(check, "fields", None)
    if fields is not None:                                    # record(...)
        key = f"_k{len(names)}"
        names[key] = frozenset(fields)
        parts = [f"type({value}) is dict", f"{key}.issuperset({value})"]
        for name, sub in fields.items():
            parts.append(f"{name!r} in {value}")
            parts.append(_inline(sub, f"{value}[{name!r}]", names))
        return "(" + " and ".join(parts) + ")"
    key = f"_c{len(names)}"
    names[key] = check
    return f"{key}({value}) is None"


def _fast_check(required, optional):
    """A predicate true exactly when ``check_event`` would find nothing wrong with an
    event of this type: the same checks, written out inline.  Only a speed-up: when
    it says no, ``check_event``'s own loop finds the fault and names it as before."""
    names = {"_SCALARS": _SCALARS, "HEX64": HEX64, "KINDS": KINDS, "_ALLOWED": frozenset(
        set(COMMON) | set(required) | set(optional))}
    parts = ["_ALLOWED.issuperset(e)"]
    for name, check in list(required.items()) + list(optional.items()):
        test = _inline(check, f"e[{name!r}]", names)
        if name in required:
            parts.append(f"{name!r} in e and {test}")
        else:
            parts.append(f"({name!r} not in e or {test})")
    return eval("lambda e: " + " and ".join(parts), names)   # noqa: S307 (our own text)


_FAST = {fmt: {kind: _fast_check(*spec) for kind, spec in events.items()}
         for fmt, events in FORMATS.items()}


def check_event(event, fmt, line):
    """Raise SchemaError unless ``event`` has exactly its type's fields in ``fmt``."""
    fast = _FAST[fmt].get(event.get("type"))
    if fast is not None and fast(event):
        return
    spec = FORMATS[fmt].get(event.get("type"))
    if spec is None:
        raise SchemaError(f"line {line}: the event type {event.get('type')!r} does not "
                          f"exist in log format {fmt}")
    required, optional = spec
    for name in event:
        if name not in COMMON and name not in required and name not in optional:
            raise SchemaError(f"line {line}: the {event['type']} event has an unknown field "
                              f"{name!r}")
    for name, check in required.items():
        if name not in event:
            raise SchemaError(f"line {line}: the {event['type']} event has no {name!r}")
        problem = check(event[name])
        if problem:
            raise SchemaError(f"line {line}: {name!r} of the {event['type']} event must be "
                              f"{problem}")
    for name, check in optional.items():
        if name in event:
            problem = check(event[name])
            if problem:
                raise SchemaError(f"line {line}: {name!r} of the {event['type']} event must "
                                  f"be {problem}")


def check_times(events):
    """Every ``t`` is a UTC time, and none is before the one above it."""
    before = None
    for i, ev in enumerate(events):
        when = parse_time(ev.get("t"))
        if when is None:
            raise SchemaError(f"line {i + 1}: 't' must be a UTC ISO-8601 time, not "
                              f"{short(ev.get('t'))}")
        if before is not None and when < before:
            raise SchemaError(f"line {i + 1}: its time is before the time of line {i}")
        before = when


def short(value, limit=80):
    """A value for a message: never the whole of what a forger wrote."""
    import json
    try:
        text_ = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        text_ = type(value).__name__
    return text_ if len(text_) <= limit else text_[:limit - 1] + "…"
