"""This portal's signing key and the keys it trusts (engine/signing.py does the work)."""
import threading

from flask import current_app

from engine.signing import Keyring, Signer

_lock = threading.Lock()


def signer(app=None):
    """The portal's Signer (made into instance/ on first use, like the secret key)."""
    app = app or current_app
    found = app.extensions.get("signer")
    if found is None:
        with _lock:
            found = app.extensions.get("signer")
            if found is None:
                found = app.extensions["signer"] = Signer.at(app.config["SIGNING_KEY_PATH"])
    return found


def keyring(app=None):
    """The keys whose signatures this portal calls valid: its own, and a trusted-keys file."""
    app = app or current_app
    ring = Keyring([signer(app).public_key])
    path = app.config.get("TRUSTED_KEYS_FILE")
    if path:
        for key in Keyring.from_file(path).keys.values():
            ring.add(key)
    return ring
