#!/usr/bin/env python3
"""A small ClickHouse-HTTP-interface-compatible server backed by chDB.

chDB is the real ClickHouse engine running in-process, so SQL, table engines,
input/output formats, settings and error messages are ClickHouse's own.  This
file only adds the HTTP layer (modelled on ClickHouse's HTTPHandler):

  GET  /ping, GET / (no query), HEAD of both      -> 200 "Ok.\\n"
  GET  /?query=SQL                                 -> runs SQL (read-only statements only,
                                                      like ClickHouse, which uses readonly=2 for GET)
  POST /            body = SQL (may carry inline data after "FORMAT X")
  POST /?query=SQL  body = data, appended verbatim to SQL (ClickHouse concatenates the
                    query parameter and the body without any separator)

URL parameters (as in ClickHouse):
  query, database, default_format, query_id           handled by the server
  user, password, quota_key, session_*, compress, decompress, buffer_size,
  wait_end_of_query, stacktrace, role, client_protocol_version, close_session
                                                      accepted and ignored
  readonly                                            accepted and ignored (see _IGNORED_PARAMS)
  param_NAME=VALUE                                    query parameter {NAME:Type}
  anything else                                       a query-level setting (unknown -> Code 115)

Locked down like a ClickHouse user with readonly=2 on GET and no FILE/URL/REMOTE
grants: one statement per request (Code 62), GET runs only read queries
(Code 164), and table functions/engines that reach outside the database
(file, url, s3, remote, input, ...), INTO OUTFILE / FROM INFILE and SYSTEM,
ATTACH, DETACH, KILL, BACKUP, RESTORE, GRANT are refused (Code 497); see
inspect_statement().  With --user/--password (or CHDB_SERVER_PASSWORD) every
query must log in (X-ClickHouse-User/Key, user/password parameters or HTTP
basic auth; otherwise Code 516, HTTP 401); /ping stays open.  With
--tls-cert/--tls-key it serves HTTPS.

Headers: without --user/--password, Basic auth and X-ClickHouse-User/Key/Quota are accepted and ignored;
X-ClickHouse-Database and X-ClickHouse-Format are used as fallbacks for the
database / default_format parameters; X-ClickHouse-Query-Id for query_id.
Request bodies may be chunked and/or compressed (Content-Encoding gzip,
deflate, zstd, xz, bzip2).

Every response carries X-ClickHouse-Summary, X-ClickHouse-Query-Id,
X-ClickHouse-Format and X-ClickHouse-Timezone.  Errors have ClickHouse's body
"Code: N. DB::Exception: ... (NAME) (version V)\\n" and the header
X-ClickHouse-Exception-Code: N.  By default every query error is HTTP 500 and
a malformed request (e.g. empty query) is 400; --status-codes=clickhouse maps
error codes to statuses like ClickHouse does (60 -> 404, 62 -> 400, ...).

All queries run on one chDB session (one persistent data directory), strictly
one at a time under a lock.  Only the standard library, chdb and zstandard are
used.
"""

from __future__ import annotations

import argparse
import base64
import bz2
import errno
import gzip
import hmac
import json
import lzma
import os
import re
import signal
import socket
import ssl
import sys
import threading
import time
import uuid
import zlib
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

try:
    import zstandard
except ImportError:  # pragma: no cover - zstd bodies then answer an error
    zstandard = None

# ---------------------------------------------------------------------------
# Request parameters
# ---------------------------------------------------------------------------

# Parameters ClickHouse's HTTPHandler consumes itself (never settings).  From
# ClickHouse src/Server/HTTPHandler.cpp `reserved_param_names`, plus query /
# database / default_format which are handled here explicitly.
_RESERVED_PARAMS = frozenset({
    "query", "database", "default_format", "query_id",
    "compress", "decompress", "user", "password", "quota_key", "stacktrace",
    "role", "buffer_size", "wait_end_of_query", "session_id", "session_timeout",
    "session_check", "client_protocol_version", "close_session",
})

# `readonly` is a real setting but can not be applied safely to a shared
# session: once `readonly=1` is SET it can never be reset, which would turn the
# whole server read-only.  It is therefore accepted and ignored.
_IGNORED_PARAMS = frozenset({"readonly"})

_SETTING_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# ClickHouse's mapping of errors to HTTP statuses (src/Server/HTTP/
# exceptionCodeToHTTPStatus.cpp), keyed by the error name that ends every
# ClickHouse message "... (NAME)"; used only with --status-codes=clickhouse.
_CH_STATUS_BY_NAME = {}
for _name in ("BAD_ARGUMENTS CANNOT_COMPILE_REGEXP CANNOT_PARSE_TEXT CANNOT_PARSE_ESCAPE_SEQUENCE "
              "CANNOT_PARSE_QUOTED_STRING CANNOT_PARSE_DATE CANNOT_PARSE_DATETIME CANNOT_PARSE_NUMBER "
              "CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING CANNOT_PARSE_IPV4 CANNOT_PARSE_IPV6 "
              "CANNOT_PARSE_INPUT_ASSERTION_FAILED CANNOT_PARSE_UUID DUPLICATE_COLUMN ILLEGAL_COLUMN "
              "UNKNOWN_ELEMENT_IN_AST UNKNOWN_TYPE_OF_AST_NODE THERE_IS_NO_COLUMN TOO_DEEP_AST TOO_BIG_AST "
              "UNEXPECTED_AST_STRUCTURE SYNTAX_ERROR INCORRECT_DATA TYPE_MISMATCH "
              "VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE").split():
    _CH_STATUS_BY_NAME[_name] = 400
