"""The read-only JSON API: bearer tokens, filters, and responses that match the OpenAPI document."""
import re

import jsonschema
import pytest

from webapp.extensions import db
from webapp.jobs.models import JobRecord
from webapp.models import User

from ..conftest import csrf_from
from .conftest import record_of

SECRET_RE = re.compile(r'id="token-secret">(szr_[^<]+)<')


def new_token(client, name="script"):
    token = csrf_from(client.get("/research/tokens").get_data(as_text=True))
    page = client.post("/research/tokens", data={"name": name, "csrf_token": token})
    assert page.status_code == 200
    return SECRET_RE.search(page.get_data(as_text=True)).group(1)


@pytest.fixture
def api(client, researcher):
    """GET an API path with a fresh token of the logged-in researcher."""
    secret = new_token(client)

    def get(path, secret=secret):
        return client.get("/api/v1" + path, headers={"Authorization": f"Bearer {secret}"})
    return get


def operation_schema(document, path, status):
    """The response schema the document gives for GET ``path`` (a concrete URL path)."""
    for template, item in document["paths"].items():
        pattern = "^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path):
            response = item["get"]["responses"][str(status)]
            return response["content"]["application/json"]["schema"]
    raise AssertionError(f"{path} is not in the OpenAPI document")


def check(document, path, response):
    schema = dict(operation_schema(document, path.split("?")[0], response.status_code),
                  components=document["components"])
    jsonschema.Draft202012Validator(schema).validate(response.get_json())


def test_every_endpoint_answers_as_the_openapi_document_says(app, client, api, played):
    key = played("rock_paper_scissors", playthroughs=2)
    record = record_of(app, key)
    with app.app_context():
        user = User.query.filter_by(username="rita").one()
        db.session.add(JobRecord(id="job-1", kind="export", func="workers.exports.x",
                                 status="finished", progress=100, user_id=user.id))
        db.session.add(JobRecord(id="job-2", kind="export", func="workers.exports.x",
                                 status="queued", user_id=None))
        db.session.commit()
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    jsonschema.Draft202012Validator.check_schema({"$defs": document["components"]["schemas"]})
    paths = ["/sessions", "/sessions?game=rock_paper_scissors&per_page=1&sort=game",
             f"/sessions/{key}", f"/playthroughs/{record}", f"/playthroughs/{record}/log",
             f"/playthroughs/{record}/validation", "/exports",
             "/sessions?status=nonsense", "/sessions/nope", "/playthroughs/999999"]
    for path in paths:
        response = api(path)
        check(document, path, response)
    unauthorized = client.get("/api/v1/sessions")
    check(document, "/sessions", unauthorized)
    assert unauthorized.status_code == 401
    detail = api(f"/sessions/{key}").get_json()
    assert [p["number"] for p in detail["playthroughs"]] == [1, 2]
    assert api(f"/playthroughs/{record}/validation").get_json()["report"]["status"] == "canonical"
    events = api(f"/playthroughs/{record}/log").get_json()["events"]
    assert events[0]["type"] == "playthrough_started" and events[-1]["type"] == "playthrough_ended"
    exports = api("/exports").get_json()
    assert exports["available"] and [j["id"] for j in exports["items"]] == ["job-1"]


def test_every_api_route_is_documented(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    documented = {(path, method.upper()) for path, item in document["paths"].items()
                  for method in item}
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len("/api/v1"):])
            routes |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes and routes == documented


def test_session_filters_and_pagination(app, api, played):
    import datetime
    for day in (1, 2, 3):
        played(created=datetime.datetime(2025, 5, day, 12))
    played("rock_paper_scissors", owner="tom", created=datetime.datetime(2025, 6, 1))
    body = api("/sessions?game=tic_tac_toe&sort=created&order=asc&per_page=2").get_json()
    assert body["total"] == 3 and body["pages"] == 2 and len(body["items"]) == 2
    assert body["items"][0]["created_at"].startswith("2025-05-01")
    assert api("/sessions?owner=tom").get_json()["items"][0]["game"]["slug"] == \
        "rock_paper_scissors"
    ranged = api("/sessions?from=2025-05-02&to=2025-05-03").get_json()
    assert sorted(s["created_at"][:10] for s in ranged["items"]) == ["2025-05-02", "2025-05-03"]
    assert api("/sessions?validation=unvalidated").get_json()["total"] == 4
    assert api("/sessions?validation=canonical").get_json()["total"] == 0
    bad = api("/sessions?from=yesterday")
    assert bad.status_code == 400 and "from must be a date" in bad.get_json()["error"]["message"]


def test_tokens_are_hashed_shown_once_revocable_and_regenerable(app, client, researcher):
    secret = new_token(client, "notebook")
    auth = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/sessions", headers=auth).status_code == 200
    listing = client.get("/research/tokens").get_data(as_text=True)
    assert "notebook" in listing and secret not in listing and secret[:8] in listing
    with app.app_context():
        from webapp.research.models import ApiToken
        row = ApiToken.query.one()
        assert row.token_hash != secret and len(row.token_hash) == 64 and row.last_used_at
        token_id = row.id
    csrf = csrf_from(listing)
    page = client.post(f"/research/tokens/{token_id}/regenerate", data={"csrf_token": csrf})
    fresh = SECRET_RE.search(page.get_data(as_text=True)).group(1)
    assert fresh != secret
    assert client.get("/api/v1/sessions", headers=auth).status_code == 401
    assert client.get("/api/v1/sessions",
                      headers={"Authorization": f"Bearer {fresh}"}).status_code == 200
    client.post(f"/research/tokens/{token_id}/revoke", data={"csrf_token": csrf})
    refused = client.get("/api/v1/sessions", headers={"Authorization": f"Bearer {fresh}"})
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "invalid_token"
    assert "revoked" in client.get("/research/tokens").get_data(as_text=True)


def test_tokens_are_personal_and_die_with_research_access(app, client, make_user, login,
                                                          researcher):
    secret = new_token(client)
    with app.app_context():
        from webapp.research.models import ApiToken
        token_id = ApiToken.query.one().id
    make_user("ruth", kind="researcher")
    login("ruth")
    csrf = csrf_from(client.get("/research/tokens").get_data(as_text=True))
    assert client.post(f"/research/tokens/{token_id}/revoke",
                       data={"csrf_token": csrf}).status_code == 404
    empty = client.post("/research/tokens", data={"name": "  ", "csrf_token": csrf})
    assert empty.status_code == 400 and "Give the token a name" in empty.get_data(as_text=True)
    auth = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/sessions", headers=auth).status_code == 200
    with app.app_context():
        User.query.filter_by(username="rita").one().kind = "student"
        db.session.commit()
    assert client.get("/api/v1/sessions", headers=auth).status_code == 401
