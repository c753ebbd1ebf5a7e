"""Detractor alerts: every response with a score of ``threshold`` (6) or less is sent at once to the person
responsible for it (the `alerts` command).

One run: load the export, tag the detractors' comments with the model, give each detractor a stable
``alert_id`` and an ``owner`` (from a routing file, or the follow-up list's ``route_to``), then

- with a state file (SQLite): record the alerts not seen before; with a webhook, deliver every pending alert
  (new ones and earlier failures) exactly once across runs, concurrent runs included;
- with a webhook: one JSON POST per alert, with a timeout and retries with exponential backoff;
- with ``out``: write this run's alerts (CSV, XLSX, JSONL, JSON or Parquet; spreadsheets formula-guarded,
  written atomically).

Stable ids
----------
With an id column, ``alert_id`` is ``id:`` + SHA-256 of the normalised id (Unicode NFKC, whitespace collapsed,
``1001.0`` read as ``1001``); a second row with the same id gets ``-2``, a third ``-3`` (in file order). Without
an id (no id column, or an empty id) it is ``row:`` + SHA-256 of the response's content (score, normalised
comment, date, channel, agent and every other column, by name; not the row number) and its occurrence number
among identical rows of the file. So a rerun on the same export, on a grown export (rows appended) or on a
re-sorted one gives the same ids to the same responses. Limitations: two identical anonymous rows are
interchangeable (re-ordered, each keeps an id but not necessarily the other's); a column whose values change
between exports (an export timestamp), or a column added to the export, changes the ids of anonymous rows.
Give the export an id column where you can.

Webhook body
------------
A JSON object (UTF-8, ``Content-Type: application/json``; header ``Idempotency-Key`` = ``alert_id``):
``event`` (``"npsthemes.detractor_alert"``), ``alert_id``, ``id`` (the response's id or null), ``date``
(``YYYY-MM-DD``, or ISO date-time when the time is not midnight; null without a date), ``score``, ``comment``
(personal data masked unless ``redact=False``), ``themes`` (list of ``"theme:polarity"``), ``criticised`` (list
of theme ids), ``channel``, ``agent``, ``segment`` (null when the survey has no such column), ``owner``,
``source`` (the export's file name), ``source_row``, ``threshold``, ``model`` {``name``, ``version``},
``created`` (when the alert was first recorded, UTC) and ``npsthemes_version``. A retried alert is sent with
the very bytes stored when it was first recorded.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import re
import socket
import sqlite3
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from hashlib import sha256
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import __version__
from ._io import same_file
from .errors import AlertConfigError, AlertStateError, InputFileNotFoundError, OutputError, RoutingError
from .loading import LoadReport, Survey, _ensure_survey
from .persistence import Model, load_model

__all__ = [
    "AlertRun",
    "Routing",
    "RoutingRule",
    "run_alerts",
    "load_routing",
    "alert_ids",
    "deliver",
    "Delivery",
    "validate_webhook_url",
    "write_alerts",
    "EVENT",
    "UNROUTED",
    "ALERT_COLUMNS",
    "STATE_SCHEMA",
]

EVENT = "npsthemes.detractor_alert"
UNROUTED = "(unrouted)"
#: Columns of :attr:`AlertRun.alerts` and of the ``--out`` file, always in this order.
ALERT_COLUMNS = [
    "alert_id",
    "status",
    "owner",
    "id",
    "date",
    "score",
    "comment",
    "themes",
    "criticised",
    "channel",
    "agent",
    "segment",
    "source",
    "source_row",
    "attempts",
    "last_error",
]
OUT_FORMATS = (".csv", ".xlsx", ".jsonl", ".json", ".parquet")


# ------------------------------------------------------------------------------------------------ redaction


def _redact(text: str) -> str:
    """The one place comments are masked before they leave the machine (:func:`npsthemes.privacy.redact`)."""
    from .privacy import redact

    return redact(text)


# ------------------------------------------------------------------------------------------------ stable ids


def _is_missing(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, float) and math.isnan(v)


_INTEGRAL = re.compile(r"^([+-]?\d+)\.0+$")


def _norm_value(v: Any) -> str:
    """A cell as comparable text: missing -> "", NFKC, whitespace collapsed, 1001.0 -> 1001, dates ISO."""
    if _is_missing(v):
        return ""
    if isinstance(v, (pd.Timestamp, datetime)):
        return pd.Timestamp(v).isoformat()
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return str(int(f)) if f.is_integer() else repr(f)
    text = " ".join(unicodedata.normalize("NFKC", str(v)).split())
    return _INTEGRAL.sub(r"\1", text)


_NOT_CONTENT = {"source_row", "category", "language", "themes", "n_themes"}


def alert_ids(responses: pd.DataFrame) -> list[str]:
    """Stable alert ids for rows of ``Survey.responses`` (see the module documentation), in row order."""
    has_id = "id" in responses.columns
    content_cols = sorted(str(c) for c in responses.columns if str(c) not in _NOT_CONTENT)
    records = responses[content_cols].to_dict(orient="records") if len(responses) else []
    seen: Counter[str] = Counter()
    out = []
    for rec in records:
        ident = _norm_value(rec.get("id")) if has_id else ""
        if ident:
            key = "id:" + sha256(ident.encode("utf-8")).hexdigest()[:32]
            seen[key] += 1
            out.append(key if seen[key] == 1 else f"{key}-{seen[key]}")
        else:
            content = json.dumps([[c, _norm_value(rec[c])] for c in content_cols], ensure_ascii=False)
            seen[content] += 1
            digest = sha256(f"{content}\x1f{seen[content]}".encode()).hexdigest()[:32]
            out.append("row:" + digest)
    return out


# ------------------------------------------------------------------------------------------------ routing

_RULE_KEYS = ("owner", "theme", "channel", "agent", "segment", "min_score", "max_score")
_TOP_KEYS = ("default", "rules")


def _match_key(v: Any) -> str:
    return " ".join(unicodedata.normalize("NFKC", str(v)).split()).casefold()


@dataclass(frozen=True)
class RoutingRule:
    """One rule: every condition given must hold (a list matches any of its values); ``theme`` matches a theme
    the response *criticises*. Text values are compared case-insensitively."""

    number: int
    owner: str
    theme: tuple[str, ...] | None = None
    channel: tuple[str, ...] | None = None
    agent: tuple[str, ...] | None = None
    segment: tuple[str, ...] | None = None
    min_score: int | None = None
    max_score: int | None = None

    def matches(
        self, *, score: int, criticised: Sequence[str], channel: Any = None, agent: Any = None, segment: Any = None
    ) -> bool:
        if self.min_score is not None and score < self.min_score:
            return False
        if self.max_score is not None and score > self.max_score:
            return False
        if self.theme is not None and not set(self.theme) & set(criticised):
            return False
        for wanted, value in ((self.channel, channel), (self.agent, agent), (self.segment, segment)):
            if wanted is not None and (_is_missing(value) or _match_key(value) not in wanted):
                return False
        return True


@dataclass(frozen=True)
class Routing:
    """Rules tried in order (the first that matches gives the owner), else ``default``, else ``(unrouted)``."""

    rules: tuple[RoutingRule, ...] = ()
    default: str | None = None
    source: str = "routing"

    def route(
        self, *, score: int, criticised: Sequence[str], channel: Any = None, agent: Any = None, segment: Any = None
    ) -> str:
        for rule in self.rules:
            if rule.matches(score=score, criticised=criticised, channel=channel, agent=agent, segment=segment):
                return rule.owner
        return self.default or UNROUTED

    def check_themes(self, theme_ids: Iterable[str]) -> None:
        """Raise :class:`RoutingError` for a rule's theme that the model does not know."""
        known = list(theme_ids)
        for rule in self.rules:
            for t in rule.theme or ():
                if t not in known:
                    raise RoutingError(
                        f"{self.source}: rule {rule.number}, key 'theme': expected a theme id of the "
                        f"model ({', '.join(known)}), got {t!r}"
                    )

    def columns_used(self) -> set[str]:
        return {k for r in self.rules for k in ("channel", "agent", "segment") if getattr(r, k) is not None}


