"""Installing games from ZIPs: malicious uploads refused with a reason, nothing written;
good ones reviewed, confirmed and stored as immutable versions."""
import io
import os
import pathlib
import time

import pytest
from click.testing import CliRunner

from webapp.cli import main as cli_main
from webapp.models import MAX_GAME_NAME_LENGTH, Game, GameVersion
from webapp.install.models import GameInstall

from .conftest import post_form
from .zips import (broken_game_files, game_zip, symlink_zip, tic_tac_toe_files, zip_bytes)


def tree(folder):
    folder = pathlib.Path(folder)
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


@pytest.fixture
def admin(make_admin, logged_in):
    make_admin("boss")
    return logged_in("boss")


@pytest.fixture
def untouched(app, tmp_path):
    """Asserts after the test that no game or version folder changed and staging is empty."""
    data = pathlib.Path(app.config["DATA_DIR"])
    games_before = tree(app.config["GAMES_DIR"])
    versions_before = tree(data / "game_versions")
    yield
    assert tree(app.config["GAMES_DIR"]) == games_before
    assert tree(data / "game_versions") == versions_before
    assert tree(data / "install_staging") == []
    assert not list(tmp_path.rglob("evil*")) and not os.path.exists("/tmp/evil_abs.py")


def upload(client, data, filename="game.zip"):
    return post_form(client, "/admin/games/install", "/admin/games/install",
                     {"archive": (io.BytesIO(data), filename)},
                     content_type="multipart/form-data")


def refused(response, reason, status=400):
    page = response.get_data(as_text=True)
    assert response.status_code == status, page
    assert reason in page, page
    assert "Install this version" not in page
    return page


@pytest.mark.parametrize("members, reason", [
    ({"tic/../evil.py": b"x = 1", "tic/Tic_SZ6.py": b""}, "path leaving its folder (..)"),
    ({"/tmp/evil_abs.py": b"x = 1"}, "absolute path"),
    ({"C:/evil_win.py": b"x = 1"}, "absolute path"),
    ({f"many/f{i}.txt": b"" for i in range(1001)}, "too many files (1001"),
    ({"bomb/Bomb_SZ6.py": b"", "bomb/evil.bin": b"\0" * (12 * 1024 ** 2)},
     "suspicious compression ratio"),
    ({"huge/Huge_SZ6.py": b"", "huge/big.bin": os.urandom(21 * 1024 ** 2)}, "is too large"),
], ids=["zip-slip", "absolute", "drive-letter", "file-count", "bomb", "huge-file"])
def test_unsafe_zip_is_refused_before_anything_is_written(admin, untouched, members, reason):
    refused(upload(admin, zip_bytes(members)), reason)


def test_zip_with_a_link_is_refused(admin, untouched):
    refused(upload(admin, symlink_zip("linky")), "The ZIP contains a link: linky/secrets")


def test_not_a_zip_is_refused(admin, untouched):
    refused(upload(admin, b"just text"), "not a ZIP archive")


def test_game_that_loops_forever_at_import_is_killed(app, admin, untouched):
    app.config["INSTALL_CHECK_SECONDS"] = 3
    started = time.monotonic()
    response = upload(admin, game_zip("looper", broken_game_files("while True:\n    pass")))
    assert time.monotonic() - started < 20
    refused(response, "did not finish within 3 seconds and was stopped", 422)


def test_game_that_raises_at_import_shows_its_traceback(admin, untouched):
    prelude = "def explode():\n    raise ValueError('the board is missing')\nexplode()"
    page = refused(upload(admin, game_zip("raiser", broken_game_files(prelude))),
                   "the board is missing", 422)
    assert 'id="game-traceback"' in page
    assert "Tic_Tac_Toe_SZ6.py&#34;, line 2, in explode" in page \
        or 'Tic_Tac_Toe_SZ6.py", line 2, in explode' in page
    assert "ValueError" in page


def test_check_process_gets_no_server_secrets(monkeypatch):
    from engine.gameproc.sandbox import GameSettings, environment, unsandboxed_env
    monkeypatch.setenv("SECRET_KEY", "do-not-leak")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db/x")
    basics = {"PATH", "HOME", "LANG", "PYTHONHASHSEED", "PYTHONDONTWRITEBYTECODE"}
    assert set(environment(GameSettings())) == basics
    assert set(unsandboxed_env(GameSettings())) == basics | {"PYTHONPATH"}
    assert environment(GameSettings(env={"API_KEY": "k"}))["API_KEY"] == "k"
    assert "do-not-leak" not in str(environment(GameSettings()))


