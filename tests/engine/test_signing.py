"""Signed chain tips: footers, checkpoints and export manifests carry a signature that
is valid only under a trusted key; ``szportal validate`` reports it beside the
verdict; a key that only travels inside a ZIP proves nothing ("unknown key")."""
import json
import os
import random
import stat
import zipfile

from click.testing import CliRunner

from engine import bots, checkpoint, replay
from engine.bundle import validate_bundle, write_bundle
from engine.cli import main
from engine.loader import GameSource
from engine.log import LogWriter, line_hash, read_lines
from engine.playthrough import Actor, PlayThrough
from engine.signing import Keyring, Signer, public_text
from tests.engine.logtools import events_of, resolve, seal


def signed_log(tmp_path, signer, slug="tic_tac_toe", seed=3, name="log.jsonl"):
    path = tmp_path / name
    pt = PlayThrough(GameSource(f"games/{slug}"), seed=seed,
                     log_writer=LogWriter(str(path), signer=signer)).start()
    bots.play_out(pt, rnd=random.Random(seed))
    pt.close()
    return path


def test_the_key_is_made_once_and_kept_private(tmp_path):
    key_path = tmp_path / "instance" / "signing_key.pem"
    first = Signer.at(key_path)
    assert stat.S_IMODE(os.stat(key_path).st_mode) == 0o600
    assert Signer.at(key_path).id == first.id


def test_footer_signature_valid_only_under_a_trusted_key(tmp_path):
    signer, forger = Signer.at(tmp_path / "k1.pem"), Signer.at(tmp_path / "k2.pem")
    path = signed_log(tmp_path, signer)
    ring = Keyring([signer.public_key])
    report = replay.validate(str(path), resolve, keyring=ring)
    assert report["status"] == "canonical"
    assert report["signature"] == {"status": "valid", "key": signer.id}
    assert replay.validate(str(path), resolve)["signature"]["status"] == "unknown key"
    unsigned = signed_log(tmp_path, None, name="plain.jsonl")
    assert replay.validate(str(unsigned), resolve, keyring=ring)["signature"]["status"] == \
        "absent"
    # A forger who rewrites the footer (re-chained) cannot keep the portal's signature...
    events = events_of(path.read_text())
    events[-1]["k"] = events[-1]["k"]                     # same facts, new chain tip below
    events.insert(-1, dict(events[-2], seq=0))            # an extra line before the footer
    forged = tmp_path / "forged.jsonl"
    forged.write_text(seal(events))
    assert replay.validate(str(forged), resolve, keyring=ring)["signature"]["status"] == \
        "invalid"
    # ...and one who signs a whole new history with their own key gets "unknown key".
    own = signed_log(tmp_path, forger, name="own.jsonl")
    assert replay.validate(str(own), resolve, keyring=ring)["signature"]["status"] == \
        "unknown key"


def test_checkpoints_are_signed_and_checked_on_resume(tmp_path):
    signer = Signer.at(tmp_path / "k.pem")
    path = tmp_path / "log.jsonl"
    source = GameSource("games/rift_mini")
    pt = PlayThrough(source, seed=4, log_writer=LogWriter(str(path))).start()
    rnd = random.Random(4)
    for _ in range(15):
        role = pt.roles_to_move()[0]
        pt.apply(Actor(role, "b", "bot"), *bots.choose_move(pt, role, "random", rnd))
    data = checkpoint.snapshot(pt)
    lines = read_lines(str(path))
    checkpoint.sign(data, signer, line_hash(lines[data["log_seq"]]))
    ring = Keyring([signer.public_key])
    assert checkpoint.verify(data, ring) == "valid"
    assert checkpoint.verify(dict(data, k=data["k"] + 1), ring) == "invalid"
    assert checkpoint.verify(data, Keyring()) == "unknown key"
    pt.log.close()
    cp = tmp_path / "cp.json"
    checkpoint.write(str(cp), data)
    resumed = checkpoint.resume(source, str(path), checkpoint_path=str(cp), keyring=ring,
                                attach_log=False)
    assert resumed.hashes[-1] == pt.hashes[-1]
    bad = dict(data, signature={"key": signer.id, "sig": data["signature"]["sig"][::-1]})
    checkpoint.write(str(cp), bad)
    try:
        checkpoint.resume(source, str(path), checkpoint_path=str(cp), keyring=ring,
                          attach_log=False)
        raise AssertionError("a checkpoint with a bad signature was used")
    except checkpoint.CheckpointError as exc:
        assert "signature" in str(exc)


def _bundle(tmp_path, signer, logs):
    entries = [{"number": n, "log_path": str(p)} for n, p in enumerate(logs, 1)]
    out = tmp_path / "export.zip"
    manifest = write_bundle(str(out), {"game": "tic_tac_toe", "session": "abc"},
                            "games/tic_tac_toe", entries, signer=signer)
    return out, manifest


def test_export_manifest_signature_and_the_key_inside_the_zip(tmp_path):
    signer = Signer.at(tmp_path / "k.pem")
    out, manifest = _bundle(tmp_path, signer, [signed_log(tmp_path, signer)])
    assert manifest["signing_key"]["public_key"] == public_text(signer.public_key)
    ring = Keyring([signer.public_key])
    summary = validate_bundle(str(out), keyring=ring)
    assert summary["status"] == "canonical"
    assert summary["manifest_signature"] == "valid"
    assert summary["reports"][0]["signature"]["status"] == "valid"
    alone = validate_bundle(str(out))             # only the key the ZIP itself carries
    assert alone["manifest_signature"] == "unknown key"
    assert alone["reports"][0]["signature"]["status"] == "unknown key"


