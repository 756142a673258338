"""Every route of the app, for every kind of visitor, answers with the status in MATRIX.

Routes added later make this test fail until they are added to MATRIX (the
set of routes must equal the set in the table). Codes, in the order of
VISITORS: anonymous, guest (joined the session by link), student,
researcher, instructor (owns the sessions), admin (all permissions).
POSTs carry an empty form and no CSRF token (CSRF is off here, so the codes
show the role checks, not the CSRF check). Run with AUTHZ_MATRIX_PRINT=1 and
-s to print what the app answers now; review every line before pasting it.
"""
import os

from .authz import (VISITORS, client_for, guest_cookie, make_world, route_keys, rule_url,
                    socket_answer, start_game)

# Session 0 is in progress (the guest joined it before it started); rules that
# change a session's state get sessions of their own, still in their lobbies;
# the guest also joined session 3, whose lobby is open.
OWN_SESSION = {"POST /admin/sessions/<key>/terminate": 1, "POST /s/<key>/end": 2,
               "GET /s/<key>/lobby": 3,
               "POST /s/<key>/pause": 3, "POST /s/<key>/resume": 3,
               "POST /s/<key>/rematch": 3}

# WebSocket rules are opened for real: 101 = accepted, 1008 = closed as not allowed.
SOCKETS = {"live.session_socket"}

MATRIX = {
    "GET /": "200 200 200 200 200 200",
    "GET /admin/": "302 302 403 403 403 200",
    "GET /admin/accounts/": "302 302 403 403 403 200",
    "GET /admin/accounts/<int:user_id>": "302 302 403 403 403 200",
    "GET /admin/accounts/import": "302 302 403 403 403 200",
    "GET /admin/accounts/new": "302 302 403 403 403 200",
    "GET /admin/games/": "302 302 403 403 403 200",
    "GET /admin/games/install": "302 302 403 403 200 200",
    "GET /admin/games/install/<token>": "302 302 403 403 404 404",
    "GET /admin/jobs": "302 302 403 403 403 200",
    "GET /admin/live": "302 302 403 403 403 200",
    "GET /admin/users/<int:user_id>": "302 302 403 403 403 200",
    "GET /admin/sessions": "302 302 403 403 403 200",
    "GET /admin/sessions/<key>/observe": "302 302 403 403 403 302",
    "GET /api/v1/exports": "401 401 401 401 401 401",
    "GET /api/v1/openapi.json": "200 200 200 200 200 200",
    "GET /api/v1/signing-key": "200 200 200 200 200 200",
    "GET /api/v1/playthroughs/<pid:playthrough_id>": "401 401 401 401 401 401",
    "GET /api/v1/playthroughs/<pid:playthrough_id>/log": "401 401 401 401 401 401",
    "GET /api/v1/playthroughs/<pid:playthrough_id>/validation": "401 401 401 401 401 401",
    "GET /api/v1/sessions": "401 401 401 401 401 401",
    "GET /api/v1/sessions/<key>": "401 401 401 401 401 401",
    "GET /auth/account": "302 302 200 200 200 200",
    "GET /auth/forgot": "404 404 404 404 404 404",
    "GET /auth/login": "200 200 200 200 200 200",
    "GET /auth/reset/<token>": "400 400 400 400 400 400",
    "GET /games/": "200 200 200 200 200 200",
    "GET /games/<slug>": "200 200 200 200 200 200",
    "GET /games/<slug>/picture": "200 200 200 200 200 200",
    "GET /games/<slug>/<version>/assets/<path:filename>": "404 404 404 404 404 404",
    "GET /jobs/<job_id>": "302 302 404 404 404 404",
    "GET /jobs/<job_id>/download": "302 302 404 404 404 404",
    "GET /jobs/<job_id>/progress": "302 302 404 404 404 404",
    "GET /join": "302 302 302 302 302 302",
    "GET /my/sessions": "302 302 403 403 200 200",
    "GET /playthroughs/<pid:record_id>/validation": "302 302 404 404 404 404",
    "GET /research/": "302 302 403 200 403 200",
    "GET /research/charts": "302 302 403 200 403 200",
    "GET /research/charts/<name>.csv": "302 302 403 404 403 404",
    "GET /research/notes": "302 302 403 200 403 200",
    "GET /research/playthroughs/<pid:record_id>": "302 302 403 404 403 404",
    "GET /research/playthroughs/<pid:record_id>/artifacts": "302 302 403 404 403 404",
    "GET /research/s/<key>": "302 302 403 200 403 200",
    "GET /research/tokens": "302 302 403 200 403 200",
    "GET /s/<key>": "200 302 200 200 302 200",
    "GET /s/<key>/artifacts/<int:number>/<int:version>/<name>": "404 404 404 404 404 404",
    "GET /s/<key>/lobby": "302 200 302 302 200 302",
    "GET /s/<key>/play": "302 200 302 302 200 302",
    "GET /s/<key>/play/previous": "404 200 404 404 200 404",
    "GET /static/<path:filename>": "200 200 200 200 200 200",
    "GET /ws/s/<key>": "1008 101 1008 1008 101 1008",
    "POST /admin/accounts/<int:user_id>": "302 302 403 403 403 400",
    "POST /admin/accounts/<int:user_id>/active": "302 302 403 403 403 302",
    "POST /admin/accounts/<int:user_id>/password": "302 302 403 403 403 200",
    "POST /admin/accounts/import": "302 302 403 403 403 400",
    "POST /admin/accounts/new": "302 302 403 403 403 400",
    "POST /admin/exports/bulk": "302 302 403 403 403 302",
    "POST /admin/games/<slug>/status": "302 302 403 403 403 302",
    "GET /admin/games/<slug>/settings": "302 302 403 403 403 200",
    "POST /admin/games/<slug>/settings": "302 302 403 403 403 302",
    "POST /admin/games/install": "302 302 403 403 400 400",
    "POST /admin/games/install/<token>/cancel": "302 302 403 403 404 404",
    "POST /admin/games/install/<token>/confirm": "302 302 403 403 302 302",
    "POST /admin/jobs/<job_id>/retry": "302 302 403 403 403 404",
    "POST /admin/sessions/<key>/terminate": "302 302 403 403 403 302",
    "POST /admin/validation/run": "302 302 403 403 403 302",
    "POST /admin/games/<slug>/versions/<version>/promote": "302 302 403 403 403 302",
    "POST /auth/account": "302 302 302 302 302 302",
    "POST /auth/forgot": "404 404 404 404 404 404",
    "POST /auth/login": "401 401 401 401 401 401",
    "POST /auth/logout": "302 302 302 302 302 302",
    "POST /auth/reset/<token>": "400 400 400 400 400 400",
    "POST /games/<slug>/start": "302 302 403 403 302 302",
    "POST /join": "302 302 302 302 302 302",
    "POST /playthroughs/<pid:record_id>/export": "302 302 404 404 404 404",
    "POST /research/notes": "302 302 403 404 403 404",
    "POST /research/notes/<int:note_id>/delete": "302 302 403 404 403 404",
    "POST /research/notes/<int:note_id>/edit": "302 302 403 404 403 404",
    "POST /research/tokens": "302 302 403 400 403 400",
    "POST /research/tokens/<int:token_id>/regenerate": "302 302 403 404 403 404",
    "POST /research/tokens/<int:token_id>/revoke": "302 302 403 404 403 404",
    "POST /games/<slug>/edit": "302 302 403 403 403 302",
    "POST /jobs/<job_id>/forget": "302 302 404 404 404 404",
    "POST /s/<key>/bot": "403 403 403 403 302 403",
    "POST /s/<key>/end": "302 302 403 403 302 302",
    "POST /s/<key>/end-damaged": "302 302 403 403 302 302",
    "POST /s/<key>/export": "302 302 403 302 302 302",
    "POST /s/<key>/join": "302 302 302 302 302 302",
    "POST /s/<key>/options": "403 403 403 403 302 403",
    "POST /s/<key>/pause": "302 302 403 403 302 302",
    "POST /s/<key>/rematch": "403 403 403 403 302 403",
    "POST /s/<key>/remove": "403 403 403 403 302 403",
    "POST /s/<key>/resume": "302 302 403 403 302 302",
    "POST /s/<key>/seat": "403 403 403 403 302 403",
    "POST /s/<key>/seat-live": "302 302 403 403 302 403",
    "POST /s/<key>/start": "403 403 403 403 302 403",
    "POST /s/<key>/validate": "302 302 403 302 302 302",
    "POST /s/debug/<slug>": "302 302 403 403 403 302",
    "POST /s/debug/purge": "302 302 403 403 403 302",
}