for _name in ("UNKNOWN_TABLE UNKNOWN_FUNCTION UNKNOWN_IDENTIFIER UNKNOWN_TYPE UNKNOWN_STORAGE "
              "UNKNOWN_DATABASE UNKNOWN_SETTING UNKNOWN_DIRECTION_OF_SORTING UNKNOWN_AGGREGATE_FUNCTION "
              "UNKNOWN_FORMAT UNKNOWN_DATABASE_ENGINE UNKNOWN_TYPE_OF_QUERY UNKNOWN_ROLE").split():
    _CH_STATUS_BY_NAME[_name] = 404
_CH_STATUS_BY_NAME.update({
    "REQUIRED_PASSWORD": 401, "UNKNOWN_USER": 403, "WRONG_PASSWORD": 403, "AUTHENTICATION_FAILED": 403,
    "SET_NON_GRANTED_ROLE": 403, "ACCESS_DENIED": 403, "QUERY_IS_TOO_LARGE": 413,
    "NOT_IMPLEMENTED": 501, "SOCKET_TIMEOUT": 503, "CANNOT_OPEN_FILE": 503, "HTTP_LENGTH_REQUIRED": 411,
    "TIMEOUT_EXCEEDED": 408, "CANNOT_SCHEDULE_TASK": 503, "UNSUPPORTED_MEDIA_TYPE": 415,
})
_ERROR_NAME_RE = re.compile(r"\(([A-Z][A-Z0-9_]+)\)\s*(?:\(version [^)]*\)\s*)?$")


# ---------------------------------------------------------------------------
# Lightweight SQL inspection (only for headers / read-only check; never used to
# rewrite the query)
# ---------------------------------------------------------------------------

_LEADING_JUNK_RE = re.compile(rb"\A(?:\s+|--[^\n]*(?:\n|\Z)|#[^\n]*(?:\n|\Z)|/\*.*?\*/|\()*", re.S)
_FIRST_WORD_RE = re.compile(rb"[A-Za-z_]+")
_FORMAT_RE = re.compile(rb"\bFORMAT\s+([A-Za-z][A-Za-z0-9_]*)", re.I)
# A plain `INSERT INTO [db.]t [(cols)] FORMAT X` in ?query= (the data in the body): its URL settings can go in the
# statement's own SETTINGS clause, which scopes them to the query exactly like the SET-and-reset path, in one call.
_IDENT = rb"(?:[A-Za-z_][A-Za-z0-9_]*|`[^`\\]*`)"
# chDB reports a bad setting in an INSERT's own SETTINGS clause wrapped in a second "Code: N. DB::Exception:"; the
# inner text is what the SET path (and ClickHouse for a URL setting) answers.
_DOUBLED_ERROR_RE = re.compile(r"\ACode: (\d+)\. DB::Exception: (Code: \1\. DB::Exception: .*\(version [^)]*\))\. \([A-Z0-9_]+\)(?: \(version [^)]*\))?\s*\Z", re.S)
_PLAIN_INSERT_RE = re.compile(rb"\s*(INSERT\s+INTO\s+" + _IDENT + rb"(?:\." + _IDENT + rb")?(?:\s*\([A-Za-z0-9_,\s`]*\))?)"
                              rb"\s+(FORMAT\s+[A-Za-z][A-Za-z0-9_]*\s*)", re.I)
_DB_CHANGING_RE = re.compile(rb"\A(?:USE|DROP|RENAME|DETACH|EXCHANGE|ATTACH)\b", re.I)
_READONLY_KINDS = frozenset({b"SELECT", b"WITH", b"SHOW", b"DESCRIBE", b"DESC",
                             b"EXISTS", b"EXPLAIN", b"VALUES", b"FROM"})


def _statement_head(query: bytes) -> bytes:
    """The query from its first keyword on (comments/whitespace/'(' skipped)."""
    m = _LEADING_JUNK_RE.match(query)
    return query[m.end():] if m else query


def _first_keyword(head: bytes) -> bytes:
    m = _FIRST_WORD_RE.match(head)
    return m.group(0).upper() if m else b""


def _explicit_output_format(head: bytes, kind: bytes) -> str | None:
    """Best-effort: the FORMAT of a non-INSERT statement (last FORMAT clause)."""
    if kind == b"INSERT":
        return None
    found = None
    for m in _FORMAT_RE.finditer(head[:1 << 16]):
        found = m.group(1)
    return found.decode("ascii") if found else None


def _content_type(fmt: str) -> str:
    f = fmt.lower()
    if f.startswith("tabseparated") or f.startswith("tsv"):
        return "text/tab-separated-values; charset=UTF-8"
    if f.startswith("csv"):
        return "text/csv; charset=UTF-8; header=absent" if f == "csv" else "text/csv; charset=UTF-8; header=present"
    if f.startswith("json") or f.startswith("ndjson"):
        return "application/json; charset=UTF-8"
    if f in ("xml",):
        return "application/xml; charset=UTF-8"
    if f in ("native", "rowbinary", "rowbinarywithnames", "rowbinarywithnamesandtypes",
             "parquet", "arrow", "arrowstream", "orc", "avro", "protobuf", "capnproto", "msgpack", "npy"):
        return "application/octet-stream"
    return "text/plain; charset=UTF-8"


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------

_CODE_RE = re.compile(r"^Code: (\d+)\.")
_VERSION_TAIL_RE = re.compile(r"\(version [^)]*\)\s*$")


class QueryError(Exception):
    """An error to be sent in ClickHouse's format."""

    def __init__(self, text: str, code: int, http_status: int | None = None):
        super().__init__(text)
        self.text = text
        self.code = code
        self.http_status = http_status


def _make_error(code: int, message: str, name: str, http_status: int | None = None) -> QueryError:
    return QueryError(f"Code: {code}. DB::Exception: {message}. ({name})", code, http_status)