def _rewrite(src, dst, drop=(), add=None, manifest_edit=None):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            data = zin.read(info)
            if info.filename == "manifest.json" and manifest_edit:
                m = json.loads(data)
                manifest_edit(m)
                data = json.dumps(m).encode()
            zout.writestr(info, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)


def test_manifest_play_through_list_is_compared_both_ways(tmp_path):
    signer = Signer.at(tmp_path / "k.pem")
    logs = [signed_log(tmp_path, signer, seed=s, name=f"l{s}.jsonl") for s in (1, 2)]
    out, _ = _bundle(tmp_path, signer, logs)

    def forget(m):                             # the file and its sum removed
        m["files"].pop("playthroughs/2/log.jsonl")
    removed = tmp_path / "removed.zip"
    _rewrite(out, removed, drop={"playthroughs/2/log.jsonl"}, manifest_edit=forget)
    summary = validate_bundle(str(removed))
    assert summary["status"] == "error"
    assert "play-through 2 is listed but its log is not in the ZIP" in summary["error"]
    added = tmp_path / "added.zip"
    _rewrite(out, added, add={"playthroughs/3/log.jsonl": logs[0].read_bytes()})
    summary = validate_bundle(str(added))
    assert summary["status"] == "error" and "not in the manifest" in summary["error"]


def test_cli_reports_signature_unknown_version_and_exit_codes(tmp_path):
    signer = Signer.at(tmp_path / "k.pem")
    path = signed_log(tmp_path, signer)
    key_file = tmp_path / "portal.pub"
    key_file.write_text(public_text(signer.public_key) + "\n")
    runner = CliRunner()
    env = {"SIGNING_KEY_PATH": str(tmp_path / "none.pem")}
    result = runner.invoke(main, ["validate", str(path)], env=env)
    assert result.exit_code == 0 and "signature: unknown key" in result.output
    result = runner.invoke(main, ["validate", str(path), "--keys", str(key_file)], env=env)
    assert result.exit_code == 0 and "signature: valid" in result.output, result.output
    # a log still open: canonical so far, exit 3, said as such
    open_log = tmp_path / "open.jsonl"
    open_log.write_bytes(b"".join(l + b"\n" for l in read_lines(str(path))[:5]))
    result = runner.invoke(main, ["validate", str(open_log)], env=env)
    assert result.exit_code == 3 and "still open" in result.output, result.output
    # a folder: games check's partial.jsonl is not a log to judge
    folder = tmp_path / "logs"
    folder.mkdir()
    (folder / "log.jsonl").write_bytes(path.read_bytes())
    (folder / "partial.jsonl").write_bytes(b"not a log\n")
    result = runner.invoke(main, ["validate", str(folder), "--json"], env=env)
    assert json.loads(result.output)["path"].endswith("log.jsonl")   # one log: its report
    # a ZIP whose game version this machine has never installed
    out, _ = _bundle(tmp_path, signer, [path])
    result = runner.invoke(main, ["validate", str(out), "--games", str(tmp_path)], env=env)
    assert "unknown to this portal" in result.output, result.output
    assert "manifest signature: unknown key" in result.output


def test_parity_against_another_version_names_the_first_divergent_step(tmp_path):
    """``--against``: an instructor sees what a game edit changes in old logs."""
    import shutil
    path = signed_log(tmp_path, None)
    edited = tmp_path / "tic_tac_toe_edited"
    shutil.copytree("games/tic_tac_toe", edited, ignore=shutil.ignore_patterns("__pycache__"))
    code = edited / "Tic_Tac_Toe_SZ6.py"
    code.write_text(code.read_text().replace('f"Place {MARKS', 'f"Put {MARKS'))
    runner = CliRunner()
    same = runner.invoke(main, ["validate", str(path), "--against", "games/tic_tac_toe",
                                "--json"])
    assert same.exit_code == 0, same.output
    result = runner.invoke(main, ["validate", str(path), "--against", str(edited), "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    f = report["first_failure"]
    assert (f["class"], f["step"], f["line"]) == ("state_mismatch", 1, 2)
    (diff,) = [d for d in f["diff"] if d["aspect"] == "op_name"]
    assert diff["recorded"].startswith("Place ") and diff["replayed"].startswith("Put ")
    assert report["versions"]["replayed_with"] != report["versions"]["game"]
    text = runner.invoke(main, ["validate", str(path), "--against", str(edited)]).output
    assert "replayed against" in text and "op_name: recorded 'Place" in text


def test_a_game_that_depends_on_string_hash_order_is_named_nondeterministic(tmp_path):
    """A log replayed in game processes with two string hash seeds: the game, not the
    log, is blamed (``nondeterminism``, not ``state_mismatch``)."""
    from engine.gameproc.logs import validate_with
    from engine.gameproc.pool import GamePool
    import subprocess
    import sys
    source = GameSource("tests/fixtures/games/hash_order")
    make = ("import random, sys; from engine import bots; from engine.loader import GameSource;"
            "from engine.log import LogWriter; from engine.playthrough import PlayThrough;"
            "pt = PlayThrough(GameSource(sys.argv[1]), seed=1, log_writer=LogWriter()).start();"
            "bots.play_out(pt, rnd=random.Random(1)); sys.stdout.write(pt.log.text())")
    text = subprocess.run([sys.executable, "-c", make, str(source.folder)], check=True,
                          capture_output=True, text=True,
                          env=dict(os.environ, PYTHONHASHSEED="777")).stdout
    pool = GamePool(tmp_path / "pool", spare=False)
    try:
        report = validate_with(pool, lambda slug, v: source if v == source.version else None,
                               text)
    finally:
        pool.close()
    assert report["first_failure"]["class"] == "nondeterminism", report["first_failure"]
