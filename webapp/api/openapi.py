"""The OpenAPI 3.1 document of the read-only API (schemas are JSON Schema 2020-12)."""
import copy

from ..models import SESSION_STATUSES
from ..research.queries import PER_PAGE_MAX, SORTS, STATUS_FILTERS, VALIDATION_FILTERS

NULLABLE_STR = {"type": ["string", "null"]}
TIME = {"type": "string", "format": "date-time"}
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties, required=None, extra=False):
    return {"type": "object", "properties": properties,
            "required": list(required if required is not None else properties),
            "additionalProperties": extra}


SCHEMAS = {
    "Error": obj({"error": obj({"code": {"type": "string"}, "message": {"type": "string"}})}),
    "SessionSummary": obj({
        "key": {"type": "string"}, "status": {"enum": list(SESSION_STATUSES)},
        "game": obj({"slug": {"type": "string"}, "name": {"type": "string"}}),
        "game_version": {"type": "string"},
        "owner": obj({"username": {"type": "string"}, "display_name": {"type": "string"}}),
        "created_at": TIME, "playthrough_count": {"type": "integer", "minimum": 0}}),
    "Seat": obj({"name": {"type": "string"}, "kind": {"enum": ["human", "guest", "bot"]},
                 "bot_strategy": NULLABLE_STR,
                 "roles": {"type": "array", "items": obj({"num": {"type": "integer"},
                                                          "name": {"type": "string"}})}}),
    "PlayThrough": obj({
        "id": {"type": "integer"}, "session_key": {"type": "string"},
        "number": {"type": "integer", "minimum": 1}, "status": {"type": "string"},
        "end_reason": {"enum": [None, "goal", "abandoned", "stalled", "interrupted"]},
        "steps": {"type": "integer", "minimum": 0},
        "outcome": {"type": ["object", "null"], "additionalProperties": {"type": "string"}},
        "started_at": TIME, "ended_at": NULLABLE_TIME,
        "duration_seconds": {"type": ["integer", "null"]}, "seed": {"type": "integer"},
        "game_version": {"type": "string"}, "validation_status": NULLABLE_STR,
        "validation_class": {"type": "string"}}),
    "LogEvent": {"type": "object", "required": ["seq", "t", "type", "prev"],
                 "properties": {"seq": {"type": "integer", "minimum": 0},
                                "t": {"type": "string"}, "type": {"type": "string"},
                                "prev": {"type": "string", "pattern": "^[0-9a-f]{64}$"}},
                 "additionalProperties": True},
    "ValidationReport": {
        "type": "object", "required": ["status", "first_failure", "counts", "steps_replayed"],
        "properties": {
            "schema": {"type": "string"}, "validator": {"type": "string"},
            "status": {"enum": ["canonical", "non_canonical", "error"]},
            "signature": {"oneOf": [{"type": "null"}, {
                "type": "object", "required": ["status"],
                "properties": {"status": {"enum": ["valid", "invalid", "absent",
                                                   "unknown key"]},
                               "key": NULLABLE_STR}}]},
            "first_failure": {"oneOf": [{"type": "null"}, {
                "type": "object", "required": ["class", "step", "message", "diff"],
                "properties": {"class": {"type": "string"},
                               "step": {"type": ["integer", "null"]},
                               "line": {"type": ["integer", "null"], "minimum": 1},
                               "seq": {"type": ["integer", "null"], "minimum": 0},
                               "operator": {"type": ["integer", "null"]},
                               "explain": {"type": ["object", "null"]},
                               "message": {"type": "string"},
                               "diff": {"type": "array", "items": obj(
                                   {"aspect": {"type": "string"}, "recorded": {},
                                    "replayed": {}})}}}]},
            "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
            "steps_replayed": {"type": "integer"}, "seconds": {"type": "number"}},
        "additionalProperties": True},
    "ExportJob": obj({
        "id": {"type": "string"}, "kind": {"type": "string"}, "status": {"type": "string"},
        "progress": {"type": "integer"}, "session_id": {"type": ["integer", "null"]},
        "playthrough_id": {"type": ["integer", "null"]}, "created_at": TIME,
        "page_url": {"type": "string"}}),
}
SCHEMAS["SessionDetail"] = copy.deepcopy(SCHEMAS["SessionSummary"])
SCHEMAS["SessionDetail"]["properties"].update(
    options={"type": "object"}, seats={"type": "array", "items": ref("Seat")},
    playthroughs={"type": "array", "items": ref("PlayThrough")})
