"""A stored "canonical" does not outlive the file it was made on: every page and API
answer that shows a verdict re-checks the log as it is now; the live portal signs
its footers with its own key, published at /api/v1/signing-key."""
import json

from engine.log import read_lines
from engine.signing import Keyring, public_from_text
from tests.engine.logtools import make_log
from tests.webapp.conftest import csrf_from
from tests.webapp.test_live import live_pt, move, play_setup
from webapp.models import PlayThroughRecord, Session


def wait_until(cond, timeout=10):
    import time
    deadline = time.time() + timeout
    while not cond():
        assert time.time() < deadline, "timed out"
        time.sleep(0.02)


def x_wins(app, live_server):
    """A live tic-tac-toe that X wins in five moves; its play-through."""
    owner, (ann, bob), key = play_setup(app, live_server, "tic_tac_toe",
                                        [("Ann", [0]), ("Bob", [1])])
    pt = live_pt(app, key)
    for role, cell in ((0, 0), (1, 3), (0, 1), (1, 4), (0, 2)):
        k = pt.k
        move(ann if role == 0 else bob, pt, role, cell)
        wait_until(lambda: pt.k > k)
    wait_until(lambda: pt.ended == "goal")
    return pt


def validated(app, client, filled_session, run_jobs, make_user, login):
    key = filled_session(count=2, owner="prof")
    make_user("admin1", kind="admin")
    login("admin1")
    token = csrf_from(client.get("/admin/jobs").get_data(as_text=True))
    assert client.post(f"/s/{key}/validate", data={"csrf_token": token}).status_code == 302
    run_jobs()
    with app.app_context():
        records = Session.query.filter_by(key=key).one().playthroughs
        assert [r.validation_status for r in records] == ["canonical", "canonical"]
        return [(r.id, r.log_path) for r in records]


def test_an_edited_or_replaced_log_loses_its_stored_verdict(app, client, filled_session,
                                                           run_jobs, make_user, login):
    (edited_id, edited), (replaced_id, replaced) = validated(app, client, filled_session,
                                                              run_jobs, make_user, login)
    lines = read_lines(edited)
    event = json.loads(lines[3])
    event["op_name"] = "a forged move"
    lines[3] = json.dumps(event, separators=(",", ":")).encode()
    open(edited, "wb").write(b"".join(l + b"\n" for l in lines))
    # another genuine, well-sealed log put in place of the validated one
    open(replaced, "w").write(make_log("tic_tac_toe", 99))
    for record_id, why in ((edited_id, "hash chain breaks"), (replaced_id, "replaced")):
        page = client.get(f"/playthroughs/{record_id}/validation").get_data(as_text=True)
        assert "non-canonical: structure" in page and why in page, page
        assert 'id="rechecked"' in page
    with app.app_context():
        from webapp.api.serialize import playthrough
        rows = {r.id: playthrough(r) for r in PlayThroughRecord.query.all()}
    assert rows[edited_id]["validation_status"] == "non_canonical"
    assert rows[replaced_id]["validation_class"] == "structure"


def test_live_footers_are_signed_with_the_published_key(app, live_server, client):
    pt = x_wins(app, live_server)
    published = client.get("/api/v1/signing-key").get_json()
    assert published["algorithm"] == "Ed25519"
    ring = Keyring([public_from_text(published["public_key"])])
    footer = json.loads(read_lines(pt.log.path)[-1])
    assert ring.verify("footer", footer, footer["signature"]) == "valid"
    header = json.loads(read_lines(pt.log.path)[0])
    assert header["format"] == 2
    assert all("name" not in s and s["participant"].startswith("p-") for s in header["seats"])
    assert "Ann" not in open(pt.log.path).read()          # names stay in the database


