"""The locked-down side of stack/chdb_server.py: one statement per request, read-only GET,
no table functions or clauses that reach outside the database, optional login, HTTPS.

Run from the repository root:
    .rsbench/venv/bin/python -m unittest stack/test_chdb_lockdown.py -v

`TestInspectStatement` needs no server (the checker is a pure function); the other classes start
the server as a subprocess like test_chdb_server.py does and stop exactly that process.
"""

from __future__ import annotations

import base64
import glob
import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import chdb_server  # noqa: E402
from test_chdb_server import ServerProcess  # noqa: E402


def refused(sql: str, post: bool = True):
    err = chdb_server.inspect_statement(sql.encode(), post)
    return (err.code, err.text) if err else None


class TestInspectStatement(unittest.TestCase):
    REFUSED = [
        # (sql, method is POST, expected code, text that must be in the message)
        ("SELECT * FROM file('/etc/passwd', 'LineAsString')", True, 497, "file()"),
        ("SELECT * FROM file('/etc/passwd')", False, 497, "file()"),
        ("select * from `file` ('x')", True, 497, "file()"),
        ('SELECT * FROM "url" (\'http://127.0.0.1:1/\', CSV)', True, 497, "url()"),
        ("SELECT * FROM FILE /* comment */ ('x')", True, 497, "FILE()"),
        ("SELECT * FROM s3('http://127.0.0.1/b/k')", True, 497, "s3()"),
        ("SELECT * FROM hdfs('hdfs://h/p', 'TSV')", True, 497, "hdfs()"),
        ("SELECT * FROM remote('127.0.0.1:9000', system.one)", True, 497, "remote()"),
        ("SELECT * FROM remoteSecure('127.0.0.1:9440', system.one)", True, 497, "remoteSecure()"),
        ("SELECT * FROM clusterAllReplicas('c', system.one)", True, 497, "clusterAllReplicas()"),
        ("INSERT INTO t SELECT * FROM input('a UInt8') FORMAT CSV 1\n", True, 497, "input()"),
        ("SELECT * FROM mysql('127.0.0.1:3306', 'd', 't', 'u', 'p')", True, 497, "mysql()"),
        ("SELECT * FROM executable('x.sh', TSV, 'a UInt8')", True, 497, "executable()"),
        ("SELECT * FROM Python(df)", True, 497, "Python()"),
        ("SELECT file('/etc/passwd')", True, 497, "file()"),
        ("INSERT INTO FUNCTION file('/tmp/out.tsv', TSV, 'a UInt8') VALUES (1)", True, 497, "file()"),
        ("INSERT INTO t VALUES (file('/etc/hostname'))", True, 497, "file()"),
        ("INSERT INTO t SELECT 1 AS format FROM file('x')", True, 497, "file()"),
        ("CREATE TABLE x (a UInt8) ENGINE = File(TSV)", True, 497, "File()"),
        ("CREATE TABLE x (a String) ENGINE = URL('http://127.0.0.1:1/', CSV)", True, 497, "URL()"),
        ("SELECT 1 INTO OUTFILE '/tmp/x.tsv'", True, 497, "INTO OUTFILE"),
        ("SELECT 1 into outfile '/tmp/x.tsv' FORMAT TSV", False, 497, "INTO OUTFILE"),
        ("INSERT INTO t FROM INFILE '/etc/passwd' FORMAT LineAsString", True, 497, "FROM INFILE"),
        ("SYSTEM SHUTDOWN", True, 497, "SYSTEM"),
        ("system flush logs", True, 497, "SYSTEM"),
        ("ATTACH TABLE t", True, 497, "ATTACH"),
        ("DETACH TABLE t", True, 497, "DETACH"),
        ("KILL QUERY WHERE 1", True, 497, "KILL"),
        ("BACKUP TABLE t TO Disk('backups', '1.zip')", True, 497, "BACKUP"),
        ("SELECT 1; DROP TABLE t", True, 62, "Multi-statements are not allowed"),
        ("SELECT 1;SELECT 2", False, 62, "Multi-statements are not allowed"),
        ("SELECT ';'; SELECT 2", True, 62, "Multi-statements are not allowed"),
        ("CREATE TABLE x (a UInt8) ENGINE = Memory", False, 164, "readonly"),
        ("INSERT INTO t VALUES (1)", False, 164, "readonly"),
        ("DROP TABLE t", False, 164, "readonly"),
        ("SET max_threads = 1", False, 164, "readonly"),
        ("ALTER TABLE t DELETE WHERE 1", False, 164, "readonly"),
    ]

    ACCEPTED = [
        ("SELECT 1", False),
        ("SELECT 1;", False),
        ("SELECT 1; -- a trailing comment; file('x')\n", False),
        ("SELECT ';', 'file(', 'INTO OUTFILE'", False),
        ("SELECT 'it''s; file(''x'')'", False),
        ("SELECT 'a\\';file(' ", False),
        ("SELECT $$;file('x')$$, $t$ ; $t$", False),
        ("SELECT 1 /* ; file('x') */", False),
        ("SELECT \"file\" FROM t", False),
        ("SELECT url, file FROM t WHERE url = 'file(x)'", False),
        ("WITH 1 AS a SELECT a", False),
        ("(SELECT 1)", False),
        ("SHOW TABLES", False),
        ("DESCRIBE TABLE t", False),
        ("EXISTS TABLE t", False),
        ("EXPLAIN SELECT 1", False),
        ("SELECT sum(number) FROM numbers(101)", False),
        ("SELECT * FROM system.parts WHERE active", False),
        ('INSERT INTO t FORMAT JSONEachRow {"a":"x; file(\'/etc/passwd\'); SELECT 2"}\n', True),
        ("INSERT INTO t FORMAT TSV a;b\tINTO OUTFILE\n", True),
        ("INSERT INTO t (a, format) SETTINGS async_insert=0 FORMAT CSV 1,2\n", True),
        ("INSERT INTO t VALUES (1, 'a;b')", True),
        ("INSERT INTO t SELECT * FROM s", True),
        ("CREATE TABLE t (a UInt8) ENGINE = ReplacingMergeTree ORDER BY a", True),
        ("CREATE MATERIALIZED VIEW v TO t AS SELECT a FROM s", True),
        ("ALTER TABLE t ADD COLUMN IF NOT EXISTS b String", True),
        ("DROP DATABASE IF EXISTS d", True),
        ("SET max_threads = 1", True),
        ("OPTIMIZE TABLE t FINAL", True),
    ]

    def test_refused_forms(self):
        for sql, post, code, text in self.REFUSED:
            with self.subTest(sql=sql, post=post):
                r = refused(sql, post)
                self.assertIsNotNone(r, sql)
                self.assertEqual(r[0], code, r[1])
                self.assertIn(text, r[1])
                self.assertTrue(r[1].startswith("Code: %d. DB::Exception: " % code), r[1])

    def test_accepted_forms(self):
        for sql, post in self.ACCEPTED:
            with self.subTest(sql=sql, post=post):
                self.assertIsNone(refused(sql, post))

    def test_every_project_query_is_accepted(self):
        """Every SQL string literal in Sources/ (interpolations replaced by a name) passes the POST checks."""
        literal = re.compile(r'"""\n(.*?)"""|"((?:[^"\\\n]|\\.)*)"', re.S)
        statement = re.compile(r"^\s*\(?\s*(SELECT|WITH|INSERT|CREATE|ALTER|DROP|SHOW|DESCRIBE|EXISTS|OPTIMIZE|"
                               r"TRUNCATE|RENAME|USE)\b", re.I)
        interpolation = re.compile(r"\\\((?:[^()]|\([^()]*\))*\)")
        files = glob.glob(os.path.join(ROOT, "Sources", "**", "*.swift"), recursive=True)
        self.assertTrue(files)
        seen = 0
        for path in files:
            with open(path, encoding="utf-8") as f:
                text = f.read()
            for m in literal.finditer(text):
                sql = m.group(1) if m.group(1) is not None else m.group(2)
                if not statement.match(sql):
                    continue
                seen += 1
                sql = interpolation.sub("x", sql)
                with self.subTest(file=os.path.relpath(path, ROOT), sql=sql[:80]):
                    self.assertIsNone(refused(sql, True))
        self.assertGreater(seen, 20)


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   timeout=60)


