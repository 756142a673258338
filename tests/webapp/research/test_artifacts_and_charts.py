"""Saved texts with versions and diffs; SVG charts with their CSV data."""
import re
import csv
import datetime
import io
import pathlib

from webapp.extensions import db
from webapp.models import PlayThroughRecord

from .conftest import record_of


def write_artifacts(app, record, versions):
    with app.app_context():
        folder = pathlib.Path(db.session.get(PlayThroughRecord, record).log_path).parent
    (folder / "artifacts").mkdir(exist_ok=True)
    for number, text in enumerate(versions, start=1):
        (folder / "artifacts" / f"v{number:04d}__essay.txt").write_text(text)


def test_artifact_versions_text_and_diff(app, client, researcher, played):
    record = record_of(app, played())
    base = f"/research/playthroughs/{record}/artifacts"
    assert "saved no texts" in client.get(base).get_data(as_text=True)
    write_artifacts(app, record, ["Once upon a time.\nThe end.\n",
                                  "Once upon a time.\n<script>alert(1)</script>\nThe end.\n"])
    listing = client.get(base).get_data(as_text=True)
    assert "essay.txt" in listing and "v1</a>" in listing and "v2</a>" in listing
    text = client.get(base + "?name=essay.txt&b=2").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script>alert" not in text
    diff = client.get(base + "?name=essay.txt&a=1&b=2").get_data(as_text=True)
    assert '<span class="d-add">+&lt;script&gt;alert(1)&lt;/script&gt;</span>' in diff
    assert '<span class="d-same"> The end.</span>' in diff
    for query, message in (("name=../../log.jsonl", "no saved text called"),
                           ("name=essay.txt&a=9", "has no version 9")):
        page = client.get(f"{base}?{query}", follow_redirects=True).get_data(as_text=True)
        assert message in page


def csv_rows(client, name, query=""):
    response = client.get(f"/research/charts/{name}.csv{query}")
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_charts_are_svg_with_csv_data(app, client, researcher, played):
    played(playthroughs=2, created=datetime.datetime(2025, 2, 1))
    played("rock_paper_scissors", created=datetime.datetime(2025, 2, 2))
    key = played(max_moves=2, created=datetime.datetime(2025, 2, 3))  # abandoned early
    with app.app_context():
        record = db.session.get(PlayThroughRecord, record_of(app, key))
        record.validation_status, record.validation_class = "non_canonical", "wrong_turn"
        db.session.commit()
    page = client.get("/research/charts").get_data(as_text=True)
    assert len(re.findall(r'<svg xmlns="http://www.w3.org/2000/svg" id="chart-[^"]+" class="[^"]*chart', page)) == 4
    assert "<script" not in page.split("<main")[1]
    outcomes = csv_rows(client, "outcomes")
    assert outcomes[0] == ["game", "outcome", "playthroughs"]
    assert ["tic_tac_toe", "abandoned", "1"] in outcomes
    assert sum(int(r[2]) for r in outcomes[1:] if r[0] == "tic_tac_toe") == 3
    moves = csv_rows(client, "moves")
    assert sum(int(r[1]) for r in moves[1:]) == 4
    validation = csv_rows(client, "validation")
    assert ["2025-02-03", "wrong_turn", "1"] in validation
    assert ["2025-02-01", "unvalidated", "2"] in validation
    only_rps = csv_rows(client, "outcomes", "?game=rock_paper_scissors")
    assert {r[0] for r in only_rps[1:]} == {"rock_paper_scissors"}
    drawn = page.split('id="chart-outcomes"')[1].split("</section>")[0]
    assert ">Tic-Tac-Toe</text>" in drawn and ">abandoned</text>" in drawn
    assert "tic_tac_toe" not in drawn.split("<svg")[1].split("</svg>")[0]
    assert client.get("/research/charts/secret.csv").status_code == 404
    bad = client.get("/research/charts/moves.csv?from=soon")
    assert bad.status_code == 400 and b"from must be a date" in bad.data
