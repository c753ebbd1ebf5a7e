"""Detractor alerts: routing, stable ids, the SQLite state, webhook delivery (a local server on 127.0.0.1),
dry runs, concurrency and the `alerts` command. No real sleeps: the backoff's sleep is injected."""

import copy
import json
import sqlite3
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pandas as pd
import pytest

from npsthemes import alerts as alerts_mod
from npsthemes.alerts import UNROUTED, alert_ids, load_routing, run_alerts
from npsthemes.cli import main
from npsthemes.errors import AlertConfigError, AlertStateError, RoutingError
from npsthemes.loading import load_survey

HEADER = "id;score;comment;date;channel;agent\n"
ROWS = [
    "A1;3;The portal is broken and login fails every time. Mail me at matti@example.com;1.3.2026;web;Anna",
    "A2;9;Great service, friendly people;2.3.2026;phone;Ben",
    "A3;5;Waited 40 minutes in the phone queue, call me on 040 123 4567;3.3.2026;Phone;Ben",
    "A4;6;;4.3.2026;chat;",
    "A5;2;The price is far too high;5.3.2026;web;Anna",
    "A6;4;Friendly staff but the web portal keeps crashing;6.3.2026;chat;Cid",
    "A7;10;Excellent;7.3.2026;web;Anna",
]
DETRACTORS = {"A1", "A3", "A4", "A5", "A6"}
MORE = ["A8;1;Nobody told us anything about our case;8.3.2026;phone;Ben", "A9;8;Fine;9.3.2026;web;Anna"]


def write_survey(path, rows, header=HEADER):
    path.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def no_id(rows):
    return [r.split(";", 1)[1] for r in rows]


# ------------------------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def model():
    from npsthemes import load_model, tag_survey

    m = load_model()
    tag_survey(pd.DataFrame({"score": [3], "comment": ["the portal is broken"]}), m)  # warm up (English)
    return m


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    for k in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture
def cli_model(model, monkeypatch):
    """`npsthemes alerts` without --model uses the already loaded default model (4 s saved per call)."""
    monkeypatch.setattr(alerts_mod, "load_model", lambda path=None: model)
    return model


class Hook:
    """What the local webhook does: ``fail`` = number of calls answered 500 first; ``status`` for the rest;
    ``hang`` = seconds to wait before answering (bounded; released at teardown); ``delay`` per request."""

    def __init__(self):
        self.lock = threading.Lock()
        self.release = threading.Event()
        self.calls = 0
        self.fail = 0
        self.status = 200
        self.hang = 0.0
        self.delay = 0.0
        self.delivered = []  # bodies answered 2xx
        self.headers = []

    def ids(self):
        return [b["alert_id"] for b in self.delivered]


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        hook = self.server.hook
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with hook.lock:
            hook.calls += 1
            failing = hook.calls <= hook.fail
            status = 500 if failing else hook.status
        if hook.hang:
            hook.release.wait(hook.hang)
        if hook.delay:
            time.sleep(hook.delay)
        if 200 <= status < 300:
            with hook.lock:
                hook.delivered.append(json.loads(body))
                hook.headers.append(dict(self.headers))
        try:
            payload = b'{"ok": true}' if status < 300 else b"nope"
            self.send_response(status)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:  # the client gave up (timeout test)
            pass

    def log_message(self, *args):
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass


@pytest.fixture
def hook():
    server = _Server(("127.0.0.1", 0), _Handler)
    server.hook = Hook()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    server.hook.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/secret-token"
    try:
        yield server.hook
    finally:
        server.hook.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def survey(tmp_path):
    return write_survey(tmp_path / "survey.csv", ROWS)


class Sleeps(list):
    def __call__(self, s):
        self.append(s)


def run(args, capsys):
    code = main([str(a) for a in args])
    cap = capsys.readouterr()
    return code, cap.out, cap.err


# ------------------------------------------------------------------------------------------------ end to end