def make_ca_and_server_cert(directory: str, name: str = "ca"):
    """A CA and a certificate for 127.0.0.1 signed by it; returns (ca.pem, server.pem, server.key)."""
    ca_key, ca_pem = name + ".key", name + ".pem"
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca_pem, "-days", "2",
            "-subj", "/CN=rs test " + name, cwd=directory)
    if name != "ca":
        return os.path.join(directory, ca_pem), None, None
    with open(os.path.join(directory, "san.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
            "-subj", "/CN=127.0.0.1", cwd=directory)
    openssl("x509", "-req", "-in", "server.csr", "-CA", ca_pem, "-CAkey", ca_key, "-CAcreateserial",
            "-out", "server.pem", "-days", "2", "-extfile", "san.ext", cwd=directory)
    return tuple(os.path.join(directory, n) for n in (ca_pem, "server.pem", "server.key"))


class TestLoginAndTLS(unittest.TestCase):
    """The server with HTTPS and a required user/password (password by environment, not argv)."""

    PASSWORD = "s3cr3t-Pa55"

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="chdb-lockdown-test-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        cls.ca, cert, key = make_ca_and_server_cert(cls.tmp)
        cls.other_ca, _, _ = make_ca_and_server_cert(cls.tmp, "other")
        ctx = ssl.create_default_context(cafile=cls.ca)
        env = dict(os.environ, CHDB_SERVER_PASSWORD=cls.PASSWORD)
        cls.server = ServerProcess(os.path.join(cls.tmp, "data"), cls.tmp,
                                   extra_args=["--user", "rs", "--tls-cert", cert, "--tls-key", key],
                                   env=env, ssl_context=ctx)
        cls.addClassCleanup(cls.server.stop)
        cls.server.start()

    def get(self, sql, headers=None, **params):
        q = urllib.parse.urlencode(dict(params, query=sql))
        return self.server.request("GET", "/?" + q, headers=headers)

    def test_password_not_in_argv(self):
        with open("/proc/%d/cmdline" % self.server.proc.pid, "rb") as f:
            self.assertNotIn(self.PASSWORD.encode(), f.read())

    def test_ping_needs_no_login(self):
        status, _, body = self.server.request("GET", "/ping")
        self.assertEqual((status, body), (200, b"Ok.\n"))

    def test_every_way_to_log_in(self):
        basic = base64.b64encode(("rs:" + self.PASSWORD).encode()).decode()
        for headers, params in [({"X-ClickHouse-User": "rs", "X-ClickHouse-Key": self.PASSWORD}, {}),
                                ({"Authorization": "Basic " + basic}, {}),
                                ({}, {"user": "rs", "password": self.PASSWORD})]:
            with self.subTest(headers=list(headers), params=list(params)):
                status, _, body = self.get("SELECT 40 + 2", headers, **params)
                self.assertEqual((status, body), (200, b"42\n"))

    def test_wrong_or_missing_credentials(self):
        wrong = base64.b64encode(b"rs:nope").decode()
        for headers, params in [({}, {}),
                                ({"X-ClickHouse-User": "rs", "X-ClickHouse-Key": "nope"}, {}),
                                ({"X-ClickHouse-User": "default", "X-ClickHouse-Key": self.PASSWORD}, {}),
                                ({"Authorization": "Basic " + wrong}, {}),
                                ({"Authorization": "Basic !!notbase64"}, {}),
                                ({}, {"user": "rs", "password": ""})]:
            with self.subTest(headers=headers, params=params):
                status, resp, body = self.get("SELECT 1", headers, **params)
                self.assertEqual(status, 401, body)
                self.assertEqual(resp.getheader("X-ClickHouse-Exception-Code"), "516")
                self.assertIn(b"Authentication failed", body)
                self.assertNotIn(self.PASSWORD.encode(), body)

    def test_refused_statement_over_https(self):
        status, resp, body = self.get("SELECT * FROM file('/etc/passwd')", user="rs", password=self.PASSWORD)
        self.assertEqual(status, 500)
        self.assertEqual(resp.getheader("X-ClickHouse-Exception-Code"), "497")
        self.assertNotIn(b"root:", body)
        status, resp, _ = self.server.query("SELECT 1; SELECT 2", user="rs", password=self.PASSWORD)
        self.assertEqual(resp.getheader("X-ClickHouse-Exception-Code"), "62")

    def test_wrong_ca_is_refused_by_the_client(self):
        import http.client
        c = http.client.HTTPSConnection("127.0.0.1", self.server.port, timeout=10,
                                        context=ssl.create_default_context(cafile=self.other_ca))
        with self.assertRaises(ssl.SSLCertVerificationError):
            c.request("GET", "/ping")
        c.close()
        # The server keeps serving after the failed handshake.
        status, _, _ = self.server.request("GET", "/ping")
        self.assertEqual(status, 200)


class TestRefusedOverHttp(unittest.TestCase):
    """Refusals end to end on the plain server: nothing is read, written or run."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="chdb-lockdown-http-")
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        cls.server = ServerProcess(os.path.join(cls.tmp, "data"), cls.tmp)
        cls.addClassCleanup(cls.server.stop)
        cls.server.start()
        cls.server.ok("CREATE TABLE keep (a UInt8) ENGINE = MergeTree ORDER BY a")
        cls.server.ok("INSERT INTO keep VALUES (1)")

    def test_get_file_read_refused(self):
        q = urllib.parse.urlencode({"query": "SELECT * FROM file('/etc/passwd', 'LineAsString')"})
        status, resp, body = self.server.request("GET", "/?" + q)
        self.assertEqual(resp.getheader("X-ClickHouse-Exception-Code"), "497")
        self.assertNotIn(b"root:", body)

    def test_into_outfile_writes_nothing(self):
        target = os.path.join(self.tmp, "out.tsv")
        status, resp, _ = self.server.query("SELECT 1 INTO OUTFILE '%s'" % target)
        self.assertEqual(resp.getheader("X-ClickHouse-Exception-Code"), "497")
        self.assertFalse(os.path.exists(target))

    def test_multi_statement_runs_nothing(self):
        q = urllib.parse.urlencode({"query": "SELECT 1; DROP TABLE keep"})
        status, resp, _ = self.server.request("GET", "/?" + q)
        self.assertEqual(resp.getheader("X-ClickHouse-Exception-Code"), "62")
        status, _, _ = self.server.query("SELECT 1; DROP TABLE keep")
        self.assertEqual(self.server.ok("SELECT count() FROM keep"), b"1\n")

    def test_literals_that_look_refused_still_run(self):
        self.assertEqual(self.server.ok("SELECT 'a;b', 'file(x)'"), b"a;b\tfile(x)\n")
        self.server.ok("CREATE TABLE IF NOT EXISTS lit (s String) ENGINE = MergeTree ORDER BY s")
        self.server.ok("INSERT INTO lit FORMAT JSONEachRow", b'{"s":"x; SELECT file(\'/etc/passwd\')"}\n')
        self.assertEqual(self.server.ok("SELECT s FROM lit"), b"x; SELECT file(\\'/etc/passwd\\')\n")

    def test_no_login_configured_accepts_any(self):
        self.assertEqual(self.server.ok("SELECT 1", user="anyone", password="x"), b"1\n")


if __name__ == "__main__":
    unittest.main()