def _type_name(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    return {dict: "a mapping", list: "a list", str: "text", int: "a number", float: "a number"}.get(
        type(v), type(v).__name__
    )


def _got(v: Any) -> str:
    return repr(v) if isinstance(v, (str, int, float)) and not isinstance(v, bool) else _type_name(v)


def _yaml_load(text: str, path: Path) -> Any:
    import yaml

    class _UniqueKeyLoader(yaml.SafeLoader):
        pass

    def construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
        keys = set()
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=deep)
            if key in keys:
                raise RoutingError(
                    f"{path}: key {key!r} appears twice in one mapping (line {key_node.start_mark.line + 1})"
                )
            keys.add(key)
        return loader.construct_mapping(node, deep=deep)

    _UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RoutingError(f"{path}: not valid YAML{where}: {problem}") from None


def _texts(value: Any, path: Path, where: str, key: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise RoutingError(f"{path}: {where}, key {key!r}: expected a text or a non-empty list of texts, got []")
    out = []
    for v in items:
        if not isinstance(v, str) or not v.strip():
            raise RoutingError(f"{path}: {where}, key {key!r}: expected a text or a list of texts, got {_got(v)}")
        out.append(v.strip())
    return tuple(out)


def _owner(value: Any, path: Path, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RoutingError(f"{path}: {where}, key 'owner': expected a non-empty text, got {_got(value)}")
    if any(not ch.isprintable() for ch in value):
        raise RoutingError(f"{path}: {where}, key 'owner': expected printable text, got {value!r}")
    return value.strip()


def _score_bound(value: Any, path: Path, where: str, key: str) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or float(value) != int(value)
        or not 0 <= value <= 10
    ):
        raise RoutingError(f"{path}: {where}, key {key!r}: expected a whole number 0-10, got {_got(value)}")
    return int(value)


def routing_from_dict(data: Any, source: str | os.PathLike = "routing", themes: Iterable[str] | None = None) -> Routing:
    """Validate a parsed routing document (see :func:`load_routing`)."""
    path = Path(source)
    if not isinstance(data, dict):
        raise RoutingError(
            f"{path}: expected a mapping with 'default' and/or 'rules', got "
            f"{'an empty file' if data is None else _type_name(data)}"
        )
    unknown = [k for k in data if k not in _TOP_KEYS]
    if unknown:
        raise RoutingError(f"{path}: unknown key {unknown[0]!r}; expected one of {', '.join(_TOP_KEYS)}")
    if not data:
        raise RoutingError(f"{path}: expected 'default' and/or 'rules', got an empty mapping")
    default = _owner(data["default"], path, "top level") if "default" in data else None
    raw_rules = data.get("rules", [])
    if raw_rules is None:
        raw_rules = []
    if not isinstance(raw_rules, list):
        raise RoutingError(f"{path}: key 'rules': expected a list of rules, got {_type_name(raw_rules)}")
    rules = []
    for i, r in enumerate(raw_rules, 1):
        where = f"rule {i}"
        if not isinstance(r, dict):
            raise RoutingError(f"{path}: {where}: expected a mapping (owner: ..., theme: ...), got {_type_name(r)}")
        bad = [k for k in r if k not in _RULE_KEYS]
        if bad:
            raise RoutingError(f"{path}: {where}: unknown key {str(bad[0])!r}; expected one of {', '.join(_RULE_KEYS)}")
        if "owner" not in r:
            raise RoutingError(f"{path}: {where}, key 'owner': expected a non-empty text, got nothing (missing)")
        owner = _owner(r["owner"], path, where)
        conds: dict[str, Any] = {}
        for key in ("theme", "channel", "agent", "segment"):
            if key in r:
                vals = _texts(r[key], path, where, key)
                conds[key] = vals if key == "theme" else tuple(_match_key(v) for v in vals)
        for key in ("min_score", "max_score"):
            if key in r:
                conds[key] = _score_bound(r[key], path, where, key)
        if (
            conds.get("min_score") is not None
            and conds.get("max_score") is not None
            and conds["min_score"] > conds["max_score"]
        ):
            raise RoutingError(
                f"{path}: {where}, key 'min_score': expected at most max_score "
                f"({conds['max_score']}), got {conds['min_score']}"
            )
        rules.append(RoutingRule(number=i, owner=owner, **conds))
    routing = Routing(rules=tuple(rules), default=default, source=str(path))
    if themes is not None:
        routing.check_themes(themes)
    return routing


def load_routing(path: str | os.PathLike, themes: Iterable[str] | None = None) -> Routing:
    """Read and validate a routing file (YAML: ``.yaml``/``.yml``; JSON: ``.json``)::

        default: cx-lead@example.com          # optional: owner when no rule matches
        rules:                                # optional: tried in order, the first match wins
          - owner: web-team@example.com
            theme: [web_interface, reliability]   # a theme the response criticises (any of the list)
          - owner: phone-lead@example.com
            channel: phone                    # also agent, segment: a text or a list (case-insensitive)
            max_score: 3                      # also min_score: whole numbers 0-10

    Errors name the file, the rule number, the key, what was expected and what was found. With ``themes`` (the
    model's theme ids) a rule's theme outside them is an error too (``run_alerts`` checks this itself).
    """
    path = Path(path)
    if not path.exists():
        raise InputFileNotFoundError(f"{path}: routing file not found")
    if path.is_dir():
        raise RoutingError(f"{path}: is a directory, expected a routing file (.yaml, .yml or .json)")
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", ".json"):
        raise RoutingError(
            f"{path}: unsupported routing file extension {path.suffix or '(none)'!r}; expected .yaml, .yml or .json"
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RoutingError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if suffix == ".json":
        try:
            data = json.loads(text) if text.strip() else None
        except json.JSONDecodeError as exc:
            raise RoutingError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}") from None
    else:
        data = _yaml_load(text, path)
    return routing_from_dict(data, path, themes)


# ------------------------------------------------------------------------------------------------ webhook


def validate_webhook_url(url: str) -> str:
    """The URL if it is an absolute http or https URL with a host; else :class:`AlertConfigError`."""
    if not isinstance(url, str) or not url or any(not ch.isprintable() or ch.isspace() for ch in url):
        raise AlertConfigError(
            "webhook URL: expected an http:// or https:// URL without spaces, got "
            f"{_got(url) if not isinstance(url, str) else repr(url[:80])}"
        )
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise AlertConfigError(
            f"webhook URL: expected an http:// or https:// URL, got scheme {parts.scheme or '(none)'!r}"
        )
    try:
        host, _port = parts.hostname, parts.port
    except ValueError as exc:
        raise AlertConfigError(f"webhook URL: invalid host or port ({exc})") from None
    if not host:
        raise AlertConfigError("webhook URL: expected a host name after the scheme, got none")
    return url


def _url_shown(url: str) -> str:
    """Scheme, host and port only: webhook paths often hold secret tokens."""
    p = urllib.parse.urlsplit(url)
    host = p.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    return f"{p.scheme}://{host}{f':{p.port}' if p.port else ''}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is a failure: urllib would repeat a POST as a GET without its body."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


@dataclass
class Delivery:
    """The outcome of one alert's delivery: ``ok``, HTTP attempts made, the last error (None when delivered),
    whether the last failure may be retried later, and the last HTTP status (None: no response)."""

    ok: bool
    attempts: int
    error: str | None = None
    retryable: bool = True
    status: int | None = None


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe(exc: BaseException, timeout: float) -> str:
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, TimeoutError):
        return f"timed out after {timeout:g} s"
    if isinstance(reason, BaseException):
        text = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
        return _one_line(f"{type(reason).__name__}: {text}")
    return _one_line(str(reason))