def observe(app, base):
    app.config["WTF_CSRF_ENABLED"] = False
    values, keys, ids = make_world(app)
    guest = guest_cookie(app, [keys[0], keys[3]])
    start_game(app, keys[0], ids["instructor"])
    rules = {f"{m} {r.rule}": r for r in app.url_map.iter_rules() for m in r.methods}
    seen = {}
    for route in sorted(route_keys(app)):
        method, _ = route.split(" ", 1)
        url = rule_url(app, rules[route], {**values, "key": keys[OWN_SESSION.get(route, 0)]})
        codes = []
        for visitor in VISITORS:
            client = client_for(app, visitor, ids, guest)
            if rules[route].endpoint in SOCKETS:
                codes.append(socket_answer(base, url, client))
                continue
            response = client.open(url, method=method, data={})
            codes.append(str(response.status_code))
        seen[route] = " ".join(codes)
    return seen


def test_every_route_answers_every_visitor_as_the_table_says(app, live_server):
    seen = observe(app, live_server)
    if os.environ.get("AUTHZ_MATRIX_PRINT"):
        print("".join(f'    "{k}": "{v}",\n' for k, v in sorted(seen.items())))
    missing = sorted(set(seen) - set(MATRIX))
    stale = sorted(set(MATRIX) - set(seen))
    assert not missing, f"routes missing from the authorization matrix: {missing}"
    assert not stale, f"routes in the matrix that the app no longer has: {stale}"
    wrong = {k: f"expected {MATRIX[k]}, got {v}" for k, v in seen.items() if MATRIX[k] != v}
    assert not wrong, wrong
