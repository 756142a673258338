"""Checkpoint jobs: rebuild a play-through from its log and write a checkpoint file."""
import json
import os

from engine import checkpoint
from engine.gameproc import logs as game_logs
from engine.log import read_lines
from engine.replay import Failure, check_structure

from .app import job


def checkpoints_dir(record):
    return os.path.join(os.path.dirname(record.log_path), "checkpoints")


@job("checkpoint")
def write_checkpoint(record_id, upto_seq, progress=None):
    """Checkpoint play-through ``record_id`` as of log line ``upto_seq`` (atomic write)."""
    from webapp.extensions import db
    from webapp.models import PlayThroughRecord
    record = db.session.get(PlayThroughRecord, record_id)
    version = record.session.game_version
    lines = read_lines(record.log_path)[:upto_seq + 1]
    # The file's lines are taken by position, so they must be the log's own lines
    # 0..upto_seq, one hash chain.  A log that was cut short, edited or appended to
    # by a second writer would give a checkpoint of another step under this one's
    # name (log_seq), and a resume from it would replay the wrong tail: fail instead.
    if len(lines) != upto_seq + 1:
        raise ValueError(f"the log has {len(lines)} lines; cannot checkpoint it up to "
                         f"seq {upto_seq}")
    try:
        check_structure(lines, allow_open=True)
    except Failure as exc:
        raise ValueError(f"the log cannot be checkpointed up to seq {upto_seq}: "
                         f"{exc.message}") from exc
    from webapp.games import pool, ref
    events = [json.loads(line) for line in lines]
    game = ref(version.folder, version.game.slug, version.version_hash)
    data = game_logs.checkpoint_of(pool(), game, events)     # in the game's process
    data["log_seq"] = upto_seq
    from engine.log import line_hash
    from webapp.signing import signer
    checkpoint.sign(data, signer(), line_hash(lines[-1]))
    path = os.path.join(checkpoints_dir(record), f"s{upto_seq:07d}-k{data['k']:06d}.json")
    checkpoint.write(path, data)
    return {"k": data["k"], "state_hash": data["state_hash"], "seq": upto_seq,
            "result_path": path, "result_name": os.path.basename(path)}
