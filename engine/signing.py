"""Signed chain tips: a portal's Ed25519 key vouches for the logs it wrote.

A log's hash chain shows an edit, a gap or a reordering; it cannot show a whole
history written anew and chained again.  So every footer, checkpoint and export
manifest a portal writes carries a signature over its chain tip (the hash of the
line before it, which commits to every line before).  ``verify`` answers
``valid`` only for a key the checker trusts (its own portal's, one given to it, or
a keys file): a key that merely travels inside a ZIP proves nothing, since a forger
can ship their own (``unknown key``).
"""
import base64
import hashlib
import os
import pathlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (Ed25519PrivateKey,
                                                               Ed25519PublicKey)

DOMAIN = b"szportal chain tip v2\n"
VALID, INVALID, ABSENT, UNKNOWN = "valid", "invalid", "absent", "unknown key"


def key_id(public_key):
    """A short, stable name of a public key (hex of its hash)."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_text(public_key):
    """The public key as text (base64 of its 32 raw bytes)."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def public_from_text(text):
    """A public key from ``public_text`` or a PEM file's text."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        return serialization.load_pem_public_key(text.encode("ascii"))
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))


class Signer:
    """A portal's signing key (made once into ``path``, mode 600, like its secret key)."""

    def __init__(self, private_key):
        self.private_key = private_key
        self.public_key = private_key.public_key()
        self.id = key_id(self.public_key)

    @classmethod
    def at(cls, path):
        path = pathlib.Path(path)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            key = Ed25519PrivateKey.generate()
            pem = key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as f:
                    f.write(pem)
            except FileExistsError:
                pass                      # made by another process meanwhile
        return cls(serialization.load_pem_private_key(path.read_bytes(), password=None))

    def sign(self, message):
        return {"key": self.id,
                "sig": base64.b64encode(self.private_key.sign(DOMAIN + message)).decode()}

    def public(self):
        return {"key": self.id, "public_key": public_text(self.public_key),
                "algorithm": "Ed25519"}


def tip_message(kind, fields):
    """The bytes a signature covers: what signs, then the tip's facts in order."""
    parts = [kind] + [str(fields.get(name)) for name in TIP_FIELDS[kind]]
    return "\n".join(parts).encode("utf-8")


# What each kind of signature covers (``prev`` chains every line before the tip).
TIP_FIELDS = {
    "footer": ("seq", "prev", "reason", "k", "state_hash"),
    "checkpoint": ("log_seq", "line_hash", "k", "state_hash", "game_version"),
    "manifest": ("files_digest",),
}


class Keyring:
    """The public keys a checker trusts, by key id."""

    def __init__(self, keys=()):
        self.keys = {key_id(k): k for k in keys}

    @classmethod
    def from_texts(cls, texts):
        return cls(public_from_text(t) for t in texts if t and t.strip())

    @classmethod
    def from_file(cls, path):
        """A keys file: one public key a line (``public_text``), or one PEM."""
        text = pathlib.Path(path).read_text()
        if "-----BEGIN" in text:
            return cls([public_from_text(text)])
        return cls.from_texts(line for line in text.splitlines()
                              if line.strip() and not line.startswith("#"))

    def add(self, public_key):
        self.keys[key_id(public_key)] = public_key
        return self

    def verify(self, kind, fields, signature):
        """``valid`` / ``invalid`` / ``absent`` / ``unknown key`` for a signature."""
        if not signature:
            return ABSENT
        if not isinstance(signature, dict) or not isinstance(signature.get("sig"), str):
            return INVALID
        key = self.keys.get(signature.get("key"))
        if key is None:
            return UNKNOWN
        try:
            key.verify(base64.b64decode(signature["sig"], validate=True),
                       DOMAIN + tip_message(kind, fields))
        except (InvalidSignature, ValueError):
            return INVALID
        return VALID


def files_digest(files):
    """One hash over an export manifest's file list (name and sum, sorted)."""
    digest = hashlib.sha256()
    for name, value in sorted(files.items()):
        digest.update(f"{name}\0{value}\n".encode("utf-8"))
    return digest.hexdigest()