def deliver(
    url: str,
    body: bytes,
    *,
    alert_id: str = "",
    timeout: float = 10.0,
    retries: int = 3,
    backoff: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
) -> Delivery:
    """POST ``body`` (JSON) to ``url``: up to ``1 + retries`` attempts, waiting ``backoff * 2**k`` seconds
    before retry ``k + 1`` (at most 60 s; a numeric ``Retry-After`` is honoured up to 60 s). 2xx = delivered;
    408, 429, 5xx, timeouts and connection errors are retried; other statuses (4xx, redirects) are not."""
    opener = urllib.request.build_opener(_NoRedirect())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"npsthemes/{__version__}",
        "Accept": "application/json, */*;q=0.5",
    }
    if alert_id:
        headers["Idempotency-Key"] = alert_id
    attempts = 0
    error, retryable, status, delay = None, True, None, 0.0
    for attempt in range(retries + 1):
        if attempt:
            sleep(delay)
        attempts += 1
        delay = min(60.0, backoff * 2**attempt)
        req = urllib.request.Request(url, data=body, method="POST", headers=headers)
        try:
            with opener.open(req, timeout=timeout) as resp:
                status = resp.status
                resp.read(65536)
            if 200 <= status < 300:
                return Delivery(ok=True, attempts=attempts, status=status)
            error, retryable = f"HTTP {status}", status >= 500
        except urllib.error.HTTPError as exc:
            status = exc.code
            try:
                detail = _one_line(exc.read(2048).decode("utf-8", "replace"), 120)
            except (OSError, http.client.HTTPException):
                detail = ""
            finally:
                exc.close()
            error = f"HTTP {status} {exc.reason}" + (f": {detail}" if detail else "")
            retryable = status in (408, 429) or status >= 500
            retry_after = exc.headers.get("Retry-After", "") if exc.headers else ""
            if retryable and str(retry_after).strip().isdigit():
                delay = max(delay, min(60.0, float(retry_after)))
        except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
            error, retryable, status = _describe(exc, timeout), True, None
        if not retryable:
            break
    return Delivery(ok=False, attempts=attempts, error=error, retryable=retryable, status=status)