def test_validate_stored_uses_every_core_and_tags_every_row(app, filled_session, monkeypatch):
    from click.testing import CliRunner

    from webapp.cli import main
    key = filled_session(count=4, owner="prof")
    with app.app_context():
        records = Session.query.filter_by(key=key).one().playthroughs
        target = records[1]
        lines = read_lines(target.log_path)
        event = json.loads(lines[4])
        event["state_hash"] = "ab" * 32
        lines[4] = json.dumps(event, separators=(",", ":")).encode()
        open(target.log_path, "wb").write(b"".join(l + b"\n" for l in lines))
        ids = [r.id for r in records]
    for name, value in (("DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"]),
                        ("DATA_DIR", app.config["DATA_DIR"]), ("SECRET_KEY", "x")):
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["validate-stored", "--session", key, "--jobs", "2",
                                       "--json"])
    assert result.exit_code == 1, result.output
    summary = json.loads(result.output)
    assert (summary["logs"], summary["canonical"]) == (4, 3)
    with app.app_context():
        got = [db_row.validation_class for db_row in
               PlayThroughRecord.query.filter(PlayThroughRecord.id.in_(ids))
               .order_by(PlayThroughRecord.id)]
    assert got == [None, "structure", None, None]


def test_the_portal_trusts_its_own_signatures(app, live_server, run_jobs):
    """A finished live play-through's validation report says its footer's signature
    is valid (the portal's key), on the report page too."""
    pt = x_wins(app, live_server)
    import time
    deadline = time.time() + 20
    while True:
        run_jobs()
        with app.app_context():
            record = PlayThroughRecord.query.one()
            report = record.validation_report
        if report or time.time() > deadline:
            break
        time.sleep(0.2)
    assert report["status"] == "canonical"
    assert report["signature"]["status"] == "valid", report["signature"]


def test_a_sessions_logs_replayed_against_an_edited_game_name_each_divergence(
        app, filled_session, monkeypatch, tmp_path):
    """``validate-stored --session KEY --against FOLDER|VERSION``: what a game edit
    changes in a whole session's play-throughs; a comparison, so no row is tagged."""
    import shutil

    from click.testing import CliRunner

    from webapp.cli import main
    from webapp.models import GameVersion
    key = filled_session(count=3, owner="prof")
    edited = tmp_path / "tic_tac_toe_edited"
    shutil.copytree("games/tic_tac_toe", edited, ignore=shutil.ignore_patterns("__pycache__"))
    code = edited / "Tic_Tac_Toe_SZ6.py"
    code.write_text(code.read_text().replace('f"Place {MARKS', 'f"Put {MARKS'))
    with app.app_context():
        installed = GameVersion.query.join(GameVersion.game).filter_by(
            slug="tic_tac_toe").first().version_hash
    for name, value in (("DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"]),
                        ("DATA_DIR", app.config["DATA_DIR"]), ("SECRET_KEY", "x")):
        monkeypatch.setenv(name, value)
    runner = CliRunner()
    same = runner.invoke(main, ["validate-stored", "--session", key, "--against",
                                installed[:10], "--json"])
    assert same.exit_code == 0, same.output
    assert json.loads(same.output)["canonical"] == 3
    result = runner.invoke(main, ["validate-stored", "--session", key, "--against",
                                  str(edited), "--json"])
    assert result.exit_code == 1, result.output
    summary = json.loads(result.output)
    assert summary["against"]["folder"] == str(edited)
    assert (summary["logs"], summary["canonical"]) == (3, 0)
    for report in summary["reports"]:
        f = report["first_failure"]
        assert (f["class"], f["step"]) == ("state_mismatch", 1)
        assert [d for d in f["diff"] if d["aspect"] == "op_name"]
    text = runner.invoke(main, ["validate-stored", "--session", key, "--against",
                                str(edited)]).output
    assert "replayed against" in text and "op_name: recorded 'Place" in text
    with app.app_context():              # a comparison tags nothing
        assert all(r.validated_at is None and r.validation_status is None for r in
                   Session.query.filter_by(key=key).one().playthroughs)
    wrong = runner.invoke(main, ["validate-stored", "--session", key, "--against", "zz"])
    assert wrong.exit_code == 2 and "no game folder or installed version" in wrong.output