def test_cli_end_to_end_webhook_state_routing_and_rerun(survey, tmp_path, hook, cli_model, capsys):
    routing = tmp_path / "routing.yaml"
    routing.write_text(
        "default: cx-lead\nrules:\n  - owner: web-team\n    theme: web_interface\n"
        "  - owner: pricing\n    theme: [price]\n",
        encoding="utf-8",
    )
    state, out = tmp_path / "alerts.sqlite", tmp_path / "alerts.csv"
    args = ["alerts", survey, "--routing", routing, "--state", state, "--webhook", hook.url, "--out", out]
    code, stdout, stderr = run(args, capsys)
    assert code == 0, stderr
    assert "7 rows read, 7 accepted, 0 rejected" in stderr
    assert "5 detractors (score <= 6); 5 new, 0 already alerted; sent 5 to http://127.0.0.1:" in stdout
    assert "secret-token" not in stdout + stderr  # the URL's path may hold a token
    by_id = {b["id"]: b for b in hook.delivered}
    assert set(by_id) == DETRACTORS and len(hook.delivered) == 5
    body = by_id["A1"]
    assert body["event"] == "npsthemes.detractor_alert"
    assert body["model"] == {"name": "default", "version": cli_model.version}
    assert body["owner"] == "web-team" and body["criticised"][0] == "web_interface"
    assert "web_interface:negative" in body["themes"] and body["score"] == 3 and body["date"] == "2026-03-01"
    assert body["channel"] == "web" and body["agent"] == "Anna" and body["segment"] is None
    assert body["source"] == "survey.csv" and body["source_row"] == 2 and body["alert_id"].startswith("id:")
    assert "[email]" in body["comment"] and "matti@example.com" not in body["comment"]  # masked by default
    assert "[phone]" in by_id["A3"]["comment"]
    assert by_id["A5"]["owner"] == "pricing" and by_id["A4"]["owner"] == "cx-lead"
    headers = {k.lower(): v for k, v in hook.headers[0].items()}
    assert headers["content-type"] == "application/json" and headers["idempotency-key"].startswith("id:")
    table = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(table.columns) == alerts_mod.ALERT_COLUMNS
    assert set(table["status"]) == {"sent"} and set(table["id"]) == DETRACTORS
    assert "matti@example.com" not in out.read_text(encoding="utf-8-sig")

    # a rerun on the same export sends nothing and lists nothing
    code, stdout, _ = run(args, capsys)
    assert code == 0 and "0 new, 5 already alerted; sent 0" in stdout
    assert len(hook.delivered) == 5
    assert len(pd.read_csv(out, encoding="utf-8-sig")) == 0

    # a grown export: only the new detractor
    grown = write_survey(tmp_path / "grown.csv", ROWS + MORE)
    code, stdout, _ = run(["alerts", grown] + args[2:], capsys)
    assert code == 0 and "1 new, 5 already alerted; sent 1" in stdout
    assert [b["id"] for b in hook.delivered[5:]] == ["A8"]


def test_no_redact_keeps_comments(survey, tmp_path, hook, cli_model, capsys):
    out = tmp_path / "alerts.jsonl"
    code, _, stderr = run(["alerts", survey, "--webhook", hook.url, "--out", out, "--no-redact"], capsys)
    assert code == 0, stderr
    by_id = {b["id"]: b for b in hook.delivered}
    assert "matti@example.com" in by_id["A1"]["comment"] and "040 123 4567" in by_id["A3"]["comment"]
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert any("matti@example.com" in (r["comment"] or "") for r in rows)


def test_redaction_goes_through_one_function(survey, model, monkeypatch):
    monkeypatch.setattr(alerts_mod, "_redact", lambda text: "<hidden>")
    res = run_alerts(survey, model)
    assert set(res.alerts["comment"]) == {"<hidden>"}