# ------------------------------------------------------------------------------------------------ state

_APP_ID = 0x4E505341  # "NPSA" in the SQLite header: this is an npsthemes alerts database
_SCHEMA_VERSION = 1
STATE_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE alerts (
    alert_id     TEXT PRIMARY KEY,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'recorded')),
    payload      TEXT NOT NULL,   -- the JSON body, sent as stored on every attempt
    owner        TEXT NOT NULL,
    score        INTEGER,
    source       TEXT,            -- the export's file name
    source_row   INTEGER,
    first_seen   TEXT NOT NULL,   -- UTC, ISO 8601
    updated      TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,  -- HTTP attempts so far
    last_error   TEXT,
    last_attempt TEXT,
    sent_at      TEXT,
    claimant     TEXT,            -- the run that holds (status 'sending') or last attempted the alert
    lease_until  REAL             -- unix time: a 'sending' claim older than this returns to 'pending'
);
CREATE INDEX alerts_status ON alerts (status, first_seen);
"""
_COLUMNS = {
    "alert_id",
    "status",
    "payload",
    "owner",
    "score",
    "source",
    "source_row",
    "first_seen",
    "updated",
    "attempts",
    "last_error",
    "last_attempt",
    "sent_at",
    "claimant",
    "lease_until",
}


def _utc(ts: float | None = None) -> str:
    return datetime.fromtimestamp(time.time() if ts is None else ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class _State:
    """The SQLite state file. Every change runs in a ``BEGIN IMMEDIATE`` transaction (one writer at a time;
    others wait up to ``busy_timeout`` seconds). ``readonly`` opens it with ``mode=ro`` and never creates it."""

    def __init__(self, path: Path, *, readonly: bool, busy_timeout: float):
        self.path = path
        self.readonly = readonly
        self.conn: sqlite3.Connection | None = None
        if path.is_dir():
            raise AlertStateError(f"{path}: is a directory, expected an alerts state file (SQLite)")
        exists = path.exists() and path.stat().st_size > 0
        if exists:
            with open(path, "rb") as fh:
                head = fh.read(16)
            if head != b"SQLite format 3\x00":
                raise AlertStateError(f"{path}: not an npsthemes alerts state file (not an SQLite database)")
        if readonly and not exists:
            return
        try:
            if readonly:
                self.conn = sqlite3.connect(
                    path.resolve().as_uri() + "?mode=ro", uri=True, timeout=busy_timeout, isolation_level=None
                )
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                self.conn = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None)
            if not self._check_or_create():
                self.close()
        except sqlite3.Error as exc:
            self.close()
            raise self._error(exc) from None
        except OSError as exc:
            self.close()
            raise AlertStateError(f"{path}: cannot open the alerts state file: {exc.strerror or exc}") from None
        except BaseException:
            self.close()
            raise

    def _error(self, exc: BaseException) -> AlertStateError:
        text = _one_line(str(exc))
        if "locked" in text or "busy" in text:
            return AlertStateError(f"{self.path}: the alerts state file stayed locked by another run ({text})")
        return AlertStateError(f"{self.path}: not a valid npsthemes alerts state file ({type(exc).__name__}: {text})")

    def _check_or_create(self) -> bool:
        conn = self.conn
        assert conn is not None
        if not self.readonly:
            conn.execute("BEGIN IMMEDIATE")
        try:
            app = conn.execute("PRAGMA application_id").fetchone()[0]
            n_objects = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if app == 0 and n_objects == 0:
                if self.readonly:
                    return False  # an empty file: no state yet
                # (executescript would COMMIT the transaction: run the statements one by one)
                for stmt in STATE_SCHEMA.split(";"):
                    if stmt.strip():
                        conn.execute(stmt)
                conn.execute(f"PRAGMA application_id = {_APP_ID}")
                conn.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")
                conn.execute(
                    "INSERT INTO meta VALUES ('created_by', ?), ('created', ?)", (f"npsthemes {__version__}", _utc())
                )
            elif app != _APP_ID:
                raise AlertStateError(
                    f"{self.path}: an SQLite database of another program, not an npsthemes alerts state file"
                )
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version != _SCHEMA_VERSION:
                raise AlertStateError(
                    f"{self.path}: alerts state schema version {version}; this npsthemes reads "
                    f"version {_SCHEMA_VERSION}"
                )
            cols = {r[1] for r in conn.execute("PRAGMA table_info(alerts)")}
            if not _COLUMNS <= cols:
                missing = ", ".join(sorted(_COLUMNS - cols))
                raise AlertStateError(
                    f"{self.path}: not a valid npsthemes alerts state file (table 'alerts' lacks {missing})"
                )
            if not self.readonly:
                conn.execute("COMMIT")
            return True
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    # -- helpers
    def _run(self, fn: Callable[[sqlite3.Connection], Any], write: bool = True) -> Any:
        conn = self.conn
        if conn is None:
            return None
        try:
            if write:
                conn.execute("BEGIN IMMEDIATE")
            try:
                result = fn(conn)
                if write:
                    conn.execute("COMMIT")
                return result
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    # -- reads
    def statuses(self, ids: Sequence[str]) -> dict[str, tuple[str, int, str | None]]:
        """{alert_id: (status, attempts, claimant)} for the ids present."""

        def fn(conn: sqlite3.Connection) -> dict[str, tuple[str, int, str | None]]:
            out = {}
            for k in range(0, len(ids), 500):
                chunk = list(ids[k : k + 500])
                q = (
                    f"SELECT alert_id, status, attempts, claimant FROM alerts WHERE alert_id IN "
                    f"({','.join('?' * len(chunk))})"
                )
                for a, s, n, c in conn.execute(q, chunk):
                    out[a] = (s, n, c)
            return out

        return self._run(fn, write=False) or {}

    def rows(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        def fn(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
            out = {}
            for k in range(0, len(ids), 500):
                chunk = list(ids[k : k + 500])
                cur = conn.execute(f"SELECT * FROM alerts WHERE alert_id IN ({','.join('?' * len(chunk))})", chunk)
                names = [d[0] for d in cur.description]
                for r in cur:
                    out[r[0]] = dict(zip(names, r))
            return out

        return self._run(fn, write=False) or {}

    def due(self, now: float) -> list[dict[str, Any]]:
        """Alerts a delivery run would pick up: pending, or 'sending' with an expired lease (oldest first)."""

        def fn(conn: sqlite3.Connection) -> list[dict[str, Any]]:
            cur = conn.execute(
                "SELECT * FROM alerts WHERE status = 'pending' OR (status = 'sending' AND "
                "lease_until < ?) ORDER BY first_seen, rowid",
                (now,),
            )
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r)) for r in cur]

        return self._run(fn, write=False) or []

    def count(self, status: str | None = None) -> int:
        def fn(conn: sqlite3.Connection) -> int:
            if status is None:
                return conn.execute("SELECT count(*) FROM alerts").fetchone()[0]
            return conn.execute("SELECT count(*) FROM alerts WHERE status = ?", (status,)).fetchone()[0]

        return self._run(fn, write=False) or 0

    # -- writes
    def insert_new(self, alerts: Sequence[dict[str, Any]], status: str, now: float) -> set[str]:
        """Insert the alerts not yet in the state (``status`` pending or recorded); returns the inserted ids."""

        def fn(conn: sqlite3.Connection) -> set[str]:
            conn.execute(
                "UPDATE alerts SET status = 'pending', lease_until = NULL, updated = ? "
                "WHERE status = 'sending' AND lease_until < ?",
                (_utc(now), now),
            )
            inserted = set()
            for a in alerts:
                cur = conn.execute(
                    "INSERT OR IGNORE INTO alerts (alert_id, status, payload, owner, score, source, source_row, "
                    "first_seen, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        a["alert_id"],
                        status,
                        a["_body"].decode("utf-8"),
                        a["owner"],
                        a["score"],
                        a["source"],
                        a["source_row"],
                        a["created"],
                        a["created"],
                    ),
                )
                if cur.rowcount:
                    inserted.add(a["alert_id"])
            return inserted

        return self._run(fn)

    def claim_next(self, claimant: str, lease: float) -> dict[str, Any] | None:
        """Claim the oldest pending alert this run has not attempted yet (status 'sending', leased)."""

        def fn(conn: sqlite3.Connection) -> dict[str, Any] | None:
            now = time.time()
            conn.execute(
                "UPDATE alerts SET status = 'pending', lease_until = NULL, updated = ? "
                "WHERE status = 'sending' AND lease_until < ?",
                (_utc(now), now),
            )
            row = conn.execute(
                "SELECT alert_id, payload, attempts FROM alerts WHERE status = 'pending' AND "
                "coalesce(claimant, '') != ? ORDER BY first_seen, rowid LIMIT 1",
                (claimant,),
            ).fetchone()
            if row is None:
                return None
            conn.execute(
                "UPDATE alerts SET status = 'sending', claimant = ?, lease_until = ?, updated = ? WHERE alert_id = ?",
                (claimant, now + lease, _utc(now), row[0]),
            )
            return {"alert_id": row[0], "payload": row[1], "attempts": row[2]}

        return self._run(fn)

    def finish(self, alert_id: str, claimant: str, result: Delivery) -> None:
        def fn(conn: sqlite3.Connection) -> None:
            now = _utc()
            if result.ok:
                conn.execute(
                    "UPDATE alerts SET status = 'sent', sent_at = ?, attempts = attempts + ?, "
                    "last_error = NULL, last_attempt = ?, lease_until = NULL, updated = ?, claimant = ? "
                    "WHERE alert_id = ? AND status != 'sent'",
                    (now, result.attempts, now, now, claimant, alert_id),
                )
            else:
                conn.execute(
                    "UPDATE alerts SET status = 'pending', attempts = attempts + ?, last_error = ?, "
                    "last_attempt = ?, lease_until = NULL, updated = ? "
                    "WHERE alert_id = ? AND status = 'sending' AND claimant = ?",
                    (result.attempts, result.error, now, now, alert_id, claimant),
                )

        self._run(fn)


# ------------------------------------------------------------------------------------------------ the run


@dataclass
class AlertRun:
    """The result of :func:`run_alerts`.

    ``alerts``: this run's alerts (columns :data:`ALERT_COLUMNS`): the detractors not alerted before, and every
    earlier alert this run delivered or retried. ``status`` is one of ``sent`` (delivered by this run),
    ``pending`` (not delivered; kept in the state, retried by the next run), ``failed`` (not delivered and no
    state to keep it: rerun), ``recorded`` (no webhook: recorded in the state as alerted), ``listed`` (no webhook
    and no state), ``already_sent`` (delivered by a concurrent run), ``in_progress`` (a concurrent run is
    delivering it), and in a dry run ``would_send``, ``would_retry`` or ``would_record``.

    Counts: ``new`` (detractors not in the state before; without a state every detractor), ``already_sent``
    (detractors of this export already sent or recorded by an earlier or a concurrent run), ``sent``
    (delivered by this run), ``pending`` (alerts pending in the state after this run), ``failed_now``
    (deliveries that failed in this run), ``retried`` (alerts whose earlier delivery had failed, attempted
    again), ``recorded``, ``unrouted`` (alerts of this run with owner ``(unrouted)``), ``would_send`` (dry run).
    """

    alerts: pd.DataFrame
    new: int
    already_sent: int
    sent: int
    pending: int
    failed_now: int
    retried: int
    load_report: LoadReport
    recorded: int = 0
    unrouted: int = 0
    would_send: int = 0
    detractors: int = 0
    threshold: int = 6
    dry_run: bool = False
    state: Path | None = None
    webhook: str | None = None  # scheme://host[:port] only
    out: Path | None = None
    warnings: list[str] = field(default_factory=list)

    def owners(self) -> dict[str, int]:
        """Alerts of this run per owner, most first."""
        return dict(Counter(self.alerts["owner"].tolist()).most_common()) if len(self.alerts) else {}

    def summary(self) -> str:
        """One line on what happened (or, in a dry run, what would happen)."""
        parts = [f"{self.detractors} detractors (score <= {self.threshold})"]
        if self.state is not None:
            parts.append(f"{self.new} new, {self.already_sent} already alerted")
        if self.dry_run:
            if self.webhook:
                text = f"dry run: would send {self.would_send} alerts to {self.webhook}"
                if self.pending:
                    text += f" ({self.pending} pending from earlier runs)"
            elif self.state is not None:
                text = f"dry run: would record {self.new} alerts in {self.state}"
            else:
                text = f"dry run: {self.new} alerts"
            parts.append(text + "; nothing sent, nothing changed")
        elif self.webhook:
            text = f"sent {self.sent} to {self.webhook}"
            if self.retried:
                text += f" ({self.retried} retried from earlier runs)"
            if self.failed_now:
                text += f", {self.failed_now} failed"
            parts.append(text)
            if self.state is not None:
                parts.append(f"{self.pending} pending in {self.state}")
        elif self.state is not None:
            parts.append(f"{self.recorded} recorded in {self.state}")
            if self.pending:
                parts.append(f"{self.pending} pending from earlier runs (give `webhook` to deliver them)")
        else:
            parts.append(f"{len(self.alerts)} alerts")
        if self.unrouted:
            parts.append(f"{self.unrouted} unrouted")
        return "alerts: " + "; ".join(parts)


def _date_text(v: Any) -> str | None:
    if _is_missing(v):
        return None
    ts = pd.Timestamp(v)
    return ts.strftime("%Y-%m-%d") if ts == ts.normalize() else ts.isoformat()


def _cell(v: Any) -> str | None:
    return None if _is_missing(v) else str(v)


def _owners_without_routing(tagged: Any, threshold: int) -> dict[int, str]:
    """source_row -> the follow-up list's route_to (the criticised theme with the most NPS points at stake)."""
    from .insights import follow_up_list, theme_table

    table = theme_table(tagged.responses, tagged.mentions, tagged.model.taxonomy.ids, n_boot=100)
    fu = follow_up_list(tagged.responses, tagged.mentions, table, max_score=threshold)
    return {int(r): (t or UNROUTED) for r, t in zip(fu["source_row"], fu["route_to"])}


