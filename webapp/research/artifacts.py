"""Saved texts of a play-through (``artifacts/v0001__<name>``): versions and diffs."""
import difflib
import pathlib
import re

ARTIFACT_RE = re.compile(r"^v(\d{4,})__(.+)$")
MAX_SHOWN_BYTES = 2_000_000


def artifacts_folder(record):
    return pathlib.Path(record.log_path).parent / "artifacts"


def artifact_versions(record):
    """name -> [(version number, path)] in version order."""
    folder = artifacts_folder(record)
    found = {}
    if folder.is_dir():
        for path in folder.iterdir():
            match = ARTIFACT_RE.match(path.name)
            if match and path.is_file():
                found.setdefault(match.group(2), []).append((int(match.group(1)), path))
    return {name: sorted(items) for name, items in sorted(found.items())}


def artifact_text(record, name, version):
    """The text of one version, or None if there is no such artifact version."""
    for number, path in artifact_versions(record).get(name, []):
        if number == version:
            data = path.read_bytes()[:MAX_SHOWN_BYTES]
            return data.decode("utf-8", errors="replace")
    return None


def diff_lines(old, new, old_label, new_label):
    """Unified diff as (css class, line) pairs; the template escapes the text."""
    out = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), old_label,
                                     new_label, lineterm=""):
        if line.startswith(("---", "+++")):
            kind = "file"
        elif line.startswith("@@"):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "del"
        else:
            kind = "same"
        out.append((kind, line))
    return out