def _error_from_exception(exc: BaseException) -> QueryError:
    text = str(exc).strip()
    # The python wrappers sometimes prefix the engine text.
    idx = text.find("Code: ")
    if idx > 0:
        text = text[idx:]
    m = _CODE_RE.match(text)
    if m:
        return QueryError(text, int(m.group(1)))
    if not text:
        text = type(exc).__name__
    return QueryError(f"Code: 1000. DB::Exception: {text}. (POCO_EXCEPTION)", 1000)


# ---------------------------------------------------------------------------
# Locked-down statements: one statement per request, nothing that reads or
# writes outside the database (files, URLs, other servers, the shell).
#
# A small tokenizer with ClickHouse's lexical rules (strings with backslash
# escapes and doubled quotes, quoted identifiers, heredocs, `--`/`#`/`/* */`
# comments) so that a `;` or `file(` inside a literal or a comment is never
# mistaken for code.  Where the tokenizer and ClickHouse could disagree it
# errs on refusing: block comments are not nested (ClickHouse does not nest
# them either), and an unterminated literal ends the scan (ClickHouse then
# answers its own syntax error).
# ---------------------------------------------------------------------------

# Table functions and table engines that reach outside the database (files,
# URLs, object stores, other servers, external programs, the host process).
_OUTSIDE_FUNCTIONS = frozenset({
    "file", "filecluster", "url", "urlcluster", "s3", "s3cluster", "s3queue", "gcs", "cosn", "oss",
    "hdfs", "hdfscluster", "azureblobstorage", "azureblobstoragecluster", "azurequeue",
    "remote", "remotesecure", "cluster", "clusterallreplicas", "input",
    "mysql", "postgresql", "materializedpostgresql", "jdbc", "odbc", "sqlite", "mongodb", "redis",
    "executable", "executablepool", "python", "deltalake", "deltalakecluster", "deltalakes3",
    "deltalakeazure", "deltalakelocal", "iceberg", "icebergs3", "icebergazure", "iceberghdfs", "iceberglocal",
    "icebergcluster", "icebergs3cluster", "icebergazurecluster", "iceberghdfscluster", "hudi", "hudicluster",
    "hive", "kafka", "rabbitmq", "nats", "arrowflight", "ytsaurus", "paimon", "embeddedrocksdb",
})
# Statements that act on the server rather than on data.
_REFUSED_STATEMENTS = frozenset({
    b"SYSTEM", b"ATTACH", b"DETACH", b"KILL", b"BACKUP", b"RESTORE", b"GRANT", b"REVOKE", b"INSTALL",
})
# Words that name a client-side file (`INTO OUTFILE`, `FROM INFILE`): on this endpoint the
# "client" is the server, so they would read or write the server's files.
_FILE_CLAUSES = frozenset({b"OUTFILE", b"INFILE"})

_WORD_RE = re.compile(rb"[A-Za-z_][A-Za-z0-9_$]*")
_NUMBER_RE = re.compile(rb"[0-9][0-9A-Za-z_.]*(?:[eEpP][+-][0-9]+)?")
_HEREDOC_RE = re.compile(rb"\$([A-Za-z0-9_]*)\$")
_SPACE = b" \t\n\r\f\v"


def _skip_quoted(q: bytes, i: int, quote: int) -> int:
    """Index just past the literal opened at i (backslash escapes, doubled quotes); len(q) if unterminated."""
    n = len(q)
    i += 1
    while i < n:
        c = q[i]
        if c == 0x5C:  # backslash
            i += 2
            continue
        if c == quote:
            if i + 1 < n and q[i + 1] == quote:
                i += 2
                continue
            return i + 1
        i += 1
    return n


def _tokens(q: bytes):
    """Yields (kind, text, start) for code tokens: 'word', 'qident', 'punct', 'other'; literals and comments skipped."""
    n = len(q)
    i = 0
    while i < n:
        c = q[i]
        if c in _SPACE:
            i += 1
        elif c == 0x2D and q[i + 1:i + 2] == b"-" or c == 0x23:  # -- or # comment
            j = q.find(b"\n", i)
            i = n if j < 0 else j + 1
        elif c == 0x2F and q[i + 1:i + 2] == b"*":  # /* comment */
            j = q.find(b"*/", i + 2)
            i = n if j < 0 else j + 2
        elif c == 0x27:  # 'string'
            i = _skip_quoted(q, i, c)
        elif c in (0x22, 0x60):  # "identifier" or `identifier`
            j = _skip_quoted(q, i, c)
            yield ("qident", q[i + 1:j - 1].replace(b"\\", b""), i)
            i = j
        elif c == 0x24 and (m := _HEREDOC_RE.match(q, i)):  # $tag$ heredoc $tag$
            j = q.find(m.group(0), m.end())
            i = n if j < 0 else j + len(m.group(0))
        elif m := _WORD_RE.match(q, i):
            yield ("word", m.group(0), i)
            i = m.end()
        elif m := _NUMBER_RE.match(q, i):
            i = m.end()
        else:
            yield ("punct", q[i:i + 1], i)
            i += 1


def _denied(user: str, grant: str, what: str) -> QueryError:
    return _make_error(497, f"{user}: Not enough privileges. To execute this query, it's necessary to have the grant "
                            f"{grant} ON *.*: {what} is not allowed on this endpoint", "ACCESS_DENIED")


