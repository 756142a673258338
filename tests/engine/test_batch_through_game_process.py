"""The batch path (``validate_many_with``: raw lines to the game process, the operator
list sent once per run of logs) gives exactly the reports of one log at a time in this
process: same verdicts, classes, lines, steps and explanations, for genuine and forged
logs, and for lines that cannot travel as text (NaN, an escaped lone surrogate)."""
import copy
import json
import tempfile

from engine import replay
from engine.gameproc import logs as gamelogs
from engine.gameproc.logs import validate_many_with
from engine.gameproc.pool import GamePool
from tests.engine.logtools import events_of, make_log, resolve, seal

KEYS = ("status", "steps_replayed", "ended", "game")
FAILURE = ("class", "step", "seq", "line", "event", "operator", "op_name", "args",
           "message", "diff", "explain")


def moves(events, **match):
    return [i for i, e in enumerate(events) if e["type"] == "move"
            and all(e.get(k) == v for k, v in match.items())]


def seal_raw(events, ascii=False):
    """``seal``, but written by plain json.dumps: NaN allowed, optionally \\u escapes."""
    from engine.log import GENESIS, line_hash
    prev, out = GENESIS, []
    for i, ev in enumerate(events):
        fields = {"seq": i, "t": ev["t"], "type": ev["type"], "prev": prev}
        fields.update({k: v for k, v in ev.items() if k not in fields})
        line = json.dumps(fields, separators=(",", ":"), ensure_ascii=ascii).encode("utf-8")
        out.append(line)
        prev = line_hash(line)
    return b"\n".join(out) + b"\n"


def corpus():
    ttt = [make_log("tic_tac_toe", s) for s in (1, 2, 3)]
    rift = [make_log("rift_mini", s) for s in (1, 2)]
    out = list(ttt) + list(rift) + [make_log("deduction_cards", 4),
                                    make_log("rock_paper_scissors", 5)]
    ev = events_of(ttt[0])
    ev[moves(ev)[2]]["op_name"] = "forged"
    out.append(seal(ev))
    ev = events_of(ttt[1])
    ev[moves(ev)[1]]["state_hash"] = "ab" * 32
    out.append(seal(ev))
    ev = events_of(ttt[2])
    ev[moves(ev)[1]]["args"] = [float("nan")]             # travels as events
    out.append(seal_raw(ev))
    ev = events_of(ttt[0])
    ev[moves(ev)[0]]["message"] = "\ud800"                 # an escaped lone surrogate
    out.append(seal_raw(ev, ascii=True))
    ev = events_of(ttt[1])
    ev[moves(ev)[0]]["message"] = "plain \u00e9"           # escapes that travel as text
    out.append(seal_raw(ev, ascii=True))
    ev = events_of(ttt[0])
    ev[moves(ev)[0]]["message"] = "é ✓ \u0001"
    out.append(seal(ev))
    ev = events_of(rift[0])
    i = moves(ev, bookkeeping=True)[2]
    ev.insert(i + 1, copy.deepcopy(ev[i]))
    out.append(seal(ev))
    ev = events_of(rift[1])
    del ev[moves(ev, bookkeeping=True)[0]]
    out.append(seal(ev))
    ev = events_of(rift[1])
    i = moves(ev, bookkeeping=True)[3]
    nxt = next(j for j in moves(ev, bookkeeping=False) if j > i)
    ev[i] = dict(ev[nxt], k=ev[i]["k"])
    out.append(seal(ev))
    return out


def essence(report):
    found = {k: report.get(k) for k in KEYS}
    failure = report.get("first_failure")
    found["failure"] = None if failure is None else {k: failure.get(k) for k in FAILURE}
    return found


def run_batch(logs, chunk):
    pool = GamePool(tempfile.mkdtemp(prefix="sztest-"), spare=False)
    try:
        return validate_many_with(pool, resolve, logs, chunk=chunk)
    finally:
        pool.close()


def test_batch_reports_equal_single_reports(monkeypatch):
    logs = corpus()
    odd = [logs.pop(9), logs.pop(9)]                      # NaN, lone surrogate
    single = [replay.validate(text, resolve) for text in logs]
    sent = []
    real = gamelogs.trace_lines

    def spy(pool, game, many):
        found = real(pool, game, many)
        sent.append(found is not None)
        return found
    monkeypatch.setattr(gamelogs, "trace_lines", spy)
    batch = run_batch(logs, chunk=4)
    assert [essence(r) for r in batch] == [essence(r) for r in single]
    assert [r["status"] for r in single][:7] == ["canonical"] * 7
    assert {r["status"] for r in single[7:]} == {"non_canonical"}
    assert sent and all(sent)                             # every chunk went as lines
    # NaN and a lone surrogate are not in any log the writer can write: the structure
    # check names the line, in a batch as alone, and no game is asked to trace them.
    sent.clear()
    reports = run_batch(odd, chunk=1)
    assert sent == []
    single = [replay.validate(t, resolve) for t in odd]
    for found in (reports, single):
        assert [(r["status"], r["first_failure"]["class"]) for r in found] == \
            [("non_canonical", "structure")] * 2
    assert "not a JSON number" in reports[0]["first_failure"]["message"]
    assert "not Unicode" in reports[1]["first_failure"]["message"]
