"""Tests for stack/chdb_server.py (stdlib unittest + zstandard only).

Run from the repository root:
    .rsbench/venv/bin/python -m unittest stack/test_chdb_server.py -v

Each test class starts the server as a subprocess (same interpreter) on a free
loopback port with a temporary data directory, and stops exactly that process
(by its PID) in a cleanup.
"""

from __future__ import annotations

import gzip
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse
import zlib

import zstandard

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "chdb_server.py")


class ServerProcess:
    """One server subprocess; start() waits for its listening line and /ping."""

    def __init__(self, data_dir: str, log_dir: str, extra_args=(), env=None, ssl_context=None):
        self.data_dir = data_dir
        self.log_dir = log_dir
        self.extra_args = list(extra_args)
        self.env = env
        self.ssl_context = ssl_context
        self.scheme = "https" if ssl_context is not None else "http"
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None

    def start(self, timeout: float = 60.0):
        self.stderr_path = os.path.join(self.log_dir, "server-%d.err" % time.monotonic_ns())
        self._stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, SERVER, "--host", "127.0.0.1", "--port", "0", "--data-dir", self.data_dir] + self.extra_args,
            stdout=subprocess.PIPE, stderr=self._stderr, stdin=subprocess.DEVNULL, env=self.env,
        )
        line_box: list[bytes] = []
        reader = threading.Thread(target=lambda: line_box.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        prefix = "chdb-server listening on %s://127.0.0.1:" % self.scheme
        if not line_box or not line_box[0].startswith(prefix.encode()):
            self.stop()
            raise RuntimeError("server did not start: %r / %s" % (line_box, self.stderr_text()))
        first = line_box[0].decode()
        self.port = int(first.split(prefix, 1)[1].split()[0])
        deadline = time.monotonic() + timeout
        while True:
            try:
                status, _, body = self.request("GET", "/ping")
                if status == 200 and body == b"Ok.\n":
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("server did not answer /ping: " + self.stderr_text())
            time.sleep(0.05)

    def stderr_text(self) -> str:
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self, timeout: float = 30.0) -> int | None:
        """Stop only the process this object started, by its PID."""
        proc = self.proc
        if proc is None:
            return None
        self.proc = None
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(10)
        if proc.stdout:
            proc.stdout.close()
        self._stderr.close()
        return proc.returncode

    # -- helpers ---------------------------------------------------------
    def conn(self) -> http.client.HTTPConnection:
        if self.ssl_context is not None:
            return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=60, context=self.ssl_context)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def request(self, method, path, body=None, headers=None, conn=None):
        own = conn is None
        c = conn or self.conn()
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            return r.status, r, data
        finally:
            if own:
                c.close()

    def query(self, sql: str, body: bytes | None = None, conn=None, headers=None, **params):
        """POST: with body=None the SQL is the body, otherwise the SQL goes in ?query=."""
        if body is None:
            path = "/?" + urllib.parse.urlencode(params) if params else "/"
            return self.request("POST", path, sql.encode(), headers, conn)
        params = dict(params, query=sql)
        return self.request("POST", "/?" + urllib.parse.urlencode(params), body, headers, conn)

    def ok(self, sql, body=None, **params) -> bytes:
        status, _, data = self.query(sql, body, **params)
        if status != 200:
            raise AssertionError("%s -> %d %r" % (sql, status, data))
        return data


class ServerTestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="chdb-server-test-")
        cls.data_dir = os.path.join(cls.tmp, "data")
        cls.server = ServerProcess(cls.data_dir, cls.tmp)
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        cls.addClassCleanup(cls.server.stop)
        cls.server.start()

    def assertSummary(self, resp, **expected):
        summary = json.loads(resp.getheader("X-ClickHouse-Summary"))
        for key in ("read_rows", "read_bytes", "written_rows", "written_bytes", "total_rows_to_read",
                    "result_rows", "result_bytes", "elapsed_ns"):
            self.assertIn(key, summary)
            self.assertIsInstance(summary[key], str)
        for k, v in expected.items():
            self.assertEqual(summary[k], str(v), summary)
        return summary