def inspect_statement(query: bytes, is_post: bool, user: str = "default") -> QueryError | None:
    """The error ClickHouse (locked down, readonly on GET) would give for this request's query, or None.

    One statement per request; GET runs only read queries; no table function or engine that reaches
    outside the database, no INTO OUTFILE / FROM INFILE, no SYSTEM/ATTACH/DETACH/KILL/BACKUP/...
    For `INSERT ... FORMAT X` the inline data after the format name is not inspected.
    """
    first: bytes | None = None
    is_insert_select = False
    depth = 0
    prev: tuple | None = None
    ended_at: int | None = None  # offset of the `;` that ended the first statement
    format_next = False
    for kind, text, pos in _tokens(query):
        if ended_at is not None:
            tail = query[ended_at:ended_at + 40].decode("utf-8", "replace")
            return _make_error(62, f"Syntax error (Multi-statements are not allowed): failed at position "
                                   f"{ended_at + 1} (end of query): {tail.rstrip()}", "SYNTAX_ERROR")
        upper = text.upper() if kind == "word" else b""
        if first is None:
            if kind == "punct" and text == b"(":
                continue
            first = upper
            if first in _REFUSED_STATEMENTS:
                return _denied(user, first.decode(), f"{first.decode()} query")
            if not is_post and first not in _READONLY_KINDS:
                return _make_error(164, "Cannot execute query in readonly mode. For queries over HTTP, "
                                        "method GET implies readonly. You should use method POST for "
                                        "modifying queries", "READONLY")
        if format_next:
            if kind == "word":
                return None  # the rest is INSERT data
            format_next = False
        if kind == "punct":
            if text == b"(":
                if prev is not None and prev[0] in ("word", "qident") and prev[1].lower().decode("utf-8", "replace") in _OUTSIDE_FUNCTIONS:
                    name = prev[1].decode("utf-8", "replace")
                    return _denied(user, "CREATE TEMPORARY TABLE, READ ON FILE, URL, REMOTE, S3",
                                   f"table function or engine {name}()")
                depth += 1
            elif text == b")":
                depth = max(0, depth - 1)
            elif text == b";" and depth == 0:
                ended_at = pos
        elif kind == "word":
            if upper in _FILE_CLAUSES:
                clause = "INTO OUTFILE" if upper == b"OUTFILE" else "FROM INFILE"
                return _denied(user, "FILE", clause)
            if first == b"INSERT" and depth == 0:
                if upper in (b"SELECT", b"WITH"):
                    is_insert_select = True
                elif upper == b"FORMAT" and not is_insert_select:
                    format_next = True
        prev = (kind, text)
    return None


# ---------------------------------------------------------------------------
# The chDB backend
# ---------------------------------------------------------------------------

def _quote_string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _quote_ident(name: str) -> str:
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"


class Result:
    __slots__ = ("body", "read_rows", "read_bytes", "written_rows", "written_bytes",
                 "result_rows", "result_bytes", "elapsed_ns")

    def __init__(self, body=b"", read_rows=0, read_bytes=0, written_rows=0, written_bytes=0,
                 result_rows=0, result_bytes=0, elapsed_ns=0):
        self.body = body
        self.read_rows = read_rows
        self.read_bytes = read_bytes
        self.written_rows = written_rows
        self.written_bytes = written_bytes
        self.result_rows = result_rows
        self.result_bytes = result_bytes
        self.elapsed_ns = elapsed_ns


class ChdbBackend:
    """One chDB session; every statement runs under one lock."""

    def __init__(self, data_dir: str):
        from chdb import session as chdb_session  # imported late: slow import

        os.makedirs(data_dir, exist_ok=True)
        self.data_dir = data_dir
        self.lock = threading.Lock()
        self.closed = False
        self.session = chdb_session.Session(data_dir)
        self._current_db: str | None = None
        with self.lock:
            self.version = self._scalar("SELECT version()")
            self.timezone = self._scalar("SELECT timezone()")
            # Settings chDB itself changed for the session (e.g. implicit_select=1):
            # a per-request setting is reset to this value, others to DEFAULT.
            self._baseline: dict[str, str] = {}
            out = self._raw("SELECT name, value FROM system.settings WHERE changed", "TabSeparatedRaw")
            for line in out.bytes().decode("utf-8", "replace").splitlines():
                name, _, value = line.partition("\t")
                self._baseline[name] = value

    # -- low level ---------------------------------------------------------
    def _raw(self, sql, fmt="TabSeparated", params=None):
        return self.session.query(sql, fmt, params=params)

    def _scalar(self, sql: str) -> str:
        return self._raw(sql, "TabSeparatedRaw").bytes().decode("utf-8").strip()

    def close(self):
        with self.lock:
            if not self.closed:
                self.closed = True
                self.session.close()

    # -- per request -------------------------------------------------------
    def execute(self, query: bytes, fmt: str, database: str, settings: list[tuple[str, str]],
                params: dict[str, str], is_insert: bool, db_changing: bool,
                is_set: bool = False) -> Result:
        with self.lock:
            if self.closed:
                raise _make_error(1000, "Server is shutting down", "POCO_EXCEPTION", 503)

            # Default database: `USE db` on the shared session, but only when it
            # differs from the database the session is known to be in.
            if database != self._current_db:
                try:
                    self._raw("USE " + _quote_ident(database))
                except Exception as exc:
                    self._current_db = None
                    raise _error_from_exception(exc) from None
                self._current_db = database

            # Query-level settings.  chDB has no per-call settings argument, and
            # splicing a SETTINGS clause into arbitrary SQL (INSERT ... SETTINGS
            # must precede FORMAT, data follows, SELECTs may already have one) is
            # error-prone.  So they are applied with one `SET k='v', ...` on the
            # session before the query and reset right after (to chDB's own
            # session value, or DEFAULT), all under the lock so no other request
            # ever sees them.  Values are sent as string literals, which ClickHouse
            # converts to the setting's type exactly like HTTP parameters.
            # An unknown name makes the SET fail with ClickHouse's own
            # "Code: 115 ... (UNKNOWN_SETTING)".
            if settings:
                try:
                    self._raw("SET " + ", ".join(f"{k} = {_quote_string(v)}" for k, v in settings))
                except Exception as exc:
                    self._reset_settings(settings, one_by_one=True)
                    raise _error_from_exception(exc) from None
            try:
                t0 = time.perf_counter_ns()
                try:
                    r = self._raw(query, fmt, params=params or None)
                except Exception as exc:
                    raise _error_from_exception(exc) from None
                finally:
                    if db_changing:
                        self._current_db = None  # e.g. USE x / DROP DATABASE
                elapsed_ns = time.perf_counter_ns() - t0
            finally:
                if settings:
                    self._reset_settings(settings)
                if is_set:
                    # ClickHouse's HTTP interface has no session state without
                    # session_id: a `SET x = y` request changes nothing for later
                    # requests.  Undo it on the shared chDB session.
                    self._restore_baseline()

        written_rows = r.rows_written()
        written_bytes = r.bytes_written()
        if is_insert:
            result_rows, result_bytes = written_rows, written_bytes
        else:
            result_rows, result_bytes = r.rows_read(), r.bytes_read()
        return Result(
            body=r.bytes() or b"",
            read_rows=r.storage_rows_read(),
            read_bytes=r.storage_bytes_read(),
            written_rows=written_rows,
            written_bytes=written_bytes,
            result_rows=result_rows,
            result_bytes=result_bytes,
            elapsed_ns=elapsed_ns,
        )

    def _restore_baseline(self):
        try:
            out = self._raw("SELECT name, value FROM system.settings WHERE changed", "TabSeparatedRaw")
        except Exception:
            return
        changed = []
        for line in out.bytes().decode("utf-8", "replace").splitlines():
            name, _, value = line.partition("\t")
            # `database` follows USE; the current database is managed separately.
            if name != "database" and self._baseline.get(name) != value:
                changed.append((name, value))
        if changed:
            self._reset_settings(changed)

    def _reset_settings(self, settings, one_by_one=False):
        def reset_expr(k):
            base = self._baseline.get(k)
            return f"{k} = DEFAULT" if base is None else f"{k} = {_quote_string(base)}"

        if not one_by_one:
            try:
                self._raw("SET " + ", ".join(reset_expr(k) for k, _ in settings))
                return
            except Exception:
                pass
        for k, _ in settings:
            try:
                self._raw("SET " + reset_expr(k))
            except Exception:
                pass  # unknown setting: nothing to reset


