"""Type-preserving encoding of game states, and the canonical state hash.

States hold sets, tuples, nested dicts and objects of game classes; a JSON
dump that turns a set into a string would not round-trip.  ``encode`` turns a
value into plain JSON data with tags for what JSON lacks; ``decode`` turns it
back into equal objects of the same types.  Classes are named by module alias
(``@pff``, ``@vis``, ``@local:name`` or a real module name) so a checkpoint
made in one load of a game can be restored into another.

Tags: ``{"~t": [...]}`` tuple, ``{"~s": [...]}`` set, ``{"~fs": [...]}``
frozenset, ``{"~d": [[k, v], ...]}`` dict with non-string keys (or a key
starting with ``~``), ``{"~o": "alias:qualname", "~v": {...}}`` object,
``{"~e": "alias:qualname", "~v": value}`` enum, ``{"~f": "nan"}`` special
float, ``{"~b": "base64"}`` bytes, ``{"~r": "alias:qualname"}`` a class or
function referenced by name.
"""
import base64
import enum
import hashlib
import importlib
import json
import math
import types

EXCLUDED_ATTRS = frozenset({"jit_transition"})
_PLAIN = frozenset({type(None), bool, int, str})


class SerializeError(Exception):
    """A value that cannot be encoded or decoded; the message names it."""


def _default_alias(module_name):
    return module_name


def _qualified(obj, alias_of):
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if not module or not qualname or "<locals>" in qualname or "<lambda>" in qualname:
        raise SerializeError(f"cannot encode {obj!r}: not reachable by name")
    return f"{alias_of(module)}:{qualname}"


