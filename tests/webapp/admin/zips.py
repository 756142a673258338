"""Build game ZIPs for upload tests: honest ones from built-in games, and malicious ones."""
import io
import stat
import zipfile

from webapp.config import REPO_DIR

TIC_TAC_TOE = REPO_DIR / "games" / "tic_tac_toe"


def tic_tac_toe_files(name="Tic-Tac-Toe Deluxe"):
    """The built-in tic-tac-toe's files, with its display name changed."""
    files = {}
    for path in sorted(TIC_TAC_TOE.iterdir()):
        if path.is_file():
            data = path.read_bytes()
            if path.name == "Tic_Tac_Toe_SZ6.py":
                data = data.replace(b'self.name = "Tic-Tac-Toe"', f'self.name = "{name}"'.encode())
            files[path.name] = data
    return files


def zip_bytes(members):
    """A ZIP from {name: bytes}; names are used exactly as given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def game_zip(slug, files):
    return zip_bytes({f"{slug}/{name}": data for name, data in files.items()})


def symlink_zip(slug):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in tic_tac_toe_files().items():
            zf.writestr(f"{slug}/{name}", data)
        info = zipfile.ZipInfo(f"{slug}/secrets")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def broken_game_files(prelude):
    """Tic-tac-toe whose game file first runs ``prelude`` when it is imported."""
    files = tic_tac_toe_files("Broken")
    files["Tic_Tac_Toe_SZ6.py"] = prelude.encode() + b"\n" + files["Tic_Tac_Toe_SZ6.py"]
    return files