def test_upload_review_confirm_installs_an_immutable_dev_version(app, admin):
    games_before = tree(app.config["GAMES_DIR"])
    response = upload(admin, game_zip("ttt_deluxe", tic_tac_toe_files()))
    assert response.status_code == 302
    review_url = response.headers["Location"]
    page = admin.get(review_url).get_data(as_text=True)
    assert "Tic-Tac-Toe Deluxe" in page and "The check passed" in page and "new game" in page
    assert "Plays the X marks" in page and "Place X at (1,1)" in page
    assert "validate #2" in page and "checkpoint round-trip" in page
    with app.app_context():
        assert Game.query.filter_by(slug="ttt_deluxe").first() is None   # not yet
    response = post_form(admin, review_url, review_url + "/confirm", {"install_as": "new-version"})
    assert response.status_code == 302
    with app.app_context():
        game = Game.query.filter_by(slug="ttt_deluxe").one()
        version = game.current_version
        folder = pathlib.Path(version.folder)
        assert game.status == "dev" and game.name == "Tic-Tac-Toe Deluxe"
        assert folder == (pathlib.Path(app.config["DATA_DIR"]) / "game_versions" / "ttt_deluxe"
                          / version.version_hash / "ttt_deluxe")
        assert (folder / "Tic_Tac_Toe_SZ6.py").is_file()
        assert GameInstall.query.one().user.username == "boss"
    assert tree(app.config["GAMES_DIR"]) == games_before
    assert tree(pathlib.Path(app.config["DATA_DIR"]) / "install_staging") == []
    assert "Tic-Tac-Toe Deluxe" in admin.get("/admin/").get_data(as_text=True)
    again = upload(admin, game_zip("ttt_deluxe", tic_tac_toe_files()))
    refused(again, "This exact version of the game is already installed", 422)


def test_a_game_name_longer_than_the_catalog_keeps_is_shortened(app, admin):
    response = upload(admin, game_zip("ttt_long", tic_tac_toe_files("Long " * 60)))
    review_url = response.headers["Location"]
    assert post_form(admin, review_url, review_url + "/confirm", {"install_as": "new-version"}).status_code == 302
    with app.app_context():
        name = Game.query.filter_by(slug="ttt_long").one().name
    assert name == ("Long " * 60)[:MAX_GAME_NAME_LENGTH]
    assert name in admin.get("/admin/games/").get_data(as_text=True)


def test_discarding_a_checked_upload_installs_nothing(app, admin, untouched):
    response = upload(admin, game_zip("ttt_gone", tic_tac_toe_files()))
    review = response.headers["Location"]
    post_form(admin, review, review + "/cancel")
    assert admin.get(review).status_code == 404
    with app.app_context():
        assert Game.query.filter_by(slug="ttt_gone").first() is None


def test_cli_installs_a_zip(app, tmp_path, monkeypatch):
    archive = tmp_path / "cli_ttt.zip"
    archive.write_bytes(game_zip("cli_ttt", tic_tac_toe_files("CLI Tac Toe")))
    monkeypatch.setenv("INSTANCE_PATH", app.instance_path)
    monkeypatch.setenv("DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"])
    monkeypatch.setenv("DATA_DIR", app.config["DATA_DIR"])
    monkeypatch.setenv("SECRET_KEY", "test-secret")
    result = CliRunner().invoke(cli_main, ["games", "install", str(archive), "--yes",
                                           "--status", "published"])
    assert result.exit_code == 0, result.output
    assert "ok   validate #1" in result.output and "Installed cli_ttt" in result.output
    with app.app_context():
        assert Game.query.filter_by(slug="cli_ttt").one().status == "published"
    bad = tmp_path / "evil.zip"
    bad.write_bytes(zip_bytes({"x/../evil.py": b""}))
    result = CliRunner().invoke(cli_main, ["games", "install", str(bad), "--yes"])
    assert result.exit_code != 0 and "path leaving its folder" in result.output
    with app.app_context():
        assert GameVersion.query.count() == 5