SCHEMAS["SessionDetail"]["required"] += ["options", "seats", "playthroughs"]
SCHEMAS["SessionPage"] = obj({
    "items": {"type": "array", "items": ref("SessionSummary")},
    "page": {"type": "integer"}, "per_page": {"type": "integer"},
    "total": {"type": "integer"}, "pages": {"type": "integer"}})
SCHEMAS["PlayThroughLog"] = obj({"playthrough_id": {"type": "integer"},
                                 "events": {"type": "array", "items": ref("LogEvent")}})
SCHEMAS["Validation"] = obj({"playthrough_id": {"type": "integer"},
                             "source": {"enum": ["stored", "on_demand"]},
                             "report": ref("ValidationReport")})
SCHEMAS["SigningKey"] = obj({"key": {"type": "string"}, "public_key": {"type": "string"},
                             "algorithm": {"enum": ["Ed25519"]}})
SCHEMAS["ExportList"] = obj({"available": {"type": "boolean"},
                             "items": {"type": "array", "items": ref("ExportJob")}})


def json_response(description, schema):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "401": json_response("Missing, unknown or revoked token", ref("Error")),
    "404": json_response("Not found", ref("Error")),
}


def query(name, description, schema):
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema}


SESSION_FILTERS = [
    query("game", "Game slug", {"type": "string"}),
    query("status", "Session status (between: its latest play-through ended, the session "
          "was not ended)", {"enum": list(STATUS_FILTERS)}),
    query("owner", "Owner's username", {"type": "string"}),
    query("validation", "Sessions with a play-through of this validation status",
          {"enum": list(VALIDATION_FILTERS)}),
    query("from", "Created on or after (YYYY-MM-DD)", {"type": "string", "format": "date"}),
    query("to", "Created on or before (YYYY-MM-DD)", {"type": "string", "format": "date"}),
    query("sort", "Sort key", {"enum": list(SORTS), "default": "created"}),
    query("order", "Sort order", {"enum": ["asc", "desc"], "default": "desc"}),
    query("page", "Page number", {"type": "integer", "minimum": 1, "default": 1}),
    query("per_page", "Sessions per page",
          {"type": "integer", "minimum": 1, "maximum": PER_PAGE_MAX, "default": 20}),
]
PT_ID = {"name": "playthrough_id", "in": "path", "required": True,
         "schema": {"type": "integer"}}


def operation(op_id, summary, schema, params=(), errors=("401", "404"), extra=None):
    responses = {"200": json_response("OK", schema)}
    responses.update({code: ERRORS[code] for code in errors})
    responses.update(extra or {})
    return {"get": {"operationId": op_id, "summary": summary, "parameters": list(params),
                    "responses": responses}}


def document():
    """The whole OpenAPI document, as served at /api/v1/openapi.json."""
    paths = {
        "/sessions": operation("listSessions", "Sessions, filtered and paginated",
                               ref("SessionPage"), SESSION_FILTERS, ("401",),
                               {"400": json_response("Bad filter", ref("Error"))}),
        "/sessions/{key}": operation(
            "getSession", "One session with seats and play-throughs", ref("SessionDetail"),
            [{"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}]),
        "/playthroughs/{playthrough_id}": operation(
            "getPlayThrough", "One play-through", ref("PlayThrough"), [PT_ID]),
        "/playthroughs/{playthrough_id}/log": operation(
            "getPlayThroughLog", "The log's parsed events", ref("PlayThroughLog"), [PT_ID],
            extra={"409": json_response("Unreadable log", ref("Error"))}),
        "/playthroughs/{playthrough_id}/validation": operation(
            "getPlayThroughValidation", "Validation report (stored, else replayed now)",
            ref("Validation"), [PT_ID]),
        "/exports": operation("listExports", "My export jobs", ref("ExportList"),
                              errors=("401",)),
        "/signing-key": {"get": {"operationId": "getSigningKey",
                                 "summary": "This portal's public signing key (Ed25519)",
                                 "security": [], "responses": {
                                     "200": json_response("The key", ref("SigningKey"))}}},
        "/openapi.json": {"get": {"operationId": "getOpenApi", "summary": "This document",
                                  "security": [], "responses": {"200": {
                                      "description": "OpenAPI document",
                                      "content": {"application/json": {
                                          "schema": {"type": "object"}}}}}}},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "szportal research API", "version": "1.0.0",
                 "description": "Read-only access to sessions, play-throughs, logs, validation "
                                "reports and your export jobs. Create a token on "
                                "/research/tokens and send it as a bearer token."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {"schemas": SCHEMAS, "securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer"}}},
    }
