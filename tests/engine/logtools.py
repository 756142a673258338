"""Helpers to make real logs with bots and to tamper with them."""
import json
import random

from engine import bots, replay
from engine.cli import folder_resolver
from engine.log import GENESIS, LogWriter, encode_line, line_hash
from engine.loader import GameSource
from engine.playthrough import PlayThrough

GAMES = "games"
resolve = folder_resolver(GAMES)


def make_log(slug, seed, tmp_path=None, strategies=None):
    """Play a bot game of ``slug``; returns the log text."""
    source = GameSource(f"{GAMES}/{slug}")
    folder = str(tmp_path / f"{slug}-{seed}") if tmp_path else None
    pt = PlayThrough(source, seed=seed, session_folder=folder, log_writer=LogWriter()).start()
    bots.play_out(pt, strategies=strategies, rnd=random.Random(seed))
    pt.close()
    return pt.log.text()


def events_of(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def seal(events):
    """Re-number and re-chain events, as a careful forger would."""
    prev, out = GENESIS, []
    for i, ev in enumerate(events):
        ev = dict(ev)
        ev["seq"], ev["prev"] = i, prev
        fields = {k: ev[k] for k in ("seq", "t", "type", "prev")}
        fields.update({k: v for k, v in ev.items() if k not in fields})
        line = encode_line(fields)
        out.append(line.decode("utf-8"))
        prev = line_hash(line)
    return "\n".join(out) + "\n"


def validate(text, **kwargs):
    return replay.validate(text, resolve, **kwargs)