def test_an_instructor_installs_an_own_game_seen_only_by_them_until_published(
        app, client, make_user, login):
    from tests.webapp.conftest import csrf_from
    make_user("prof", kind="instructor")
    make_user("other", kind="instructor")
    login("prof")
    assert 'id="install-game"' in client.get("/games/").get_data(as_text=True)
    response = upload(client, game_zip("my_quiz", tic_tac_toe_files("My Quiz")))
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    token = csrf_from(client.get(response.headers["Location"]).get_data(as_text=True))
    client.post(response.headers["Location"] + "/confirm", data={"csrf_token": token})
    with app.app_context():
        assert Game.query.filter_by(slug="my_quiz").one().status == "dev"
    assert client.get("/games/my_quiz").status_code == 200
    client.post("/auth/logout", data={"csrf_token": token})
    login("other")
    assert client.get("/games/my_quiz").status_code == 404
    assert "My Quiz" not in client.get("/games/").get_data(as_text=True)
    again = upload(client, game_zip("my_quiz", tic_tac_toe_files("My Quiz 2")))
    token = csrf_from(client.get(again.headers["Location"]).get_data(as_text=True))
    done = client.post(again.headers["Location"] + "/confirm",
                       data={"csrf_token": token, "install_as": "new-version"},
                       follow_redirects=True)
    assert "not yours" in done.get_data(as_text=True)


def test_an_open_ended_game_is_installed_with_a_note_on_its_review(app, admin):
    files = {p.name: p.read_bytes() for p in
             (pathlib.Path(__file__).parents[2] / "fixtures" / "games" / "open_ended").iterdir()
             if p.is_file()}
    response = upload(admin, game_zip("open_ended", files))
    assert response.status_code == 302, response.get_data(as_text=True)
    review_url = response.headers["Location"]
    page = admin.get(review_url).get_data(as_text=True)
    assert "The check passed" in page
    assert 'id="check-notes"' in page and "Open-ended: no goal in 2,000 moves" in page
    assert post_form(admin, review_url, review_url + "/confirm", {"install_as": "new-version"}).status_code == 302
    with app.app_context():
        assert Game.query.filter_by(slug="open_ended").one().current_version is not None


def test_a_folder_named_like_an_installed_game_asks_what_it_is(app, admin, tmp_path,
                                                              monkeypatch):
    """Five real game folders of ten were named like a built-in: the installer must say
    whether it is a new version of that game or a new game, on the web and in the CLI,
    and is told what was done."""
    files = tic_tac_toe_files("Someone's Tic-Tac-Toe")
    review = upload(admin, game_zip("tic_tac_toe", files)).headers["Location"]
    page = admin.get(review).get_data(as_text=True)
    assert 'id="install-as"' in page and 'value="tic_tac_toe_2"' in page
    refused = post_form(admin, review, review + "/confirm", follow_redirects=True)
    assert "say whether this is a new version of it or a new game" in \
        refused.get_data(as_text=True)
    done = post_form(admin, review, review + "/confirm",
                     {"install_as": "new-game", "new_slug": "tic_tac_toe_2"},
                     follow_redirects=True)
    assert "as a new game “tic_tac_toe_2”" in done.get_data(as_text=True)
    with app.app_context():
        new = Game.query.filter_by(slug="tic_tac_toe_2").one()
        assert new.name == "Someone's Tic-Tac-Toe" and len(new.versions) == 1
        builtin = Game.query.filter_by(slug="tic_tac_toe").one()
        assert all(v.version_hash != new.versions[0].version_hash for v in builtin.versions)
    for name, value in (("INSTANCE_PATH", app.instance_path),
                        ("DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"]),
                        ("DATA_DIR", app.config["DATA_DIR"]), ("SECRET_KEY", "x")):
        monkeypatch.setenv(name, value)
    other = dict(files, **{"README.md": b"Yet another one."})
    archive = tmp_path / "tic_tac_toe.zip"
    archive.write_bytes(game_zip("tic_tac_toe", other))
    result = CliRunner().invoke(cli_main, ["games", "install", str(archive), "--yes"])
    assert result.exit_code != 0 and "--as new-version or --as new-game" in result.output
    result = CliRunner().invoke(cli_main, ["games", "install", str(archive), "--yes",
                                           "--as", "new-game"])
    assert result.exit_code == 0, result.output
    assert "as a new game tic_tac_toe_3" in result.output
    third = tmp_path / "again" / "tic_tac_toe.zip"
    third.parent.mkdir()
    third.write_bytes(game_zip("tic_tac_toe", dict(files, **{"README.md": b"A third."})))
    asked = CliRunner().invoke(cli_main, ["games", "install", str(third)], input="v\ny\n")
    assert asked.exit_code == 0, asked.output
    assert "Is this [v] a new version of it" in asked.output
    assert "as a new version of tic_tac_toe" in asked.output
