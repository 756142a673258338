"""A hostile instructor's game, through the path a user takes (ZIP upload, a debug
session, moves over a real socket): it reads no secret, reaches no network, writes
nothing outside its folders, leaves no process behind, and whatever it does (exit,
interrupt, loop, eat memory, flood) refuses only its own move while other sessions
go on."""
import io
import pathlib
import subprocess
import time
import zipfile

import pytest

from webapp.config import REPO_DIR, instance_secret_key

from .players import Player
from .test_live import live_pt, move, play_setup

FIXTURES = REPO_DIR / "tests" / "fixtures" / "games"
pytestmark = pytest.mark.sandbox
ARM = 14                      # hostile's "Arm" operator


def zip_of(slug):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path in sorted((FIXTURES / slug).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                zf.write(path, f"{slug}/{path.relative_to(FIXTURES / slug)}")
    return buffer.getvalue()


def instructor(app, live_server, name="mallory"):
    with app.app_context():
        from webapp.extensions import db
        from webapp.models import User
        user = User(username=name, kind="instructor", display_name=name.title())
        user.set_password("pw")
        db.session.add(user)
        db.session.commit()
    return Player(live_server).login(name)


def upload(player, slug):
    token = player.csrf("/admin/games/install")
    return player.http.post(player.base + "/admin/games/install",
                            data={"csrf_token": token},
                            files={"archive": (f"{slug}.zip", zip_of(slug))})


def install_and_debug(app, live_server, slug):
    """The instructor uploads ``slug``, installs it and plays it in a debug session:
    (instructor, session key) with the instructor's socket open."""
    mallory = instructor(app, live_server)
    review = upload(mallory, slug)
    assert review.ok and "/admin/games/install/" in review.url, review.text[-2000:]
    confirmed = mallory.post(review.url.split(mallory.base)[1] + "/confirm", {},
                             csrf_from=review.url.split(mallory.base)[1])
    assert confirmed.ok, confirmed.text[-2000:]
    session = mallory.post(f"/s/debug/{slug}", {}, csrf_from="/games/")
    key = session.url.split("/s/")[1].split("/")[0]
    mallory.post(f"/s/{key}/start", {}, csrf_from=f"/s/{key}/lobby")
    mallory.connect(key)
    mallory.wait_for(lambda t: 'id="state-view"' in t)
    if slug == "hostile":                       # the attacks wait for this code
        pt = live_pt(app, key)
        version = pt.version
        move(mallory, pt, 0, ARM, [424242])
        mallory.wait_version(version + 1)
    return mallory, key


def secrets_of(app):
    key_file = REPO_DIR / "instance" / "secret_key"
    return [app.config["SECRET_KEY"], instance_secret_key(REPO_DIR / "instance"),
            app.config["SQLALCHEMY_DATABASE_URI"]], key_file


def test_a_game_reads_no_secret_at_import(app, live_server):
    secrets, _ = secrets_of(app)
    mallory = instructor(app, live_server)
    page = upload(mallory, "import_attack").text
    assert "loot:" in page                       # the game ran, and its error is shown
    for secret in secrets:
        assert secret not in page
    assert "FileNotFoundError" in page or "PermissionError" in page


def act(player, pt, op, args=None):
    """Send a move and return the next flash or message-bar text for it."""
    version = pt.version
    move(player, pt, 0, op, args)
    return player.wait_for(lambda t: ('id="flash"' in t and "<p class" in t)
                           or f'data-version="{version + 1}"' in t, timeout=30)


def message_of(player, text):
    if 'id="message-bar"' in text:
        return text.split('id="message-bar"', 1)[1].split("</div>", 1)[0]
    return player.wait_for(lambda t: 'id="message-bar"' in t).split(
        'id="message-bar"', 1)[1].split("</div>", 1)[0]


def test_moves_reach_no_secret_network_file_or_process(app, live_server):
    secrets, _ = secrets_of(app)
    mallory, key = install_and_debug(app, live_server, "hostile")
    pt = live_pt(app, key)
    text = message_of(mallory, act(mallory, pt, 1))                    # read secrets
    assert "secret_key failed" in text and "webapp failed" in text
    for secret in secrets + ["SECRET_KEY", "DATABASE_URL", "REDIS_URL"]:
        assert secret not in text
    port = int(live_server.rsplit(":", 1)[1])
    text = message_of(mallory, act(mallory, live_pt(app, key), 2, [port]))  # the portal
    assert f"connect {port} failed" in text and "connected" not in text
    text = message_of(mallory, act(mallory, live_pt(app, key), 3))     # write files
    assert "ok:" not in text
    assert not (REPO_DIR / "webapp" / "backdoor.py").exists()
    assert not (REPO_DIR / "engine" / "x.py").exists()
    before = sleepers()
    act(mallory, live_pt(app, key), 4)                                  # detach
    act(mallory, live_pt(app, key), 5)                                  # fork bomb
    deadline = time.monotonic() + 5
    while sleepers() > before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sleepers() == before, "a process the game started outlived its move"
    mallory.close()


def sleepers():
    done = subprocess.run(["pgrep", "-fc", "sleep 600"], capture_output=True, text=True)
    return int(done.stdout.strip() or 0)


@pytest.mark.parametrize("op, expected", [
    (10, "SystemExit"), (11, "KeyboardInterrupt"), (12, "process stopped"),
    (6, "took longer than"), (7, "MemoryError"), (8, "too large")],
    ids=["sys.exit", "KeyboardInterrupt", "os._exit", "spin", "memory", "huge message"])
def test_a_misbehaving_move_harms_only_itself(app, live_server, op, expected):
    app.config["GAME_MOVE_SECONDS"] = 3
    app.config["GAME_MEMORY_MB"] = 600
    mallory, key = install_and_debug(app, live_server, "hostile")
    owner, (ann, bob), other = play_setup(app, live_server, "tic_tac_toe",
                                          [("Ann", [0]), ("Bob", [1])])
    pt = live_pt(app, key)
    version = pt.version
    import threading
    answer = {}
    worker = threading.Thread(target=lambda: answer.update(text=act(mallory, pt, op)))
    worker.start()
    time.sleep(0.3)
    took = []                     # meanwhile another session plays, and pages answer
    for role, cell, player in ((0, 4, ann), (1, 0, bob)):
        started = time.monotonic()
        before = live_pt(app, other).version
        move(player, live_pt(app, other), role, cell)
        player.wait_version(before + 1)
        took.append(time.monotonic() - started)
        assert Player(live_server).http.get(live_server + "/games/").ok
    worker.join(30)
    assert max(took) < 2.0, took
    assert expected in answer["text"] and "Nothing changed" in answer["text"]
    pt = live_pt(app, key)
    assert pt.version == version and pt.k == 1
    after = act(mallory, pt, 0)                   # the game goes on: a plain step works
    assert f'data-version="{version + 1}"' in after, after[:300]
    for p in (mallory, owner, ann, bob):
        p.close()


def test_what_a_game_prints_is_kept_for_its_owner_not_mixed_into_the_server(
        app, live_server, capfd):
    mallory, key = install_and_debug(app, live_server, "hostile")
    pt = live_pt(app, key)
    act(mallory, pt, 13)
    output = live_pt(app, key).output
    assert "a line on stderr" in output and "a line the game prints 10" in output
    assert "output of this move was cut" in output and len(output) < 20000   # bounded
    out, err = capfd.readouterr()
    assert "a line the game prints" not in out + err
    page = mallory.http.get(f"{live_server}/s/{key}/play").text      # the owner sees it
    assert 'id="game-output"' in page and "output of this move was cut" in page
    mallory.close()


def test_validating_a_zip_runs_its_bundled_code_in_the_sandbox(tmp_path):
    """An export ZIP whose bundled game writes a marker file at import: ``szportal
    validate`` replays it, and the marker never appears on this machine."""
    marker = tmp_path / "owned.txt"
    src = (FIXTURES / "stalls" / "Stalls_SZ6.py").read_text()
    evil = f"open({str(marker)!r}, 'w').write('owned')\n" + src
    folder = tmp_path / "stalls"
    folder.mkdir()
    (folder / "Stalls_SZ6.py").write_text(evil)
    from engine.loader import GameSource
    from engine.log import LogWriter
    from engine.playthrough import Actor, PlayThrough
    source = GameSource(folder)
    log_path = tmp_path / "log.jsonl"
    pt = PlayThrough(source, seed=1, log_writer=LogWriter(str(log_path))).start()
    pt.apply(Actor(0, "a"), 0)
    pt.apply(Actor(1, "b"), 0)
    pt.close()
    marker.unlink()                            # the in-process play above wrote it
    zip_path = tmp_path / "export.zip"
    bundle_one(zip_path, folder, log_path, source)
    done = subprocess.run([str(REPO_DIR / ".venv" / "bin" / "python"), "-m", "engine.cli",
                           "validate", str(zip_path)], capture_output=True, text=True,
                          cwd=REPO_DIR, timeout=120)
    assert "canonical" in done.stdout, done.stdout + done.stderr
    assert not marker.exists(), "the bundled game wrote outside its sandbox"


def bundle_one(zip_path, game_folder, log_path, source):
    """A one-play-through export ZIP in the format engine.bundle reads."""
    import hashlib
    import json
    files = {}
    with zipfile.ZipFile(zip_path, "w") as zf:
        for path in sorted(pathlib.Path(game_folder).rglob("*")):
            if path.is_file():
                arc = f"game/{path.relative_to(game_folder)}"
                zf.write(path, arc)
                files[arc] = hashlib.sha256(path.read_bytes()).hexdigest()
        zf.write(log_path, "playthroughs/1/log.jsonl")
        files["playthroughs/1/log.jsonl"] = hashlib.sha256(
            pathlib.Path(log_path).read_bytes()).hexdigest()
        manifest = {"format": 1, "kind": "session", "game": source.slug,
                    "game_version": source.version, "files": files}
        zf.writestr("manifest.json", json.dumps(manifest))


def test_games_check_names_a_hash_seed_dependent_game():
    done = subprocess.run([str(REPO_DIR / ".venv" / "bin" / "python"), "-m", "engine.cli",
                           "games", "check", str(FIXTURES / "hash_order"), "--runs", "1"],
                          capture_output=True, text=True, cwd=REPO_DIR, timeout=300)
    assert "nondeterministic across processes" in done.stdout, done.stdout + done.stderr


def test_an_import_that_never_ends_is_stopped(app, live_server):
    app.config["INSTALL_CHECK_SECONDS"] = 3
    mallory = instructor(app, live_server)
    started = time.monotonic()
    page = upload(mallory, "import_loops").text
    assert "did not finish within 3 seconds" in page
    assert time.monotonic() - started < 20


def test_network_granted_reaches_out_but_never_this_machine(app, live_server):
    """An admin grants the network: the game gets an interface of its own (slirp4netns),
    but this machine's services (the portal, on loopback) stay out of reach."""
    import shutil
    if not shutil.which("slirp4netns"):
        pytest.skip("slirp4netns is not installed (network grants need it)")
    mallory, key = install_and_debug(app, live_server, "hostile")
    with app.app_context():
        from webapp.extensions import db
        from webapp.games import remember_settings
        from webapp.models import Game
        game = Game.query.filter_by(slug="hostile").one()
        game.settings = {"network": True}
        db.session.commit()
        remember_settings("hostile", game.settings)
    live_pt(app, key).pool.drop(live_pt(app, key).proc)     # a process with the grant
    text = message_of(mallory, act(mallory, live_pt(app, key), 15))
    assert "tap0" in text
    port = int(live_server.rsplit(":", 1)[1])
    for_portal = message_of(mallory, act(mallory, live_pt(app, key), 2, [port]))
    assert f"connect {port} failed" in for_portal and "connected" not in for_portal
    mallory.close()


def test_a_game_gets_the_environment_its_admin_set_in_its_check_and_its_moves(
        app, live_server, tmp_path):
    """A new version that needs a key: refused without it; a game admin sets it in the
    game's settings; the upload's check then passes with it, and its moves see it."""
    with app.app_context():                      # a first version, that needs no key
        from webapp.catalog.seeding import install_game
        plain = tmp_path / "needs_key"
        plain.mkdir()
        (plain / "Needs_Key_SZ6.py").write_text(
            (FIXTURES / "needs_key" / "Needs_Key_SZ6.py").read_text().replace(
                'TOKEN = os.environ["NEEDS_KEY_TOKEN"]', 'TOKEN = "none"'))
        install_game(plain)
    from tests.webapp.play.support import make_admin
    make_admin(app, "boss")
    boss = Player(live_server).login("boss")
    refused = upload(boss, "needs_key").text
    assert "NEEDS_KEY_TOKEN" in refused and "Not installed" in refused
    saved = boss.post("/admin/games/needs_key/settings",
                      {"env": "NEEDS_KEY_TOKEN=s3cret-key-12345", "move_seconds": "10"})
    assert saved.ok and "Settings of" in saved.text
    assert "s3cret-key-12345" not in boss.http.get(
        live_server + "/admin/games/needs_key/settings").text          # shown masked
    review = upload(boss, "needs_key")
    assert "Not installed" not in review.text, review.text[-1500:]
    page = review.url.split(boss.base)[1]
    assert boss.post(page + "/confirm", {"install_as": "new-version"}, csrf_from=page).ok
    session = boss.post("/s/debug/needs_key", {}, csrf_from="/games/")
    assert "/lobby" in session.url, session.text[-1500:]
    key = session.url.split("/s/")[1].split("/")[0]
    boss.post(f"/s/{key}/start", {}, csrf_from=f"/s/{key}/lobby")
    boss.connect(key)
    boss.wait_for(lambda t: 'id="state-view"' in t)
    text = message_of(boss, act(boss, live_pt(app, key), 0))
    assert "the key has 16 characters" in text
    boss.close()