# ---------------------------------------------------------------------------
# Request accounting (opt-in): what the endpoint spends, per statement kind
# ---------------------------------------------------------------------------

_INSERT_TABLE_RE = re.compile(rb"\AINSERT\s+INTO\s+([A-Za-z0-9_.`\"]+)", re.I)


class RequestStats:
    """Counts requests by kind (`INSERT <table>`, `SELECT`, ...) with their engine and handler time, and logs one
    line per interval with the process CPU used, so a run shows who queries the endpoint how often and at what cost."""

    def __init__(self, interval: float, out=sys.stderr):
        self.interval = interval
        self.out = out
        self.lock = threading.Lock()
        self.kinds: dict[str, list[int]] = {}  # kind -> [count, engine ns, handler ns]

    @staticmethod
    def kind_of(head: bytes, kind: bytes) -> str:
        if kind == b"INSERT":
            m = _INSERT_TABLE_RE.match(head)
            return "INSERT " + (m.group(1).decode("utf-8", "replace").replace("`", "") if m else "?")
        return kind.decode("ascii", "replace") or "?"

    def record(self, kind: str, engine_ns: int, total_ns: int):
        with self.lock:
            k = self.kinds.setdefault(kind, [0, 0, 0])
            k[0] += 1
            k[1] += engine_ns
            k[2] += total_ns

    def run(self, stopping: threading.Event):
        cpu0, t0 = time.process_time(), time.monotonic()
        while not stopping.wait(self.interval):
            with self.lock:
                kinds, self.kinds = self.kinds, {}
            cpu1, t1 = time.process_time(), time.monotonic()
            span = max(t1 - t0, 1e-9)
            parts = " ".join(f"[{k}: {c} req, engine {e / 1e6 / c:.2f} ms, handler {h / 1e6 / c:.2f} ms]"
                             for k, (c, e, h) in sorted(kinds.items(), key=lambda kv: -kv[1][2]))
            total = sum(v[0] for v in kinds.values())
            self.out.write(f"chdb-server stats: {span:.1f}s, {total / span:.1f} req/s, "
                           f"cpu {100 * (cpu1 - cpu0) / span:.1f}% {parts}\n")
            self.out.flush()
            cpu0, t0 = cpu1, t1


# ---------------------------------------------------------------------------
# HTTP layer
# ---------------------------------------------------------------------------

class BadRequest(Exception):
    pass