def _canon_key(encoded):
    return json.dumps(encoded, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class Encoder:
    """Encodes values; ``canonical`` sorts sets and dict pairs for hashing."""

    def __init__(self, alias_of=None, canonical=False):
        self.alias_of = alias_of or _default_alias
        self.canonical = canonical

    def encode(self, value, _depth=0):
        if _depth > 200:
            raise SerializeError("value nested too deeply (or contains a cycle)")
        t = type(value)
        if value is None or t is bool or t is int or t is str:
            return value
        if t is float:
            return value if math.isfinite(value) else {"~f": repr(value)}
        d = _depth + 1
        if t is list:
            return [v if type(v) in _PLAIN else self.encode(v, d) for v in value]
        if t is tuple:
            return {"~t": [v if type(v) in _PLAIN else self.encode(v, d) for v in value]}
        if t is dict:
            return self._dict(value, d)
        if t is set or t is frozenset:
            items = [self.encode(v, d) for v in value]
            items.sort(key=_canon_key)
            return {("~s" if t is set else "~fs"): items}
        if t is bytes:
            return {"~b": base64.b64encode(value).decode("ascii")}
        if isinstance(value, enum.Enum):
            return {"~e": _qualified(t, self.alias_of), "~v": self.encode(value.value, d)}
        if isinstance(value, (type, types.FunctionType, types.BuiltinFunctionType)):
            return {"~r": _qualified(value, self.alias_of)}
        if isinstance(value, (list, tuple, dict, set, frozenset, int, float, str)):
            raise SerializeError(f"cannot encode subclass {t.__name__} of a builtin")
        if t.__module__ == "builtins" or not (hasattr(value, "__dict__")
                                              or hasattr(t, "__slots__")):
            raise SerializeError(f"cannot encode a value of type {t.__name__}")
        return self._object(value, d)

    def _dict(self, value, d):
        if all(type(k) is str and k[:1] != "~" for k in value):
            return {k: v if type(v) in _PLAIN else self.encode(v, d) for k, v in value.items()}
        pairs = [[self.encode(k, d), self.encode(v, d)] for k, v in value.items()]
        if self.canonical:
            pairs.sort(key=lambda p: _canon_key(p[0]))
        return {"~d": pairs}

    def _object(self, value, d):
        t = type(value)
        fields = {}
        if hasattr(value, "__dict__"):
            fields.update(vars(value))
        for cls in t.__mro__:
            slots = cls.__dict__.get("__slots__", ())
            for slot in (slots,) if isinstance(slots, str) else slots:
                if slot in ("__dict__", "__weakref__"):
                    continue
                if slot.startswith("__") and not slot.endswith("__"):
                    slot = f"_{cls.__name__.lstrip('_')}{slot}"   # name mangling
                if hasattr(value, slot):
                    fields[slot] = getattr(value, slot)
        for name in EXCLUDED_ATTRS:
            fields.pop(name, None)
        return {"~o": _qualified(t, self.alias_of), "~v": self._dict(fields, d)}


class Decoder:
    """Decodes what :class:`Encoder` produced, resolving classes by alias."""

    def __init__(self, resolve_module=None):
        self.resolve_module = resolve_module or importlib.import_module

    def decode(self, data):
        t = type(data)
        if t is list:
            return [self.decode(v) for v in data]
        if t is not dict:
            return data
        if len(data) == 1:
            (tag, inner), = data.items()
            if tag == "~t":
                return tuple(self.decode(v) for v in inner)
            if tag == "~s":
                return {self.decode(v) for v in inner}
            if tag == "~fs":
                return frozenset(self.decode(v) for v in inner)
            if tag == "~d":
                return {self.decode(k): self.decode(v) for k, v in inner}
            if tag == "~f":
                return float(inner)
            if tag == "~b":
                return base64.b64decode(inner)
            if tag == "~r":
                return self._lookup(inner)
        if "~o" in data:
            return self._object(data)
        if "~e" in data:
            return self._lookup(data["~e"])(self.decode(data["~v"]))
        return {k: self.decode(v) for k, v in data.items()}

    def _lookup(self, ref):
        alias, _, qualname = ref.rpartition(":")
        module = self.resolve_module(alias)
        if module is None:
            raise SerializeError(f"module {alias!r} is not available")
        obj = module
        for part in qualname.split("."):
            obj = getattr(obj, part)
        return obj

    def _object(self, data):
        cls = self._lookup(data["~o"])
        obj = cls.__new__(cls)
        fields = self.decode(data["~v"])
        for name, value in fields.items():
            try:
                object.__setattr__(obj, name, value)
            except (AttributeError, TypeError):
                obj.__dict__[name] = value
        return obj


def encode(value, alias_of=None):
    return Encoder(alias_of).encode(value)


def decode(data, resolve_module=None):
    return Decoder(resolve_module).decode(data)


def dumps(value, alias_of=None):
    """Compact JSON text of the encoded value."""
    return json.dumps(encode(value, alias_of), separators=(",", ":"), ensure_ascii=False)


def loads(text, resolve_module=None):
    return decode(json.loads(text), resolve_module)


def _canonical_dumper():
    """``json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    allow_nan=False)``, with the encoder built once (the same bytes, without the
    per-call set-up that costs as much as the encoding of a small state)."""
    encoder = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                               allow_nan=False)
    try:
        from json.encoder import c_make_encoder, encode_basestring
    except ImportError:
        c_make_encoder = None
    if c_make_encoder is None:
        return encoder.encode

    def fail(o):
        raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")
    make = c_make_encoder(None, fail, encode_basestring, None, ":", ",", True, False, False)

    def dumps(value):
        if isinstance(value, str):
            return encoder.encode(value)
        return "".join(make(value, 0))
    return dumps


_dump_canonical = _canonical_dumper()


def canonical_bytes(value, alias_of=None):
    encoded = Encoder(alias_of, canonical=True).encode(value)
    return _dump_canonical(encoded).encode("utf-8")


def hash_bytes(encoded):
    """The state hash of a canonical encoding (``canonical_bytes``)."""
    return hashlib.sha256(encoded).hexdigest()


def state_hash(state, alias_of=None):
    """SHA-256 of the state's canonical, type-preserving encoding."""
    return hashlib.sha256(canonical_bytes(state, alias_of)).hexdigest()