class TestHttpInterface(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.ok("CREATE TABLE kv (k UInt32, v String) ENGINE = MergeTree ORDER BY k")

    def test_ping_and_root(self):
        for path in ("/ping", "/"):
            status, resp, body = self.server.request("GET", path)
            self.assertEqual((status, body), (200, b"Ok.\n"))
            self.assertEqual(resp.getheader("Content-Length"), "4")

    def test_unknown_path(self):
        status, _, _ = self.server.request("GET", "/nope")
        self.assertEqual(status, 404)

    def test_query_in_body_default_tsv(self):
        status, resp, body = self.server.query("SELECT 1 AS a, 'x' AS b")
        self.assertEqual((status, body), (200, b"1\tx\n"))
        self.assertEqual(resp.getheader("X-ClickHouse-Format"), "TabSeparated")
        self.assertTrue(resp.getheader("X-ClickHouse-Query-Id"))
        self.assertSummary(resp, result_rows=1)

    def test_get_query(self):
        q = urllib.parse.urlencode({"query": "SELECT 40 + 2"})
        status, _, body = self.server.request("GET", "/?" + q)
        self.assertEqual((status, body), (200, b"42\n"))

    def test_get_is_readonly(self):
        q = urllib.parse.urlencode({"query": "CREATE TABLE ro_x (a UInt8) ENGINE = Memory"})
        status, resp, body = self.server.request("GET", "/?" + q)
        self.assertEqual(status, 500)
        self.assertEqual(resp.getheader("X-ClickHouse-Exception-Code"), "164")

    def test_query_id_echoed(self):
        _, resp, _ = self.server.query("SELECT 1", query_id="my-query-1")
        self.assertEqual(resp.getheader("X-ClickHouse-Query-Id"), "my-query-1")

    def test_explicit_format(self):
        for fmt, check in [
            ("JSONEachRow", lambda b: self.assertEqual(json.loads(b), {"n": 7, "s": "a"})),
            ("JSON", lambda b: self.assertEqual(json.loads(b)["data"], [{"n": 7, "s": "a"}])),
            ("JSONCompact", lambda b: self.assertEqual(json.loads(b)["data"], [[7, "a"]])),
            ("TabSeparated", lambda b: self.assertEqual(b, b"7\ta\n")),
            ("CSV", lambda b: self.assertEqual(b, b'7,"a"\n')),
        ]:
            status, resp, body = self.server.query("SELECT 7 AS n, 'a' AS s FORMAT " + fmt)
            self.assertEqual(status, 200, body)
            self.assertEqual(resp.getheader("X-ClickHouse-Format"), fmt)
            check(body)

    def test_default_format(self):
        status, resp, body = self.server.query("SELECT number AS n FROM numbers(2)", default_format="JSONEachRow")
        self.assertEqual(status, 200)
        self.assertEqual(body, b'{"n":0}\n{"n":1}\n')
        self.assertEqual(resp.getheader("X-ClickHouse-Format"), "JSONEachRow")
        # an explicit FORMAT wins over default_format
        _, _, body = self.server.query("SELECT 1 AS n FORMAT CSV", default_format="JSONEachRow")
        self.assertEqual(body, b"1\n")

    def test_insert_query_param_with_data_body(self):
        self.server.ok("CREATE TABLE ins_p (a UInt32, b String) ENGINE = MergeTree ORDER BY a")
        rows = b'{"a":1,"b":"x"}\n{"a":2,"b":"y;z"}\n{"a":3,"b":"w"}\n'
        status, resp, body = self.server.query("INSERT INTO ins_p FORMAT JSONEachRow", rows)
        self.assertEqual((status, body), (200, b""))
        self.assertSummary(resp, written_rows=3)
        self.assertEqual(self.server.ok("SELECT a, b FROM ins_p ORDER BY a FORMAT CSV"),
                         b'1,"x"\n2,"y;z"\n3,"w"\n')

    def test_inline_data_after_format(self):
        self.server.ok("CREATE TABLE ins_i (a UInt32) ENGINE = MergeTree ORDER BY a")
        status, resp, _ = self.server.query('INSERT INTO ins_i FORMAT JSONEachRow\n{"a":1}\n{"a":2}')
        self.assertEqual(status, 200)
        self.assertSummary(resp, written_rows=2)
        status, resp, _ = self.server.query("INSERT INTO ins_i VALUES (3), (4), (5)")
        self.assertSummary(resp, written_rows=3)
        status, resp, _ = self.server.query("INSERT INTO ins_i SELECT number + 10 FROM numbers(4)")
        self.assertSummary(resp, written_rows=4)
        self.assertEqual(self.server.ok("SELECT count() FROM ins_i"), b"9\n")

    def test_database_param(self):
        self.server.ok("CREATE DATABASE IF NOT EXISTS otherdb")
        self.server.ok("CREATE TABLE t_db (a UInt8) ENGINE = MergeTree ORDER BY a", database="otherdb")
        self.server.ok("INSERT INTO t_db FORMAT JSONEachRow", b'{"a":5}\n', database="otherdb")
        self.assertEqual(self.server.ok("SELECT a FROM otherdb.t_db"), b"5\n")
        self.assertEqual(self.server.ok("SELECT currentDatabase(), a FROM t_db", database="otherdb"), b"otherdb\t5\n")
        # without the parameter the default database is used again
        self.assertEqual(self.server.ok("SELECT currentDatabase()"), b"default\n")
        status, resp, body = self.server.query("SELECT 1", database="no_such_db")
        self.assertEqual(status, 500)
        self.assertEqual(resp.getheader("X-ClickHouse-Exception-Code"), "81")

    def test_setting_param_applied_and_reset(self):
        sql = "SELECT number FROM numbers(100) FORMAT TSV"
        status, resp, body = self.server.query(sql, max_result_rows="1", result_overflow_mode="throw")
        self.assertEqual(status, 500, body)
        self.assertIn(b"(TOO_MANY_ROWS_OR_BYTES)", body)
        self.assertEqual(resp.getheader("X-ClickHouse-Exception-Code"), "396")
        # 'break' stops at a block boundary
        status, _, body = self.server.query(sql, max_result_rows="1", result_overflow_mode="break",
                                            max_block_size="10")
        self.assertEqual(status, 200)
        self.assertLess(len(body.splitlines()), 100)
        # visible inside the query ...
        body = self.server.ok("SELECT getSetting('max_execution_time')", max_execution_time="17")
        self.assertEqual(body, b"17\n")
        body = self.server.ok("SELECT getSetting('date_time_input_format')", date_time_input_format="best_effort")
        self.assertEqual(body, b"best_effort\n")
        # ... and not leaking into the next request
        self.assertEqual(len(self.server.ok(sql).splitlines()), 100)
        self.assertEqual(self.server.ok("SELECT getSetting('max_execution_time')"), b"0\n")
        # a SET statement does not outlive its request (no HTTP sessions)
        self.server.ok("SET max_execution_time = 33")
        self.assertEqual(self.server.ok("SELECT getSetting('max_execution_time')"), b"0\n")
        self.assertEqual(self.server.ok("SELECT currentDatabase()", database="system"), b"system\n")
        self.server.ok("SET max_execution_time = 34", database="system")
        self.assertEqual(self.server.ok("SELECT currentDatabase()", database="system"), b"system\n")
        # reserved / ignored parameters are not settings
        self.server.ok("SELECT 1", user="default", password="", wait_end_of_query="1", buffer_size="1000",
                       session_id="abc", compress="0", readonly="1")

    def test_query_parameters(self):
        body = self.server.ok("SELECT {x:UInt32} + 1, {s:String}", param_x="41", param_s="it's")
        self.assertEqual(body, b"42\tit\\'s\n")

    def test_unknown_setting(self):
        status, resp, body = self.server.query("SELECT 1", no_such_setting_xyz="1")
        self.assertEqual(status, 500)
        self.assertEqual(resp.getheader("X-ClickHouse-Exception-Code"), "115")
        self.assertTrue(body.startswith(b"Code: 115. DB::Exception: "), body)
        self.assertIn(b"(UNKNOWN_SETTING)", body)
        self.assertEqual(self.server.ok("SELECT 2"), b"2\n")

    def test_insert_settings_go_into_the_statement(self):
        # A plain `INSERT ... FORMAT X` with URL settings runs them in its own SETTINGS clause: applied to the
        # insert, gone afterwards, and a bad one answers exactly like the SET path (one "Code: N." prefix).
        self.server.ok("CREATE TABLE ins_settings (a UInt32, s String, "
                       "m String DEFAULT toString(getSetting('max_insert_block_size'))) ENGINE = MergeTree ORDER BY a")
        default = self.server.ok("SELECT getSetting('max_insert_block_size')")
        self.server.ok("INSERT INTO ins_settings (a, s) FORMAT JSONEachRow", b'{"a":1,"s":"x"}\n', max_insert_block_size="12345")
        self.assertEqual(self.server.ok("SELECT m FROM ins_settings"), b"12345\n")
        self.assertEqual(self.server.ok("SELECT getSetting('max_insert_block_size')"), default)
        for params, code, name in (({"no_such_setting_xyz": "1"}, "115", b"(UNKNOWN_SETTING)"),
                                   ({"max_threads": "abc"}, "27", b"(CANNOT_PARSE_INPUT_ASSERTION_FAILED)")):
            status, resp, body = self.server.query("INSERT INTO ins_settings FORMAT JSONEachRow", b'{"a":2,"s":"y"}\n', **params)
            self.assertEqual(status, 500, body)
            self.assertEqual(resp.getheader("X-ClickHouse-Exception-Code"), code)
            self.assertEqual(body.count(b"DB::Exception"), 1, body)
            self.assertIn(name, body)
        self.assertEqual(self.server.ok("SELECT count() FROM ins_settings"), b"1\n")

    def test_error_format(self):
        status, resp, body = self.server.query("SELECT * FROM no_such_table_here")
        self.assertEqual(status, 500)
        self.assertTrue(body.startswith(b"Code: 60. DB::Exception: "), body)
        self.assertIn(b"(UNKNOWN_TABLE)", body)
        self.assertRegex(body.decode(), r"\(version [0-9.]+\)\n$")
        self.assertEqual(resp.getheader("X-ClickHouse-Exception-Code"), "60")
        self.assertSummary(resp)
        status, resp, body = self.server.query("SELEC 1")
        self.assertEqual((status, resp.getheader("X-ClickHouse-Exception-Code")), (500, "62"))
        status, resp, body = self.server.query("INSERT INTO kv FORMAT JSONEachRow", b'{"k":"notanumber"}\n')
        self.assertEqual(status, 500)
        self.assertTrue(body.startswith(b"Code: "), body)

    def test_empty_query(self):
        status, resp, body = self.server.request("POST", "/", b"")
        self.assertEqual(status, 400)
        self.assertTrue(body.startswith(b"Code: 62. DB::Exception: Empty query"), body)

    def test_compressed_bodies(self):
        self.server.ok("CREATE TABLE comp (a UInt32) ENGINE = MergeTree ORDER BY a")
        rows = b"".join(b'{"a":%d}\n' % i for i in range(1000))
        zc = zstandard.ZstdCompressor().compressobj()  # streaming: no content size in the frame
        zstd_stream = zc.compress(rows) + zc.flush()
        self.assertEqual(zstandard.get_frame_parameters(zstd_stream).content_size, zstandard.CONTENTSIZE_UNKNOWN)
        bodies = {
            "gzip": gzip.compress(rows),
            "deflate": zlib.compress(rows),
            "zstd": zstd_stream,
        }
        for enc, data in bodies.items():
            status, resp, body = self.server.query("INSERT INTO comp FORMAT JSONEachRow", data,
                                                   headers={"Content-Encoding": enc})
            self.assertEqual(status, 200, (enc, body))
            self.assertSummary(resp, written_rows=1000)
        # compressed query text works too
        status, _, body = self.server.request("POST", "/", zstandard.ZstdCompressor().compress(b"SELECT count() FROM comp"),
                                              {"Content-Encoding": "zstd"})
        self.assertEqual((status, body), (200, b"3000\n"))
        status, _, body = self.server.request("POST", "/", b"garbage", {"Content-Encoding": "gzip"})
        self.assertEqual(status, 400)
        self.assertTrue(body.startswith(b"Code: "))

    def test_chunked_body(self):
        self.server.ok("CREATE TABLE chunked (a UInt32) ENGINE = MergeTree ORDER BY a")
        rows = [b'{"a":%d}\n' % i for i in range(500)]

        def gen():
            for i in range(0, len(rows), 37):
                yield b"".join(rows[i:i + 37])

        c = self.server.conn()
        try:
            q = urllib.parse.urlencode({"query": "INSERT INTO chunked FORMAT JSONEachRow"})
            c.request("POST", "/?" + q, body=gen(), encode_chunked=True)
            r = c.getresponse()
            self.assertEqual(r.status, 200, r.read())
            r.read()
            self.assertEqual(json.loads(r.getheader("X-ClickHouse-Summary"))["written_rows"], "500")
            # the connection is still usable after a chunked request
            c.request("POST", "/", body=b"SELECT count() FROM chunked")
            r = c.getresponse()
            self.assertEqual(r.read(), b"500\n")
        finally:
            c.close()

    def test_keep_alive(self):
        c = self.server.conn()
        try:
            c.request("POST", "/", body=b"SELECT 1")
            r1 = c.getresponse()
            self.assertEqual(r1.read(), b"1\n")
            sock = c.sock
            self.assertIsNotNone(sock)
            c.request("POST", "/", body=b"SELECT 2")
            r2 = c.getresponse()
            self.assertEqual(r2.read(), b"2\n")
            self.assertIs(c.sock, sock, "connection was not kept alive")
            # an error does not close the connection either
            c.request("POST", "/", body=b"SELECT * FROM no_such_table_ka")
            r3 = c.getresponse()
            r3.read()
            self.assertEqual(r3.status, 500)
            c.request("GET", "/ping")
            self.assertEqual(c.getresponse().read(), b"Ok.\n")
            self.assertIs(c.sock, sock)
        finally:
            c.close()

    def test_concurrent_clients(self):
        self.server.ok("CREATE TABLE conc (a UInt32) ENGINE = MergeTree ORDER BY a")
        errors = []

        def worker(n):
            try:
                c = self.server.conn()
                for j in range(10):
                    st, _, b = self.server.query("INSERT INTO conc FORMAT JSONEachRow", b'{"a":%d}\n' % (n * 100 + j), conn=c)
                    if st != 200:
                        errors.append(b)
                c.close()
            except Exception as exc:  # pragma: no cover
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(self.server.ok("SELECT count() FROM conc"), b"80\n")

    def test_schema_features(self):
        """Engine features the project relies on."""
        self.server.ok("""
            CREATE TABLE events (
                event_time DateTime64(3),
                source_id LowCardinality(String),
                event_type LowCardinality(String),
                payload String CODEC(ZSTD(3)),
                severity UInt8,
                ingested_at DateTime64(3) DEFAULT now64(3)
            ) ENGINE = MergeTree
            PARTITION BY toYYYYMM(event_time)
            ORDER BY (event_type, event_time)
            TTL toDateTime(event_time) + INTERVAL 90 DAY
            SETTINGS non_replicated_deduplication_window = 1000""")
        self.server.ok("""
            CREATE TABLE events_per_type (event_type LowCardinality(String), n UInt64)
            ENGINE = SummingMergeTree ORDER BY event_type""")
        self.server.ok("""
            CREATE MATERIALIZED VIEW events_per_type_mv TO events_per_type AS
            SELECT event_type, count() AS n FROM events GROUP BY event_type""")
        self.server.ok("""
            CREATE TABLE latest (id String, v UInt32, ver UInt64)
            ENGINE = ReplacingMergeTree(ver) ORDER BY id""")
        now = time.time()
        rows = b"".join(json.dumps({"event_time": "%.3f" % (now - i), "source_id": "s%d" % (i % 3),
                                    "event_type": "t%d" % (i % 2), "payload": "{}", "severity": i % 5}).encode() + b"\n"
                        for i in range(10))
        _, resp, _ = self.server.query("INSERT INTO events FORMAT JSONEachRow", rows)
        # written_rows includes rows written by the materialized view (ClickHouse semantics)
        summary = self.assertSummary(resp)
        self.assertIn(summary["written_rows"], ("10", "12"))
        self.assertEqual(self.server.ok("SELECT count(), countIf(ingested_at > 0) FROM events"), b"10\t10\n")
        self.assertEqual(self.server.ok("SELECT event_type, sum(n) FROM events_per_type GROUP BY event_type ORDER BY 1"),
                         b"t0\t5\nt1\t5\n")
        # rows older than the TTL are dropped (at insert/merge time)
        self.server.ok("INSERT INTO events FORMAT JSONEachRow",
                       b'{"event_time":"1000000000.000","source_id":"s","event_type":"old","payload":"","severity":0}\n')
        self.server.ok("OPTIMIZE TABLE events FINAL")
        self.assertEqual(self.server.ok("SELECT count() FROM events WHERE event_type = 'old'"), b"0\n")
        self.server.ok("INSERT INTO latest VALUES ('a', 1, 1), ('a', 2, 2), ('b', 1, 1)")
        self.server.ok("INSERT INTO latest VALUES ('a', 3, 3)")
        self.assertEqual(self.server.ok("SELECT id, v FROM latest FINAL ORDER BY id"), b"a\t3\nb\t1\n")

    def test_datetime64_inputs(self):
        self.server.ok("CREATE TABLE dt64 (id UInt8, t DateTime64(3, 'UTC')) ENGINE = MergeTree ORDER BY id")
        rows = b'{"id":1,"t":"1763800000.123"}\n{"id":2,"t":1763800000.123}\n'
        for extra in ({}, {"date_time_input_format": "best_effort"}):
            self.server.ok("TRUNCATE TABLE dt64")
            self.server.ok("INSERT INTO dt64 FORMAT JSONEachRow", rows, **extra)
            self.assertEqual(self.server.ok("SELECT id, toUnixTimestamp64Milli(t) FROM dt64 ORDER BY id"),
                             b"1\t1763800000123\n2\t1763800000123\n", extra)

    def test_dedup_token(self):
        self.server.ok("""CREATE TABLE dedup (a UInt32) ENGINE = MergeTree ORDER BY a
                          SETTINGS non_replicated_deduplication_window = 1000""")
        self.server.ok("CREATE TABLE nodedup (a UInt32) ENGINE = MergeTree ORDER BY a")
        rows = b'{"a":1}\n{"a":2}\n'
        for table, expected in (("dedup", b"4\n"), ("nodedup", b"6\n")):
            for token in ("batch-1", "batch-1", "batch-2"):
                self.server.ok("INSERT INTO %s FORMAT JSONEachRow" % table, rows, insert_deduplication_token=token)
            self.assertEqual(self.server.ok("SELECT count() FROM %s" % table), expected, table)


class TestPersistence(unittest.TestCase):
    def test_data_survives_restart(self):
        tmp = tempfile.mkdtemp(prefix="chdb-server-persist-")
        self.addCleanup(shutil.rmtree, tmp, True)
        data_dir = os.path.join(tmp, "data")

        first = ServerProcess(data_dir, tmp)
        self.addCleanup(first.stop)
        first.start()
        first.ok("CREATE TABLE p (a UInt32, s String) ENGINE = MergeTree ORDER BY a "
                 "SETTINGS non_replicated_deduplication_window = 100")
        first.ok("INSERT INTO p FORMAT JSONEachRow", b'{"a":1,"s":"x"}\n{"a":2,"s":"y"}\n',
                 insert_deduplication_token="tok-1")
        self.assertEqual(first.stop(), 0)

        second = ServerProcess(data_dir, tmp)
        self.addCleanup(second.stop)
        second.start()
        self.assertEqual(second.ok("SELECT a, s FROM p ORDER BY a"), b"1\tx\n2\ty\n")
        # the deduplication log survives the restart too
        second.ok("INSERT INTO p FORMAT JSONEachRow", b'{"a":1,"s":"x"}\n{"a":2,"s":"y"}\n',
                  insert_deduplication_token="tok-1")
        self.assertEqual(second.ok("SELECT count() FROM p"), b"2\n")
        self.assertEqual(second.stop(), 0)

    def test_port_in_use(self):
        import socket
        s = socket.socket()
        self.addCleanup(s.close)
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        tmp = tempfile.mkdtemp(prefix="chdb-server-port-")
        self.addCleanup(shutil.rmtree, tmp, True)
        proc = subprocess.run([sys.executable, SERVER, "--port", str(port), "--data-dir", os.path.join(tmp, "d")],
                              capture_output=True, timeout=60)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn(("127.0.0.1:%d" % port).encode(), proc.stderr)


if __name__ == "__main__":
    unittest.main()