def _decompress(body: bytes, encoding: str) -> bytes:
    enc = encoding.strip().lower()
    if enc in ("", "identity", "none"):
        return body
    try:
        if enc in ("gzip", "x-gzip"):
            return gzip.decompress(body)
        if enc == "deflate":
            try:
                return zlib.decompress(body)  # zlib-wrapped deflate (RFC 9110)
            except zlib.error:
                return zlib.decompress(body, -zlib.MAX_WBITS)  # raw deflate
        if enc == "zstd":
            if zstandard is None:
                raise _make_error(36, "zstd support requires the zstandard package", "BAD_ARGUMENTS", 400)
            # A decompressor stream handles frames without a content size and
            # several concatenated frames.
            reader = zstandard.ZstdDecompressor().stream_reader(body, read_across_frames=True)
            chunks = []
            while True:
                chunk = reader.read(1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
            return b"".join(chunks)
        if enc in ("xz", "lzma"):
            return lzma.decompress(body)
        if enc in ("bz2", "bzip2"):
            return bz2.decompress(body)
    except QueryError:
        raise
    except Exception as exc:
        raise _make_error(354 if enc in ("gzip", "x-gzip", "deflate") else 561,
                          f"Cannot decompress request body ({enc}): {exc}",
                          "ZLIB_INFLATE_FAILED" if enc in ("gzip", "x-gzip", "deflate") else "ZSTD_DECODER_FAILED",
                          400) from None
    raise _make_error(36, f"Unknown HTTP compression method: {encoding}", "BAD_ARGUMENTS", 400)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "chdb-server"

    def version_string(self):
        return self.server_version

    # set on the class by make_server()
    backend: ChdbBackend = None  # type: ignore[assignment]
    verbose = False
    stats: RequestStats | None = None
    clickhouse_status_codes = False
    keep_alive_timeout = 30
    display_name = socket.gethostname()
    # Set when the server was started with --user/--password: every query must log in as this user.
    required_user: str | None = None
    required_password: str = ""

    # Idle keep-alive connections are closed after this many seconds (like
    # ClickHouse's keep_alive_timeout); reads of a request also time out.
    def setup(self):
        self.timeout = self.keep_alive_timeout
        super().setup()

    def log_message(self, format, *args):  # noqa: A002
        if self.verbose:
            sys.stderr.write("%s - %s\n" % (self.address_string(), format % args))

    # -- body ----------------------------------------------------------------
    def _read_body(self) -> bytes:
        te = self.headers.get("Transfer-Encoding", "")
        if "chunked" in te.lower():
            return self._read_chunked()
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        try:
            n = int(length)
            if n < 0:
                raise ValueError
        except ValueError:
            self.close_connection = True
            raise BadRequest("Invalid Content-Length") from None
        if n == 0:
            return b""
        data = self.rfile.read(n)
        if len(data) != n:
            self.close_connection = True
            raise BadRequest("Unexpected end of request body")
        return data

    def _read_chunked(self) -> bytes:
        parts = []
        rfile = self.rfile
        while True:
            line = rfile.readline(65537)
            if not line:
                self.close_connection = True
                raise BadRequest("Unexpected end of chunked body")
            size_s = line.split(b";", 1)[0].strip()
            try:
                size = int(size_s, 16)
            except ValueError:
                self.close_connection = True
                raise BadRequest("Malformed chunk size") from None
            if size == 0:
                # trailers until an empty line
                while True:
                    t = rfile.readline(65537)
                    if not t or t in (b"\r\n", b"\n"):
                        break
                return b"".join(parts)
            chunk = rfile.read(size)
            if len(chunk) != size:
                self.close_connection = True
                raise BadRequest("Unexpected end of chunked body")
            parts.append(chunk)
            rfile.readline(3)  # CRLF after the chunk

    # -- responses -------------------------------------------------------------
    def _send(self, status: int, body: bytes, headers: list[tuple[str, str]]):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        if not self.close_connection:
            self.send_header("Keep-Alive", f"timeout={self.keep_alive_timeout}")
        else:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def _summary(self, r: Result | None, elapsed_ns: int) -> str:
        if r is None:
            r = Result(elapsed_ns=elapsed_ns)
        return json.dumps({
            "read_rows": str(r.read_rows),
            "read_bytes": str(r.read_bytes),
            "written_rows": str(r.written_rows),
            "written_bytes": str(r.written_bytes),
            "total_rows_to_read": "0",
            "result_rows": str(r.result_rows),
            "result_bytes": str(r.result_bytes),
            "elapsed_ns": str(r.elapsed_ns or elapsed_ns),
        }, separators=(",", ":"))

    def _common_headers(self, query_id: str, fmt: str) -> list[tuple[str, str]]:
        return [
            ("X-ClickHouse-Server-Display-Name", self.display_name),
            ("X-ClickHouse-Query-Id", query_id),
            ("X-ClickHouse-Format", fmt),
            ("X-ClickHouse-Timezone", self.backend.timezone),
        ]

    def _send_error(self, err: QueryError, query_id: str, fmt: str, t0: int, default_status: int = 500):
        text = err.text.rstrip()
        if not _VERSION_TAIL_RE.search(text):
            text += f" (version {self.backend.version})"
        body = (text + "\n").encode("utf-8", "replace")
        if err.http_status is not None:
            status = err.http_status
        elif self.clickhouse_status_codes:
            m = _ERROR_NAME_RE.search(err.text.rstrip())
            status = _CH_STATUS_BY_NAME.get(m.group(1), 500) if m else 500
        else:
            status = default_status
        headers = self._common_headers(query_id, fmt)
        headers += [
            ("Content-Type", "text/plain; charset=UTF-8"),
            ("X-ClickHouse-Exception-Code", str(err.code)),
            ("X-ClickHouse-Summary", self._summary(None, time.perf_counter_ns() - t0)),
        ]
        self._send(status, body, headers)

    # -- methods ---------------------------------------------------------------
    def do_HEAD(self):
        path = urlsplit(self.path).path
        if path in ("/", "/ping"):
            self._send(200, b"Ok.\n", [("Content-Type", "text/html; charset=UTF-8")])
        else:
            self._send(404, b"", [("Content-Type", "text/plain; charset=UTF-8")])

    def do_GET(self):
        self._handle(is_post=False)

    def do_POST(self):
        self._handle(is_post=True)

    def _not_found(self, path: str):
        body = f"There is no handle {path}\n\nUse / or /ping for health checks.\n".encode()
        self._send(404, body, [("Content-Type", "text/plain; charset=UTF-8")])

    def _credentials(self, pdict: dict[str, str]) -> tuple[str, str]:
        """The user and password the request logs in with, the ways ClickHouse's HTTP interface accepts them."""
        hdr = self.headers
        if hdr.get("X-ClickHouse-User") is not None or hdr.get("X-ClickHouse-Key") is not None:
            return hdr.get("X-ClickHouse-User") or "default", hdr.get("X-ClickHouse-Key") or ""
        auth = hdr.get("Authorization", "")
        if auth[:6].lower() == "basic ":
            try:
                decoded = base64.b64decode(auth[6:].strip(), validate=True).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                return "", ""
            name, _, password = decoded.partition(":")
            return name or "default", password
        return pdict.get("user") or "default", pdict.get("password") or ""

    def _authenticate(self, pdict: dict[str, str]) -> tuple[str, QueryError | None]:
        """The logged-in user, or ClickHouse's authentication error (code 516, HTTP 401) when it does not match."""
        user, password = self._credentials(pdict)
        if self.required_user is None:
            return user, None
        # Constant-time comparisons, both always evaluated: no timing hint about which part was wrong.
        user_ok = hmac.compare_digest(user.encode("utf-8"), self.required_user.encode("utf-8"))
        password_ok = hmac.compare_digest(password.encode("utf-8"), self.required_password.encode("utf-8"))
        if user_ok and password_ok:
            return user, None
        shown = user if user_ok else "default"
        return shown, _make_error(516, f"{shown}: Authentication failed: password is incorrect, or there is no "
                                       f"user with such name", "AUTHENTICATION_FAILED", 401)

    def _handle(self, is_post: bool):
        t0 = time.perf_counter_ns()
        url = urlsplit(self.path)
        path = url.path
        params = parse_qsl(url.query, keep_blank_values=True)
        pdict = dict(params)

        hdr = self.headers
        query_id = pdict.get("query_id") or hdr.get("X-ClickHouse-Query-Id") or str(uuid.uuid4())
        default_format = pdict.get("default_format") or hdr.get("X-ClickHouse-Format") or "TabSeparated"

        # Always consume the body first so the connection stays usable.
        try:
            raw_body = self._read_body() if is_post or hdr.get("Content-Length") or hdr.get("Transfer-Encoding") else b""
        except BadRequest as exc:
            self._send_error(_make_error(1000, str(exc), "POCO_EXCEPTION", 400), query_id, default_format, t0)
            return
        except (socket.timeout, ConnectionError):
            self.close_connection = True
            return

        if path == "/ping" or path == "/replicas_status":
            if is_post and path == "/ping":
                self._not_found(path)
            else:
                self._send(200, b"Ok.\n", [("Content-Type", "text/html; charset=UTF-8")])
            return
        if path != "/":
            self._not_found(path)
            return
        if not is_post and "query" not in pdict and not raw_body:
            self._send(200, b"Ok.\n", [("Content-Type", "text/html; charset=UTF-8")])
            return

        try:
            body = _decompress(raw_body, hdr.get("Content-Encoding", "")) if raw_body else b""
        except QueryError as err:
            self._send_error(err, query_id, default_format, t0)
            return

        user, auth_error = self._authenticate(pdict)
        if auth_error is not None:
            self._send_error(auth_error, query_id, default_format, t0)
            return

        database = pdict.get("database") or hdr.get("X-ClickHouse-Database") or "default"
        settings: list[tuple[str, str]] = []
        qparams: dict[str, str] = {}
        seen = set()
        for k, v in params:
            if k in _RESERVED_PARAMS or k in _IGNORED_PARAMS or not k:
                continue
            if k.startswith("param_"):
                qparams[k[6:]] = v
                continue
            if k in seen:  # last value wins, keep order of first appearance
                settings = [(sk, sv) for sk, sv in settings if sk != k]
            seen.add(k)
            if not _SETTING_NAME_RE.match(k):
                self._send_error(_make_error(115, f"Unknown setting '{k}'", "UNKNOWN_SETTING"),
                                 query_id, default_format, t0)
                return
            settings.append((k, v))

        # ClickHouse: query = ?query= parameter followed directly by the body.
        query_param = pdict.get("query")
        plain = None
        if query_param is not None:
            qp = query_param.encode("utf-8")
            plain = _PLAIN_INSERT_RE.fullmatch(qp) if settings else None
            if plain is not None:
                # One engine call instead of SET, INSERT and the reset: a chDB call costs about a millisecond of CPU.
                inline = ", ".join(f"{k} = {_quote_string(v)}" for k, v in settings).encode("utf-8")
                qp = plain.group(1) + b" SETTINGS " + inline + b" " + plain.group(2)
                settings = []
            query = qp + body
        else:
            query = body
        head = _statement_head(query)
        if not head.strip() or not head.rstrip(b"; \t\r\n"):
            self._send_error(_make_error(62, "Empty query", "SYNTAX_ERROR", 400), query_id, default_format, t0)
            return
        kind = _first_keyword(head)
        refused = inspect_statement(query, is_post, user)
        if refused is not None:
            self._send_error(refused, query_id, default_format, t0)
            return
        is_insert = kind == b"INSERT"
        out_format = _explicit_output_format(head, kind) or default_format
        if default_format.lower() in ("dataframe", "datastore", "arrowtable", "debug"):
            self._send_error(_make_error(73, f"Unknown format {default_format}", "UNKNOWN_FORMAT"),
                             query_id, default_format, t0)
            return

        try:
            result = self.backend.execute(query, default_format, database, settings, qparams,
                                          is_insert, bool(_DB_CHANGING_RE.match(head)), kind == b"SET")
        except QueryError as err:
            if plain is not None and (m := _DOUBLED_ERROR_RE.match(err.text)):
                err.text = m.group(2)
            self._send_error(err, query_id, out_format, t0)
            return
        except Exception as exc:  # should not happen; still answer like ClickHouse
            self._send_error(_error_from_exception(exc), query_id, out_format, t0)
            return

        headers = self._common_headers(query_id, out_format)
        headers.append(("Content-Type", _content_type(out_format)))
        headers.append(("X-ClickHouse-Summary", self._summary(result, time.perf_counter_ns() - t0)))
        self._send(200, result.body, headers)
        if self.stats is not None:
            self.stats.record(RequestStats.kind_of(head, kind), result.elapsed_ns, time.perf_counter_ns() - t0)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, socket.timeout, ssl.SSLError)):
            return  # client went away, or its TLS handshake failed; nothing to report
        super().handle_error(request, client_address)