def _check_paths(source: Any, routing: Any, out: Any, state: Any, rejects: Any) -> None:
    """Outputs (``out``, ``state``, ``rejects``) must differ from the inputs (``source``, ``routing``) and from each
    other."""
    inputs = [("the input file", source), ("the `routing` file", routing)]
    outputs = [("`out`", out), ("`state`", state), ("`rejects`", rejects)]
    for flag, p in outputs:
        if p is None:
            continue
        for what, q in inputs:
            if isinstance(q, (str, os.PathLike)) and same_file(p, q):
                raise AlertConfigError(f"{p}: {flag} is {what}; give another path (inputs are never overwritten)")
    given = [(f, p) for f, p in outputs if p is not None]
    for i, (f1, p1) in enumerate(given):
        for f2, p2 in given[i + 1 :]:
            if same_file(p1, p2):
                raise AlertConfigError(f"{p1}: given as both {f1} and {f2}; give two different paths")
    if out is not None and Path(out).suffix.lower() not in OUT_FORMATS:
        raise AlertConfigError(
            f"{out}: unsupported `out` extension {Path(out).suffix or '(none)'!r}; expected {', '.join(OUT_FORMATS)}"
        )


def run_alerts(
    source: Survey | pd.DataFrame | str | os.PathLike,
    model: Model | str | os.PathLike | None = None,
    *,
    threshold: int = 6,
    routing: Routing | str | os.PathLike | None = None,
    state: str | os.PathLike | None = None,
    webhook: str | None = None,
    dry_run: bool = False,
    out: str | os.PathLike | None = None,
    redact: bool = True,
    timeout: float = 10.0,
    retries: int = 3,
    backoff: float = 0.5,
    progress: Callable[[str, int | None, int | None], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    busy_timeout: float = 30.0,
    rejects: str | os.PathLike | None = None,
    **load_options: Any,
) -> AlertRun:
    """Alert the owner of every detractor (score <= ``threshold``) of a survey export.

    ``routing``: a :class:`Routing` or a routing file (:func:`load_routing`); without one the owner is the
    follow-up list's ``route_to`` (the criticised theme with the most NPS points at stake in this export) or
    ``(unrouted)``. ``state``: an SQLite file that makes reruns idempotent (only detractors not alerted before
    are new; pending deliveries are retried; concurrent runs never send an alert twice); without it every
    detractor of the export is an alert. ``webhook``: an http(s) URL receiving one JSON POST per alert
    (``timeout`` seconds per attempt, ``retries`` retries with ``backoff * 2**k`` s waits through ``sleep``).
    ``dry_run``: nothing sent and the state not written (not even created); ``out`` is still written as the
    preview. ``redact``: mask personal data in comments (in the body, the state and ``out``). ``out``: write this
    run's alerts (.csv, .xlsx, .jsonl, .json, .parquet). ``progress``: called as ``progress(step, done, total)``.
    ``sleep``: the backoff's wait (inject a fake in tests). ``busy_timeout``: seconds to wait for another run's
    lock on the state file. ``rejects``: write the rejected rows there (CSV). ``load_options``: as
    :func:`load_survey` (``score_column``, ``comment_column``, ``date_column``, ``sheet``, ...).

    Delivery failures do not raise: they are in the counts (``failed_now``) and statuses; the command line
    exits 1 when any delivery failed.
    """
    step: Callable[..., None] = progress or (lambda text, done=None, total=None: None)
    if isinstance(threshold, bool) or not isinstance(threshold, (int, np.integer)) or not 0 <= threshold <= 10:
        raise AlertConfigError(f"threshold: expected a whole number 0-10, got {threshold!r}")
    if not (isinstance(timeout, (int, float)) and timeout > 0):
        raise AlertConfigError(f"timeout: expected a number of seconds above 0, got {timeout!r}")
    if isinstance(retries, bool) or not isinstance(retries, int) or not 0 <= retries <= 20:
        raise AlertConfigError(f"retries: expected a whole number 0-20, got {retries!r}")
    if not (isinstance(backoff, (int, float)) and backoff >= 0):
        raise AlertConfigError(f"backoff: expected a number of seconds >= 0, got {backoff!r}")
    if webhook is not None:
        webhook = validate_webhook_url(webhook)
    _check_paths(source, routing if not isinstance(routing, Routing) else None, out, state, rejects)
    if routing is not None and not isinstance(routing, Routing):
        routing = load_routing(routing)

    step("loading", None, None)
    survey = _ensure_survey(source, **load_options)
    if rejects is not None:
        from .summary import write_rejects

        write_rejects(survey, rejects)
    model = model if isinstance(model, Model) else load_model(model)
    warnings: list[str] = list(survey.report.warnings)
    if routing is not None:
        routing.check_themes(model.taxonomy.ids)
        for col in sorted(routing.columns_used() - set(survey.responses.columns)):
            warnings.append(
                f"{routing.source}: rules use {col!r} but the survey has no {col} column (those rules never match)"
            )
    resp = survey.responses
    det = np.flatnonzero(resp["score"].to_numpy() <= threshold)
    ids = alert_ids(resp.iloc[det])
    source_name = Path(survey.report.source).name if survey.report.source != "DataFrame" else "DataFrame"
    st = _State(Path(state), readonly=dry_run, busy_timeout=busy_timeout) if state is not None else None
    try:
        known = st.statuses(ids) if st is not None else {}
        todo = [k for k, a in enumerate(ids) if a not in known]

        # tag and route the detractors not alerted before
        step("tagging", None, None)
        alerts = _build_alerts(
            survey, model, det[todo], [ids[k] for k in todo], routing, threshold, redact, source_name
        )
        if st is None:
            return _run_stateless(
                alerts,
                survey,
                webhook,
                dry_run,
                out,
                threshold,
                timeout,
                retries,
                backoff,
                sleep,
                step,
                warnings,
                len(ids),
            )
        return _run_with_state(
            st,
            alerts,
            ids,
            known,
            survey,
            webhook,
            dry_run,
            out,
            threshold,
            timeout,
            retries,
            backoff,
            sleep,
            step,
            warnings,
        )
    finally:
        if st is not None:
            st.close()


def _build_alerts(
    survey: Survey,
    model: Model,
    rows: np.ndarray,
    ids: list[str],
    routing: Routing | None,
    threshold: int,
    redact: bool,
    source_name: str,
) -> list[dict[str, Any]]:
    from .tagging import tag_survey

    resp = survey.responses
    if not len(rows):
        return []
    if routing is None:  # route_to needs every response's themes (the points at stake of the whole export)
        tagged = tag_survey(survey, model)
        owner_of = _owners_without_routing(tagged, threshold)
        sub = tagged.responses.iloc[rows].reset_index(drop=True)
        m = tagged.mentions
        pos = {int(r): k for k, r in enumerate(rows)}
        m = m[m["response"].isin(list(pos))].assign(response=lambda d: d["response"].map(pos))
    else:
        part = Survey(responses=resp.iloc[rows].reset_index(drop=True), rejected=survey.rejected, report=survey.report)
        tagged = tag_survey(part, model)
        sub, m = tagged.responses, tagged.mentions
        owner_of = None
    themes: dict[int, list[str]] = {}
    crit: dict[int, list[str]] = {}
    for r, t, p in zip(m["response"].tolist(), m["theme"].tolist(), m["polarity"].tolist()):
        themes.setdefault(r, []).append(f"{t}:{p}")
        if p == "negative":
            crit.setdefault(r, []).append(t)
    created = _utc()
    cols = set(sub.columns)
    out = []
    for k, rec in enumerate(sub.to_dict(orient="records")):
        criticised = crit.get(k, [])
        extra = {c: (_cell(rec.get(c)) if c in cols else None) for c in ("channel", "agent", "segment")}
        score = int(rec["score"])
        if routing is not None:
            owner = routing.route(score=score, criticised=criticised, **extra)
        else:
            owner = (owner_of or {}).get(int(rec["source_row"]), UNROUTED)
        comment = str(rec.get("comment") or "")
        payload = {
            "event": EVENT,
            "alert_id": ids[k],
            "id": _cell(rec.get("id")) if "id" in cols else None,
            "date": _date_text(rec.get("date")) if "date" in cols else None,
            "score": score,
            "comment": _redact(comment) if redact else comment,
            "themes": themes.get(k, []),
            "criticised": criticised,
            **extra,
            "owner": owner,
            "source": source_name,
            "source_row": int(rec["source_row"]),
            "threshold": int(threshold),
            "model": {"name": model.name, "version": model.version},
            "created": created,
            "npsthemes_version": __version__,
        }
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        out.append({**payload, "_body": body})
    return out


def _frame_row(
    payload: dict[str, Any], status: str, attempts: int = 0, last_error: str | None = None
) -> dict[str, Any]:
    row = {c: payload.get(c) for c in ALERT_COLUMNS}
    row["themes"] = ";".join(payload.get("themes") or [])
    row["criticised"] = ";".join(payload.get("criticised") or [])
    row.update(status=status, attempts=int(attempts or 0), last_error=last_error)
    return row


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=ALERT_COLUMNS)
    for c in ("score", "source_row", "attempts"):
        df[c] = df[c].astype("Int64")
    return df