def test_without_routing_owner_is_route_to_or_unrouted(survey, model):
    res = run_alerts(survey, model)
    owners = dict(zip(res.alerts["id"], res.alerts["owner"]))
    assert owners["A4"] == UNROUTED  # no comment, nothing criticised
    assert owners["A5"] == "price" and owners["A3"] == "availability"
    assert res.unrouted == 1 and res.new == 5 and res.sent == 0
    assert set(res.alerts["status"]) == {"listed"}


def test_markup_in_user_text_is_printed_literally(survey, tmp_path, cli_model, capsys):
    routing = tmp_path / "r.json"
    routing.write_text(json.dumps({"default": "[bold red]boss[/bold red]"}), encoding="utf-8")
    code, stdout, _ = run(["alerts", survey, "--routing", routing], capsys)
    assert code == 0 and "[bold red]boss[/bold red] 5" in stdout


# ------------------------------------------------------------------------------------------------ routing


def _routing(tmp_path, text, name="routing.yaml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return load_routing(p)


def test_routing_rules_first_match_and_criticised_only(tmp_path):
    r = _routing(
        tmp_path,
        """
rules:
  - owner: angry-phone
    channel: [PHONE]
    max_score: 3
  - owner: web
    theme: web_interface
  - owner: staff
    theme: personal_service
  - owner: low
    min_score: 0
    max_score: 2
""",
    )
    assert r.default is None
    assert r.route(score=3, criticised=[], channel=" phone ") == "angry-phone"  # case/space-insensitive
    assert r.route(score=5, criticised=[], channel="phone") == UNROUTED  # max_score 3; no default
    assert r.route(score=3, criticised=["web_interface"], channel="phone") == "angry-phone"  # first match wins
    assert r.route(score=5, criticised=["web_interface"]) == "web"
    # praising a theme does not route to its owner: only criticised themes match
    assert r.route(score=4, criticised=["web_interface"], agent="x") == "web"
    assert r.route(score=4, criticised=[]) == UNROUTED
    assert r.route(score=1, criticised=[], channel=None) == "low"


def test_routing_in_a_run_and_unrouted_count(survey, tmp_path, model):
    routing = tmp_path / "routing.yml"
    routing.write_text(
        "rules:\n  - owner: staff\n    theme: personal_service\n  - owner: anna\n    agent: anna\n", encoding="utf-8"
    )
    res = run_alerts(survey, model, routing=routing)
    owners = dict(zip(res.alerts["id"], res.alerts["owner"]))
    # A6 praises the staff and criticises the portal: not the staff owner's; agent Cid: unrouted
    assert owners == {"A1": "anna", "A3": UNROUTED, "A4": UNROUTED, "A5": "anna", "A6": UNROUTED}
    assert res.unrouted == 3


@pytest.mark.parametrize(
    "text, needle",
    [
        ("rules:\n  - owner: a\n    chanel: web\n", "rule 1: unknown key 'chanel'; expected one of owner"),
        ("rules:\n  - owner: a\n  - owner: '  '\n", "rule 2, key 'owner': expected a non-empty text, got '  '"),
        ("rules:\n  - theme: price\n", "rule 1, key 'owner': expected a non-empty text, got nothing"),
        ("rules:\n  - owner: a\n    theme: 5\n", "rule 1, key 'theme': expected a text or a list of texts, got 5"),
        (
            "rules:\n  - owner: a\n    channel: yes\n",
            "rule 1, key 'channel': expected a text or a list of texts, got true",
        ),
        ("rules:\n  - owner: a\n    max_score: 11\n", "rule 1, key 'max_score': expected a whole number 0-10, got 11"),
        ("rules:\n  - owner: a\n    min_score: 5\n    max_score: 2\n", "rule 1, key 'min_score': expected at most"),
        ("rules:\n  - owner: a\n    min_score: '3'\n", "key 'min_score': expected a whole number 0-10, got '3'"),
        ("rules: {owner: a}\n", "key 'rules': expected a list of rules, got a mapping"),
        ("rules:\n  - just-a-text\n", "rule 1: expected a mapping (owner: ..., theme: ...), got text"),
        ("default: 7\n", "top level, key 'owner': expected a non-empty text, got 7"),
        ("owners: x\n", "unknown key 'owners'; expected one of default, rules"),
        ("", "expected a mapping with 'default' and/or 'rules', got an empty file"),
        ("rules:\n  - owner: a\n   theme: b\n", "not valid YAML (line 3"),
        ("default: a\ndefault: b\n", "key 'default' appears twice"),
    ],
)
def test_routing_validation_errors(tmp_path, text, needle):
    p = tmp_path / "routing.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(RoutingError) as info:
        load_routing(p)
    msg = str(info.value)
    assert needle in msg and str(p) in msg and "\n" not in msg


def test_routing_unknown_theme_and_json_errors(survey, tmp_path, model, cli_model, capsys):
    p = tmp_path / "routing.json"
    p.write_text(
        json.dumps({"rules": [{"owner": "a", "theme": "price"}, {"owner": "b", "theme": ["webb"]}]}), encoding="utf-8"
    )
    with pytest.raises(RoutingError, match=r"rule 2, key 'theme': expected a theme id of the model .*got 'webb'"):
        run_alerts(survey, model, routing=p)
    code, _, stderr = run(["alerts", survey, "--routing", p], capsys)
    assert code == 1 and stderr.strip().splitlines()[-1].startswith("Error: [E130]")
    assert "rule 2, key 'theme'" in stderr and "Traceback" not in stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"rules": [', encoding="utf-8")
    with pytest.raises(RoutingError, match=r"bad.json: not valid JSON \(line 1"):
        load_routing(bad)


# ------------------------------------------------------------------------------------------------ stable ids


def _ids(path):
    s = load_survey(path)
    d = s.responses[s.responses["score"] <= 6]
    return dict(zip(d["source_row"], alert_ids(d))), d


def test_ids_from_the_id_column_survive_growth_and_resorting(tmp_path):
    a, _ = _ids(write_survey(tmp_path / "a.csv", ROWS))
    b, db = _ids(write_survey(tmp_path / "b.csv", list(reversed(ROWS + MORE))))
    by_resp_a = dict(zip(sorted(DETRACTORS), [a[r] for r in sorted(a)]))
    by_resp_b = dict(zip(db["id"], [b[r] for r in db["source_row"]]))
    assert all(v.startswith("id:") for v in a.values())
    assert {k: by_resp_b[k] for k in by_resp_a} == by_resp_a
    assert len(set(by_resp_b.values())) == len(by_resp_b) == 6
    # the id is normalised: " A1 " and "A1" are one response; 1001.0 is 1001
    assert (
        alert_ids(pd.DataFrame({"id": [" A1 ", "1001.0", 1001], "score": [1, 1, 1]}))[0]
        == alert_ids(pd.DataFrame({"id": ["A1"], "score": [1]}))[0]
    )
    ids = alert_ids(pd.DataFrame({"id": ["1001.0", "1001"], "score": [1, 2]}))
    assert ids[1] == ids[0] + "-2"  # a repeated id gets an occurrence number


def test_ids_without_an_id_column_from_content_and_occurrence(tmp_path):
    header = HEADER.split(";", 1)[1]
    dup = "3;queue queue;10.3.2026;phone;Ben"
    rows = no_id(ROWS) + [dup, dup]
    a, da = _ids(write_survey(tmp_path / "a.csv", rows, header))
    assert all(v.startswith("row:") for v in a.values()) and len(set(a.values())) == len(a) == 7
    grown = list(reversed(rows)) + [dup] + no_id(MORE)
    b, db = _ids(write_survey(tmp_path / "b.csv", grown, header))
    assert set(a.values()) < set(b.values())  # every earlier id is kept
    assert len(set(b.values()) - set(a.values())) == 2  # the third copy of dup and the new detractor
    # a comment re-spaced is the same response
    c = alert_ids(pd.DataFrame({"score": [3], "comment": ["queue  queue "]}))
    assert c == alert_ids(pd.DataFrame({"score": [3], "comment": ["queue queue"]}))


# ------------------------------------------------------------------------------------------------ delivery


def test_fail_twice_then_succeed_with_backoff(survey, hook, model):
    hook.fail = 2
    sleeps = Sleeps()
    res = run_alerts(survey, model, webhook=hook.url, retries=3, backoff=0.5, sleep=sleeps)
    assert res.sent == 5 and res.failed_now == 0 and hook.calls == 7
    assert sleeps == [0.5, 1.0]  # exponential backoff, injected: no real waiting
    first = res.alerts.iloc[0]
    assert first["status"] == "sent" and first["attempts"] == 3


def test_failures_stay_pending_and_are_delivered_next_run(survey, tmp_path, hook, model, cli_model, capsys):
    state = tmp_path / "state.sqlite"
    hook.fail = 10**6
    sleeps = Sleeps()
    res = run_alerts(survey, model, webhook=hook.url, state=state, retries=2, sleep=sleeps)
    assert res.sent == 0 and res.failed_now == 5 and res.pending == 5 and res.new == 5
    assert set(res.alerts["status"]) == {"pending"} and set(res.alerts["attempts"]) == {3}
    assert set(res.alerts["last_error"]) == {"HTTP 500 Internal Server Error: nope"}
    assert hook.calls == 15 and len(sleeps) == 10
    # the command says so in one line and exits 1
    code, stdout, stderr = run(["alerts", survey, "--state", state, "--webhook", hook.url, "--retries", "0"], capsys)
    assert code == 1 and "(5 retried from earlier runs), 5 failed" in stdout
    assert stderr.strip().splitlines()[-1].startswith("Error: [E500] 5 alert(s) could not be delivered")
    assert "kept pending in" in stderr and "Traceback" not in stderr
    con = sqlite3.connect(state)
    try:
        assert con.execute(
            "SELECT min(attempts), max(attempts), count(*) FROM alerts WHERE status = 'pending'"
        ).fetchone() == (4, 4, 5)
    finally:
        con.close()

    # the next run, on an export without those responses, delivers the stored payloads once
    hook.fail = 0
    other = write_survey(tmp_path / "other.csv", ["B1;10;Great;1.4.2026;web;Anna"])
    res = run_alerts(other, model, webhook=hook.url, state=state, sleep=sleeps)
    assert res.sent == 5 and res.retried == 5 and res.pending == 0 and res.new == 0
    assert sorted(b["id"] for b in hook.delivered) == sorted(DETRACTORS)
    assert hook.delivered[0]["source"] == "survey.csv"
    assert set(res.alerts["status"]) == {"sent"}
    res = run_alerts(survey, model, webhook=hook.url, state=state, sleep=sleeps)
    assert res.sent == 0 and res.already_sent == 5 and len(hook.delivered) == 5  # no duplicates
    assert len(res.alerts) == 0


def test_timeout_is_retried_then_kept_pending(survey, tmp_path, hook, model):
    hook.hang = 2.0
    state = tmp_path / "s.sqlite"
    t0 = time.monotonic()
    res = run_alerts(survey, model, webhook=hook.url, state=state, timeout=0.2, retries=1, sleep=Sleeps(), threshold=2)
    assert time.monotonic() - t0 < 5
    assert res.failed_now == 1 and res.pending == 1
    assert res.alerts.iloc[0]["last_error"] == "timed out after 0.2 s" and res.alerts.iloc[0]["attempts"] == 2
    hook.hang = 0.0
    res = run_alerts(survey, model, webhook=hook.url, state=state, threshold=2)
    assert res.sent == 1 and [b["id"] for b in hook.delivered] == ["A5"]


def test_400_is_not_retried_but_kept_pending(survey, tmp_path, hook, model):
    hook.status = 400
    state = tmp_path / "s.sqlite"
    sleeps = Sleeps()
    res = run_alerts(survey, model, webhook=hook.url, state=state, retries=3, sleep=sleeps)
    assert res.failed_now == 5 and hook.calls == 5 and sleeps == []  # one attempt each
    assert res.alerts.iloc[0]["last_error"].startswith("HTTP 400")
    hook.status = 200
    res = run_alerts(survey, model, webhook=hook.url, state=state)
    assert res.sent == 5 and res.retried == 5 and len(hook.delivered) == 5


def test_without_state_failures_are_reported_and_exit_1_after_out(survey, tmp_path, hook, cli_model, capsys):
    hook.status = 404
    out = tmp_path / "alerts.csv"
    code, _, stderr = run(["alerts", survey, "--webhook", hook.url, "--out", out], capsys)
    assert code == 1 and "[E500] 5 alert(s) could not be delivered" in stderr and "no --state" in stderr
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert set(table["status"]) == {"failed"} and table["last_error"].str.startswith("HTTP 404").all()


def test_crashed_run_lease_expires_and_live_lease_is_respected(survey, tmp_path, hook, model):
    state = tmp_path / "s.sqlite"
    run_alerts(survey, model, state=state)  # recorded, no webhook
    con = sqlite3.connect(state)
    try:
        con.execute(
            "UPDATE alerts SET status = 'sending', claimant = 'crashed', lease_until = ? WHERE score = 2",
            (time.time() - 1,),
        )
        con.execute(
            "UPDATE alerts SET status = 'sending', claimant = 'alive', lease_until = ? WHERE score = 3",
            (time.time() + 600,),
        )
        con.commit()
    finally:
        con.close()
    res = run_alerts(survey, model, webhook=hook.url, state=state)
    assert [b["id"] for b in hook.delivered] == ["A5"]  # the expired claim; the live one is left alone
    assert res.sent == 1 and res.retried == 0


# ------------------------------------------------------------------------------------------------ dry run


def test_dry_run_sends_nothing_and_leaves_the_state_byte_identical(survey, tmp_path, hook, cli_model, capsys):
    state = tmp_path / "s.sqlite"
    missing = tmp_path / "never.sqlite"
    out = tmp_path / "preview.xlsx"
    code, stdout, _ = run(
        ["alerts", survey, "--state", missing, "--webhook", hook.url, "--dry-run", "--out", out], capsys
    )
    assert code == 0 and not missing.exists() and hook.calls == 0
    assert "dry run: would send 5 alerts" in stdout and "nothing sent, nothing changed" in stdout
    preview = pd.read_excel(out)
    assert set(preview["status"]) == {"would_send"} and len(preview) == 5

    hook.status = 503
    code, _, _ = run(["alerts", survey, "--state", state, "--webhook", hook.url, "--retries", "0"], capsys)
    assert code == 1
    calls = hook.calls
    before = state.read_bytes()
    grown = write_survey(tmp_path / "grown.csv", ROWS + MORE)
    code, stdout, _ = run(["alerts", grown, "--state", state, "--webhook", hook.url, "--dry-run", "--out", out], capsys)
    assert code == 0 and hook.calls == calls and state.read_bytes() == before
    assert "would send 6 alerts" in stdout and "(5 pending from earlier runs)" in stdout
    preview = pd.read_excel(out)
    assert sorted(preview["status"]) == ["would_retry"] * 5 + ["would_send"]


# ------------------------------------------------------------------------------------------------ concurrency


def test_two_concurrent_runs_deliver_each_alert_exactly_once(tmp_path, hook, model):
    rows = ROWS + MORE + [f"C{i};{i % 7};Waited {i} minutes in the phone queue;1.4.2026;phone;Ben" for i in range(30)]
    survey = write_survey(tmp_path / "big.csv", rows)
    n_detractors = int((load_survey(survey).responses["score"] <= 6).sum())
    state = tmp_path / "shared.sqlite"
    hook.delay = 0.005
    barrier = threading.Barrier(2, timeout=20)
    results, errors = {}, []

    def worker(name, m):
        def progress(text, done, total):
            if text == "delivering" and done == 0:
                barrier.wait()  # both runs deliver at the same time

        try:
            results[name] = run_alerts(survey, m, state=state, webhook=hook.url, progress=progress)
        except BaseException as exc:  # reported below
            errors.append(exc)
            barrier.abort()

    # a model is not thread-safe (its token caches grow): one copy per run
    threads = [threading.Thread(target=worker, args=(k, copy.deepcopy(model))) for k in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors and not any(t.is_alive() for t in threads)
    ids = hook.ids()
    assert len(ids) == len(set(ids)) == n_detractors
    assert results["a"].sent + results["b"].sent == n_detractors
    assert results["a"].sent > 0 and results["b"].sent > 0  # both took part
    assert results["a"].pending == results["b"].pending == 0


# ------------------------------------------------------------------------------------------------ errors


def test_corrupt_or_foreign_state_file_is_a_one_line_error(survey, tmp_path, model, cli_model, capsys):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not a database at all\n" * 20)
    code, _, stderr = run(["alerts", survey, "--state", bad], capsys)
    assert code == 1 and stderr.strip().splitlines()[-1].startswith("Error: [E131]")
    assert "not an npsthemes alerts state file" in stderr and "Traceback" not in stderr
    foreign = tmp_path / "foreign.sqlite"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    with pytest.raises(AlertStateError, match="another program"):
        run_alerts(survey, model, state=foreign)
    # an npsthemes state file cut in half
    good = tmp_path / "good.sqlite"
    run_alerts(
        write_survey(tmp_path / "many.csv", [f"X{i};1;{'x' * 2000} {i};;;" for i in range(40)]), model, state=good
    )
    data = good.read_bytes()
    cut = tmp_path / "cut.sqlite"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(AlertStateError) as info:
        run_alerts(survey, model, state=cut)
    assert "\n" not in str(info.value)
    code, _, stderr = run(["alerts", survey, "--state", tmp_path], capsys)
    assert code == 1 and "is a directory" in stderr
    # a payload changed by hand is an error too, before anything is sent
    con = sqlite3.connect(good)
    con.execute("UPDATE alerts SET status = 'pending', payload = 'garbage'")
    con.commit()
    con.close()
    with pytest.raises(AlertStateError, match="stored payload is not a JSON object"):
        run_alerts(survey, model, state=good, webhook="http://127.0.0.1:9/never", retries=0)


def test_out_equal_to_input_and_bad_options(survey, tmp_path, hook, model, cli_model, capsys):
    before = survey.read_bytes()
    code, _, stderr = run(["alerts", survey, "--out", survey, "--webhook", hook.url], capsys)
    assert code == 1 and "--out is the input file" in stderr and len(stderr.strip().splitlines()) == 1
    assert survey.read_bytes() == before and hook.calls == 0
    with pytest.raises(AlertConfigError, match="`state` is the input file"):
        run_alerts(str(tmp_path / "." / "survey.csv"), model, state=survey)
    routing = tmp_path / "routing.yaml"
    routing.write_text("default: a\n", encoding="utf-8")
    with pytest.raises(AlertConfigError, match="`out` is the `routing` file"):
        run_alerts(survey, model, routing=routing, out=routing)
    with pytest.raises(AlertConfigError, match="unsupported `out` extension '.txt'"):
        run_alerts(survey, model, out=tmp_path / "a.txt", webhook=hook.url)
    assert hook.calls == 0
    code, _, stderr = run(["alerts", survey, "--webhook", "ftp://example.com/x"], capsys)
    assert code == 2 and "expected an http:// or https:// URL" in stderr
    code, _, _ = run(["alerts", survey, "--threshold", "11"], capsys)
    assert code == 2