def make_server(host: str, port: int) -> Server:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    Server.address_family = family
    return Server((host, port), Handler)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description="ClickHouse-HTTP-interface-compatible server backed by chDB "
                    "(the ClickHouse engine in-process). Serves GET /ping, GET / and "
                    "GET|POST /?query=... with ClickHouse semantics.")
    ap.add_argument("--host", default="127.0.0.1",
                    help="address to bind to (default 127.0.0.1; only this address is bound)")
    ap.add_argument("--port", type=int, default=8123,
                    help="TCP port (default 8123; 0 picks a free port, printed on start)")
    ap.add_argument("--data-dir", default=".rsbench/clickhouse",
                    help="persistent chDB data directory, created if missing (default .rsbench/clickhouse)")
    ap.add_argument("--keep-alive-timeout", type=int, default=30,
                    help="seconds an idle keep-alive connection is kept open (default 30, like ClickHouse)")
    ap.add_argument("--status-codes", choices=("500", "clickhouse"), default="500",
                    help="HTTP status for query errors: '500' (default) always 500; 'clickhouse' maps "
                         "error codes like ClickHouse does (e.g. 60 UNKNOWN_TABLE -> 404, 62 SYNTAX_ERROR -> 400)")
    ap.add_argument("--user", default=None,
                    help="(or env CHDB_SERVER_USER) require this user on every query (X-ClickHouse-User/Key headers, user/password URL "
                         "parameters or HTTP basic auth); default: no login required. /ping stays open.")
    ap.add_argument("--password", default=None,
                    help="the user's password; prefer the environment variable CHDB_SERVER_PASSWORD, which "
                         "does not show in the process list (setting either implies --user default)")
    ap.add_argument("--tls-cert", default=None, help="serve HTTPS with this PEM certificate (chain) file")
    ap.add_argument("--tls-key", default=None, help="the PEM private key for --tls-cert")
    ap.add_argument("--verbose", action="store_true", help="log every request to stderr")
    ap.add_argument("--stats-interval", type=float, default=None,
                    help="(or env CHDB_SERVER_STATS_INTERVAL) every this many seconds, log to stderr the requests by "
                         "kind (INSERT <table>, SELECT, ...) with their mean engine and handler time, and the CPU used")
    args = ap.parse_args(argv)
    if (args.tls_cert is None) != (args.tls_key is None):
        print("chdb-server: --tls-cert and --tls-key must be given together", file=sys.stderr, flush=True)
        return 2
    password = args.password if args.password is not None else os.environ.get("CHDB_SERVER_PASSWORD")
    if args.user is None and os.environ.get("CHDB_SERVER_USER"):
        args.user = os.environ["CHDB_SERVER_USER"]
    context = None
    if args.tls_cert:
        try:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            context.load_cert_chain(args.tls_cert, args.tls_key)
        except (OSError, ssl.SSLError) as exc:
            print(f"chdb-server: cannot load TLS certificate {args.tls_cert} / key {args.tls_key}: {exc}",
                  file=sys.stderr, flush=True)
            return 2

    try:
        server = make_server(args.host, args.port)
    except OSError as exc:
        what = "address already in use" if exc.errno == errno.EADDRINUSE else (exc.strerror or str(exc))
        print(f"chdb-server: cannot listen on {args.host}:{args.port}: {what}", file=sys.stderr, flush=True)
        return 2

    data_dir = os.path.abspath(args.data_dir)
    try:
        backend = ChdbBackend(data_dir)
    except Exception as exc:
        server.server_close()
        print(f"chdb-server: cannot open chDB data dir {data_dir}: {exc}", file=sys.stderr, flush=True)
        return 1

    Handler.backend = backend
    Handler.verbose = args.verbose
    interval = args.stats_interval if args.stats_interval is not None else float(os.environ.get("CHDB_SERVER_STATS_INTERVAL") or 0)
    if interval > 0:
        Handler.stats = RequestStats(interval)
    Handler.clickhouse_status_codes = args.status_codes == "clickhouse"
    Handler.keep_alive_timeout = args.keep_alive_timeout
    if args.user is not None or password:
        Handler.required_user = args.user or "default"
        Handler.required_password = password or ""
    if context is not None:
        # The handshake runs on the request's own thread (first read), never on the accepting one.
        server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)

    stopping = threading.Event()

    def on_signal(signum, _frame):
        if not stopping.is_set():
            stopping.set()
            # shutdown() blocks until serve_forever() returns, so it must not
            # run on the thread that runs serve_forever() (this one).
            threading.Thread(target=server.shutdown, daemon=True).start()

    if Handler.stats is not None:
        threading.Thread(target=Handler.stats.run, args=(stopping,), daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    host, port = server.server_address[:2]
    shown_host = f"[{host}]" if ":" in host else host
    scheme = "https" if context is not None else "http"
    print(f"chdb-server listening on {scheme}://{shown_host}:{port} data={data_dir}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        backend.close()  # waits for an in-flight query, then closes (flushes) the session
        print("chdb-server stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