def _payload(st: _State, text: str, alert_id: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except (TypeError, json.JSONDecodeError):
        data = None
    if not isinstance(data, dict):
        raise AlertStateError(
            f"{st.path}: alert {alert_id!r}: the stored payload is not a JSON object (the state "
            "file was changed by hand?)"
        )
    return data


def _lease(timeout: float, retries: int, backoff: float) -> float:
    """Seconds a claim may take: every attempt timing out, every wait at its cap (60 s), plus a margin."""
    return (retries + 1) * (timeout + 5.0) + retries * 60.0 + 60.0


def _finish(run: AlertRun) -> AlertRun:
    run.unrouted = int((run.alerts["owner"] == UNROUTED).sum()) if len(run.alerts) else 0
    if run.out is not None:
        write_alerts(run.alerts, run.out)
    return run


def _run_stateless(
    alerts, survey, webhook, dry_run, out, threshold, timeout, retries, backoff, sleep, step, warnings, n_detractors
) -> AlertRun:
    rows = []
    sent = failed = 0
    for k, a in enumerate(alerts):
        if dry_run or webhook is None:
            rows.append(_frame_row(a, "would_send" if dry_run and webhook else "listed"))
            continue
        step("delivering", k, len(alerts))
        res = deliver(
            webhook, a["_body"], alert_id=a["alert_id"], timeout=timeout, retries=retries, backoff=backoff, sleep=sleep
        )
        sent += res.ok
        failed += not res.ok
        rows.append(_frame_row(a, "sent" if res.ok else "failed", res.attempts, res.error))
    return _finish(
        AlertRun(
            alerts=_frame(rows),
            new=len(alerts),
            already_sent=0,
            sent=sent,
            pending=0,
            failed_now=failed,
            retried=0,
            load_report=survey.report,
            would_send=len(alerts) if dry_run and webhook else 0,
            detractors=n_detractors,
            threshold=threshold,
            dry_run=dry_run,
            webhook=_url_shown(webhook) if webhook else None,
            out=Path(out) if out is not None else None,
            warnings=warnings,
        )
    )


def _run_with_state(
    st: _State,
    alerts,
    ids,
    known,
    survey,
    webhook,
    dry_run,
    out,
    threshold,
    timeout,
    retries,
    backoff,
    sleep,
    step,
    warnings,
) -> AlertRun:
    base = dict(
        load_report=survey.report,
        detractors=len(ids),
        threshold=threshold,
        dry_run=dry_run,
        state=st.path,
        webhook=_url_shown(webhook) if webhook else None,
        out=Path(out) if out is not None else None,
        warnings=warnings,
    )
    handled_before = sum(1 for s in known.values() if s[0] in ("sent", "recorded"))
    if dry_run:
        rows = [_frame_row(a, "would_send" if webhook else "would_record") for a in alerts]
        due = st.due(time.time()) if st.conn is not None else []
        if webhook:
            rows += [
                _frame_row(_payload(st, r["payload"], r["alert_id"]), "would_retry", r["attempts"], r["last_error"])
                for r in due
            ]
        return _finish(
            AlertRun(
                alerts=_frame(rows),
                new=len(alerts),
                already_sent=handled_before,
                sent=0,
                pending=len(due),
                failed_now=0,
                retried=0,
                would_send=(len(alerts) + len(due)) if webhook else 0,
                **base,
            )
        )

    inserted = st.insert_new(alerts, "pending" if webhook else "recorded", time.time())
    attempted: list[str] = []
    results: dict[str, Delivery] = {}
    retried = 0
    if webhook:
        claimant = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        lease = _lease(timeout, retries, backoff)
        limit = st.count() + 10_000  # a bound: each claim marks an alert as attempted by this run
        step("delivering", 0, None)
        for _ in range(limit):
            claim = st.claim_next(claimant, lease)
            if claim is None:
                break
            _payload(st, claim["payload"], claim["alert_id"])  # sent as stored, but it must be an alert
            res = deliver(
                webhook,
                claim["payload"].encode("utf-8"),
                alert_id=claim["alert_id"],
                timeout=timeout,
                retries=retries,
                backoff=backoff,
                sleep=sleep,
            )
            st.finish(claim["alert_id"], claimant, res)
            attempted.append(claim["alert_id"])
            results[claim["alert_id"]] = res
            retried += claim["attempts"] > 0
            step("delivering", len(attempted), None)
    # this run's alerts: the new ones (in file order), then the earlier ones it attempted
    new_order = [a["alert_id"] for a in alerts if a["alert_id"] in inserted]
    listed = new_order + [a for a in attempted if a not in inserted]
    final = st.rows(listed)
    rows = []
    for a in listed:
        r = final[a]
        delivered = results.get(a)
        if delivered is not None and delivered.ok:
            status = "sent"
        else:  # not delivered by this run: as the state has it now
            status = {"sent": "already_sent", "sending": "in_progress"}.get(r["status"], r["status"])
        rows.append(_frame_row(_payload(st, r["payload"], a), status, r["attempts"], r["last_error"]))
    mine = {a for a, res in results.items() if res.ok} | (inserted if not webhook else set())
    now_status = st.statuses(ids)
    already = sum(1 for a in set(ids) if a not in mine and now_status.get(a, ("",))[0] in ("sent", "recorded"))
    return _finish(
        AlertRun(
            alerts=_frame(rows),
            new=len(inserted),
            already_sent=already,
            sent=sum(1 for r in results.values() if r.ok),
            pending=st.count("pending"),
            failed_now=sum(1 for r in results.values() if not r.ok),
            retried=retried,
            recorded=len(inserted) if not webhook else 0,
            **base,
        )
    )


# ------------------------------------------------------------------------------------------------ output


def write_alerts(alerts: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write alerts atomically: .csv (UTF-8 with BOM) and .xlsx formula-guarded; .jsonl, .json, .parquet."""
    from ._io import atomic_write_bytes, guard_formulas, write_table

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from .report import tables_to_xlsx

        return atomic_write_bytes(path, tables_to_xlsx({"Alerts": alerts})[0])
    if suffix not in OUT_FORMATS:
        raise OutputError(
            f"cannot write {path}: unsupported extension {path.suffix or '(none)'!r}; expected {', '.join(OUT_FORMATS)}"
        )
    return write_table(guard_formulas(alerts) if suffix == ".csv" else alerts, path)
