"""Export bundles: written self-contained, validated offline, unsafe ZIPs refused."""
import json
import zipfile

import pytest
from click.testing import CliRunner

from engine.bundle import BundleError, extract, validate_bundle, write_bundle
from engine.cli import main
from tests.engine.logtools import events_of, make_log, seal


def bundle(tmp_path, logs):
    paths = []
    for n, text in enumerate(logs, 1):
        p = tmp_path / f"log{n}.jsonl"
        p.write_text(text)
        art = tmp_path / f"art{n}"
        art.mkdir()
        (art / "v0001__draft.txt").write_text("hello")
        paths.append({"number": n, "log_path": str(p), "artifacts_dir": str(art)})
    out = tmp_path / "export.zip"
    seen = []
    write_bundle(str(out), {"game": "tic_tac_toe", "session": "abc"}, "games/tic_tac_toe",
                 paths, validation={"status": "canonical"},
                 progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (len(logs), len(logs))
    return out


def test_bundle_validates_offline(tmp_path):
    out = bundle(tmp_path, [make_log("tic_tac_toe", s) for s in (1, 2, 3)])
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read("manifest.json"))
    assert {"manifest.json", "validation.json", "playthroughs/2/log.jsonl",
            "game/Tic_Tac_Toe_SZ6.py", "playthroughs/1/artifacts/v0001__draft.txt"} <= names
    assert manifest["files"]["playthroughs/1/log.jsonl"]
    summary = validate_bundle(str(out))
    assert summary["status"] == "canonical" and summary["logs"] == 3
    result = CliRunner().invoke(main, ["validate", str(out)])
    assert result.exit_code == 0 and "3/3 canonical" in result.output


def test_tampered_log_in_bundle_is_caught(tmp_path):
    events = events_of(make_log("tic_tac_toe", 4))
    events[2]["state_hash"] = "1" * 64
    out = bundle(tmp_path, [make_log("tic_tac_toe", 1), seal(events)])
    summary = validate_bundle(str(out))
    assert summary["status"] == "non_canonical" and summary["counts"] == {"state_mismatch": 1}


def test_file_changed_after_export_breaks_the_manifest(tmp_path):
    out = bundle(tmp_path, [make_log("tic_tac_toe", 1)])
    tampered = tmp_path / "t.zip"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(tampered, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "game/Tic_Tac_Toe_SZ6.py":
                data += b"\n# changed\n"
            dst.writestr(info, data)
    summary = validate_bundle(str(tampered))
    assert summary["status"] == "error" and "differ from the manifest" in summary["error"]


def test_truncated_zip_is_an_error_not_a_crash(tmp_path):
    out = bundle(tmp_path, [make_log("tic_tac_toe", 1)])
    cut = tmp_path / "cut.zip"
    cut.write_bytes(out.read_bytes()[:300])
    assert validate_bundle(str(cut))["status"] == "error"


@pytest.mark.parametrize("name", ["/etc/passwd", "../escape.txt", "a/../../b.txt"])
def test_unsafe_member_paths_are_refused(tmp_path, name):
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr(name, "x")
    with pytest.raises(BundleError):
        extract(str(bad), str(tmp_path / "out"))
    assert not (tmp_path / "escape.txt").exists()


def test_symlink_member_is_refused(tmp_path):
    bad = tmp_path / "link.zip"
    info = zipfile.ZipInfo("game/link")
    info.external_attr = (0o120777 << 16)
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(BundleError, match="link"):
        extract(str(bad), str(tmp_path / "out"))


def test_zip_bomb_is_refused(tmp_path):
    bad = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.txt", b"\0" * (50 * 1024 * 1024))
    with pytest.raises(BundleError, match="compression ratio"):
        extract(str(bad), str(tmp_path / "out"))
