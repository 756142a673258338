"""Operator parameter specs: resolve them and check players' arguments.

The server checks type, range and count before the game sees anything; the
browser's checks are only a convenience.  Arguments arrive from forms as
strings or numbers and leave here converted to the declared types, so the
log records exactly what the game received.
"""
import math
import re

MAX_STR_LEN = 2_000
MAX_TEXT_LEN = 200_000
KNOWN_TYPES = ("int", "float", "str", "file_edit")
_INT_RE = re.compile(r"^[+-]?\d{1,18}$")


class ParamError(ValueError):
    """Arguments that do not fit the operator's parameter specs."""


def resolve_specs(op, state):
    """The operator's parameter specs as a list of dicts (callable specs resolved)."""
    specs = getattr(op, "params", None) or []
    if callable(specs):
        try:
            specs = specs(state) or []
        except Exception as exc:
            raise ParamError(f"the game could not describe this move's parameters ({exc})")
    out = []
    for i, spec in enumerate(specs):
        if isinstance(spec, dict):
            spec = dict(spec)
        else:
            spec = {"name": str(spec)}
        spec.setdefault("name", f"arg{i + 1}")
        spec.setdefault("type", "str")
        out.append(spec)
    return out


def _label(spec):
    return str(spec.get("label") or spec.get("name"))


def _number(value, spec, kind):
    name = _label(spec)
    if isinstance(value, bool):
        raise ParamError(f"{name} must be a {'whole ' if kind is int else ''}number")
    if kind is int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        elif isinstance(value, str) and _INT_RE.match(value.strip()):
            value = int(value.strip())
        if type(value) is not int:
            raise ParamError(f"{name} must be a whole number")
    else:
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                raise ParamError(f"{name} must be a number") from None
        try:
            if type(value) not in (int, float) or not math.isfinite(value):
                raise ParamError(f"{name} must be a number")
            value = float(value)
        except OverflowError:
            raise ParamError(f"{name} must be a number of a sensible size") from None
    low, high = spec.get("min"), spec.get("max")
    if low is not None and value < low:
        raise ParamError(f"{name} must be at least {low} (got {value})")
    if high is not None and value > high:
        raise ParamError(f"{name} must be at most {high} (got {value})")
    return value


def check_value(value, spec):
    kind = spec.get("type", "str")
    if kind == "int":
        return _number(value, spec, int)
    if kind == "float":
        return _number(value, spec, float)
    if kind in ("str", "file_edit"):
        if not isinstance(value, str):
            raise ParamError(f"{_label(spec)} must be text")
        limit = MAX_TEXT_LEN if kind == "file_edit" else MAX_STR_LEN
        if len(value) > limit:
            raise ParamError(f"{_label(spec)} is too long ({len(value)} characters, "
                             f"at most {limit})")
        if "\x00" in value:
            raise ParamError(f"{_label(spec)} contains a NUL character")
        return value
    raise ParamError(f"{_label(spec)} has an unknown parameter type {kind!r}")


def check_args(specs, args):
    """Return ``args`` converted to the specs' types, or raise ParamError."""
    if args is None:
        args = []
    if not isinstance(args, (list, tuple)):
        raise ParamError("arguments must be a list")
    if len(args) != len(specs):
        if not specs:
            raise ParamError("this move takes no parameters")
        names = ", ".join(_label(s) for s in specs)
        raise ParamError(f"this move needs {len(specs)} value(s) ({names}), got {len(args)}")
    return [check_value(v, s) for v, s in zip(args, specs)]
