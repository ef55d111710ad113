"""Integration harness: a real `grantd serve` on a free loopback port with a fresh database
per test (SQLite; PostgreSQL with GRANTD_TEST_DB=postgres), driven over HTTP by real
clients (python3-requests, raw sockets).

The server picks its own port (--listen 127.0.0.1:0) and prints the address it bound on
stdout ("grantd listening on http://127.0.0.1:PORT, issuer URL", then ", admin URL" when the
admin listener is on: srv.admin_url), so parallel runs never race for ports. On teardown the
server gets SIGTERM and must exit 0: under ASan+UBSan that also catches leaks and undefined behaviour at shutdown.

The binary is grantd-test (GRANTD_BIN; ctest sets it): grantd plus a test clock. Every
grantd a test starts, server or CLI, reads its time offset from the test's `clock` file, so
a test moves time with clock.advance(seconds) instead of sleeping out a lifetime (the rule
of this project). GRANTD_PRODUCTION_BIN is the grantd that has no such clock.

With GRANTD_TEST_DB=postgres every server and db_url fixture gets a fresh database in one
private PostgreSQL cluster the session makes (pg_cluster.py; stopped and removed at the
end), the master key comes from GRANTD_MASTER_KEY (PostgreSQL has no key file beside the
database), and the tests about SQLite itself (its file, its key file) are skipped through
the `sqlite_only` marker, which says why. Databases are named by the SQLite path they stand
for, so two servers of one workdir share one database on either driver."""
import json
import os
import re
import signal
import struct
import subprocess
import threading
import time
from pathlib import Path

import pytest

import pg_cluster

ROOT = Path(__file__).resolve().parents[2]
GRANTD = os.environ.get("GRANTD_BIN", str(ROOT / "build" / "grantd-test"))
GRANTD_PRODUCTION = os.environ.get("GRANTD_PRODUCTION_BIN", str(Path(GRANTD).with_name("grantd")))
ARTIFACTS = ROOT / "tests" / "artifacts"
ON_PG = os.environ.get("GRANTD_TEST_DB", "sqlite") == "postgres"
# the master key of every server of a PostgreSQL run (base64 of 32 bytes; test data)
PG_MASTER_KEY = "Z3JhbnRkLWludGVncmF0aW9uLXRlc3RzLW9uLXBnLTE="
_cluster = None      # the session's pg_cluster.Cluster on PostgreSQL runs
_pg_databases = {}   # SQLite path a database stands for -> its PostgreSQL name


def sqlite_only(reason):
    """Marks a test about SQLite itself (its file, its modes, its key file): skipped on a
    PostgreSQL run, with reason."""
    return pytest.mark.skipif(ON_PG, reason=f"SQLite only: {reason}")


def database_url(sqlite_path):
    """The URL of the suite's database for sqlite_path: that file on SQLite, or the
    PostgreSQL database that stands for it (made on first use) on a PostgreSQL run."""
    if not ON_PG:
        return f"sqlite:{sqlite_path}"
    key = str(sqlite_path)
    if key not in _pg_databases:
        _pg_databases[key] = _cluster.new_database()
    return _cluster.url(_pg_databases[key])


def pg_database_of(db_url):
    """The PostgreSQL database name in a URL database_url made."""
    return db_url.split("?", 1)[0].rsplit("/", 1)[1]


def run_cli(db_url, *args, input=None, env=None, check=True, binary=None):
    """Runs `grantd ARGS --db DB_URL` (binary: another grantd than GRANTD) and returns the
    CompletedProcess. With a `--` in ARGS (what follows is positional, e.g. a KID that
    starts with '-'), --db goes before it."""
    args = list(args)
    end = args.index("--") if "--" in args else len(args)
    cmd = [binary or GRANTD, *args[:end]]
    if db_url is not None:
        cmd += ["--db", db_url]
    cmd += args[end:]
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run(cmd, input=input, capture_output=True, text=True, env=full_env,
                          timeout=60)
    if check and proc.returncode != 0:
        raise AssertionError(f"{cmd} exited {proc.returncode}: {proc.stderr}")
    return proc


def db_bytes(path, suffixes=("", "-wal")):
    """What a SQLite database holds, as bytes: the file and its write-ahead log (not the -shm
    index, which readers write to). For checks of how something is stored, or that nothing
    was, without reading rows with a driver of our own."""
    data = b""
    for suffix in suffixes:
        p = Path(str(path) + suffix)
        if p.exists():
            data += p.read_bytes()
    return data


def serve_first_line(tmp_path, *args):
    """Starts `grantd serve` on a fresh database with args, reads the first line it prints
    on stdout, stops it (SIGTERM) and returns (line, stderr). The exit must be 0."""
    proc = subprocess.Popen([GRANTD, "serve", "--listen", "127.0.0.1:0", *args, "--db",
                             f"sqlite:{tmp_path}/grantd.db"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    return line, err


class Server:
    """One running `grantd serve`; .url is its base URL, .log its stderr lines so far."""

    def __init__(self, workdir, config_text=None, extra_args=(), env=None, binary=None):
        self.binary = binary or GRANTD
        self.workdir = Path(workdir)
        self.db_path = self.workdir / "grantd.db"
        self.db_url = database_url(self.db_path)
        self.config_text = config_text
        self.extra_args = list(extra_args)
        self.env = env or {}
        self.proc = None
        self.url = None
        self.port = None
        self._stderr = []
        self._reader = None

    def cli(self, *args, **kw):
        return run_cli(self.db_url, *args, binary=self.binary, **kw)

    def stored_bytes(self):
        """What the database holds, as bytes (see db_bytes; on PostgreSQL, pg_cluster's
        dump)."""
        if ON_PG:
            return _cluster.dump(pg_database_of(self.db_url))
        return db_bytes(self.db_path)

    # Behind grantd's back. The two methods below are the only place the suite talks to a
    # database without grantd: for tests of how grantd meets a database it did not write
    # itself (a hand edit, an older or newer grantd), which neither the CLI nor the server
    # can produce. Only they (and stored_bytes) know the driver: SQLite, or PostgreSQL
    # through pg_cluster's psql; every test stays as it is.

    def tamper_sql(self, sql, params=()):
        """Runs one SQL statement (? placeholders) on the database, as a hand edit would."""
        if ON_PG:
            _cluster.run_sql(pg_database_of(self.db_url), sql, params)
            return
        import sqlite3
        con = sqlite3.connect(self.db_path)
        try:
            con.execute(sql, params)
            con.commit()
        finally:
            con.close()

    def tamper_schema_version(self, version):
        """Marks the database as having schema version `version`, as a grantd of another
        version would have left it."""
        if ON_PG:
            self.tamper_sql(f"INSERT INTO grantd_schema (version) VALUES ({int(version)})")
            return
        self.tamper_sql(f"PRAGMA user_version = {int(version)}")

    def start(self):
        cmd = [self.binary, "serve", "--listen", "127.0.0.1:0", "--db", self.db_url,
               *self.extra_args]
        if self.config_text is not None:
            cfg = self.workdir / "grantd.conf"
            cfg.write_text(self.config_text)
            cmd += ["--config", str(cfg)]
        env = dict(os.environ)
        env.update(self.env)
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env=env)
        self._reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._reader.start()
        line = self._readline_with_timeout(20)
        # "grantd listening on http://127.0.0.1:PORT, issuer URL[, admin http://HOST:PORT]"
        m = re.search(r"^grantd listening on http://\S+:(\d+), issuer \S+?"
                      r"(?:, admin (http://\S+))?$", line or "")
        if not m:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self._reader.join(timeout=10)  # all of stderr read: the message says why
            raise AssertionError(f"grantd did not start: {line!r}\n{self.log_text()}")
        self.port = int(m.group(1))
        self.url = f"http://127.0.0.1:{self.port}"
        self.admin_url = m.group(2)  # None unless the admin listener is on
        return self

    def _readline_with_timeout(self, seconds):
        result = []
        t = threading.Thread(target=lambda: result.append(self.proc.stdout.readline()),
                             daemon=True)
        t.start()
        t.join(seconds)
        return result[0] if result else None

    def _read_stderr(self):
        for line in self.proc.stderr:
            self._stderr.append(line)

    def log_text(self):
        return "".join(self._stderr)

    def log_events(self):
        events = []
        for line in list(self._stderr):
            try:
                events.append(json.loads(line))
            except ValueError:
                pass
        return events

    def wait_event(self, name, timeout=10):
        """The first log event called name; waits for the stderr reader to catch up."""
        found = self.wait_log(lambda e: e.get("event") == name, timeout=timeout)
        return found[0] if found else None

    def wait_log(self, match, count=1, timeout=10):
        """The log events for which match(event) holds, once there are count of them.
        grantd writes a request's line before it answers, but our stderr reader thread may
        not have read it yet when the answer arrives: anything that reads the log waits."""
        deadline = time.monotonic() + timeout
        while True:
            found = [e for e in self.log_events() if match(e)]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.02)

    def wait_request(self, path, count=1, timeout=10):
        """The request lines for path, once there are count of them."""
        return self.wait_log(lambda e: e.get("event") == "request" and e.get("path") == path,
                             count, timeout)

    def stop(self):
        if not self.proc or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("grantd did not stop within 30 s of SIGTERM")
        self._reader.join(5)
        return code


class Clock:
    """The test clock: an offset in microseconds that grantd-test adds to every wall-clock
    and monotonic reading (src/core/clock.h). The file holds one native-endian int64; each
    grantd-test process maps it once and reads it without a system call, so rewriting the
    8 bytes in place moves every running server and every later CLI command of the test at
    once. Time only moves forward, as it does for a server in production."""

    def __init__(self, path):
        self.path = Path(path)
        self.offset_us = 0
        self.path.write_bytes(struct.pack("=q", 0))

    def time(self):
        """Unix seconds as grantd-test reads them now, for a Python client that must share
        the servers' clock (monkeypatch a library's `time` module name with this object)."""
        return time.time() + self.offset_us / 1_000_000

    def advance(self, seconds):
        """Moves the clock seconds (> 0, fractions allowed) ahead. Nothing waits: the next
        reading of every grantd-test process of this test is that much later."""
        assert seconds > 0, "the test clock only moves forward"
        self.offset_us += round(seconds * 1_000_000)
        fd = os.open(self.path, os.O_WRONLY)
        try:
            assert os.pwrite(fd, struct.pack("=q", self.offset_us), 0) == 8
        finally:
            os.close(fd)


def _clients_follow(clock, monkeypatch):
    """The real client libraries judge expiry with their own clocks (authlib and oauthlib a
    token's expires_at, PyJWT a JWT's iat and exp): they read the test clock too, so that
    after clock.advance() they and the servers agree on what time it is."""
    import datetime
    import jwt.api_jwt
    import authlib.oauth2.rfc6749.wrappers
    import oauthlib.oauth2.rfc6749.clients.base
    import oauthlib.oauth2.rfc6749.parameters

    class ShiftedDatetime(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.datetime.now(tz) + datetime.timedelta(microseconds=clock.offset_us)

    monkeypatch.setattr(jwt.api_jwt, "datetime", ShiftedDatetime)
    for module in (authlib.oauth2.rfc6749.wrappers, oauthlib.oauth2.rfc6749.clients.base,
                   oauthlib.oauth2.rfc6749.parameters):
        monkeypatch.setattr(module, "time", clock)


@pytest.fixture(scope="session", autouse=True)
def pg_session():
    """On a PostgreSQL run: the session's cluster, stopped and removed at the end (also when
    the session fails; pg_cluster registers atexit and SIGTERM too), and the master key in
    the environment of everything the suite starts."""
    global _cluster
    if not ON_PG:
        yield None
        return
    why = pg_cluster.available()
    if why:
        pytest.exit(f"GRANTD_TEST_DB=postgres: {why}", returncode=1)
    _cluster = pg_cluster.start_cluster()
    os.environ.setdefault("GRANTD_MASTER_KEY", PG_MASTER_KEY)
    try:
        yield _cluster
    finally:
        _cluster.stop()
        _cluster = None


@pytest.fixture(autouse=True)
def clock(tmp_path_factory, monkeypatch):
    """Every test has its own clock, at offset 0 until the test advances it; the variable is
    in the environment of everything the test starts (kept out of tmp_path, which some
    tests list), and the Python client libraries read it too."""
    c = Clock(tmp_path_factory.mktemp("clock") / "offset")
    monkeypatch.setenv("GRANTD_TEST_CLOCK", str(c.path))
    _clients_follow(c, monkeypatch)
    return c


@pytest.fixture
def make_server(tmp_path):
    """Factory: make_server(config_text=None, extra_args=(), env=None) -> started Server
    (defer_start=True: not yet started, so that srv.cli can prepare its database first;
    binary: another grantd than GRANTD). Every server it made must exit 0 on SIGTERM at
    teardown."""
    servers = []

    def factory(config_text=None, extra_args=(), env=None, workdir=None, defer_start=False,
                binary=None):
        srv = Server(workdir or tmp_path, config_text, extra_args, env, binary)
        servers.append(srv)
        return srv if defer_start else srv.start()

    yield factory
    for srv in servers:
        code = srv.stop()
        assert code == 0, f"grantd exited {code} at shutdown:\n{srv.log_text()[-4000:]}"


@pytest.fixture
def db_url(tmp_path):
    """db_url(name="grantd") -> the URL of a database of the suite's driver that no grantd
    has opened yet (SQLite: tmp_path/NAME.db; PostgreSQL: a fresh database, the same one
    for the same name), for CLI commands without a server. Servers get theirs from
    make_server (srv.db_url)."""
    return lambda name="grantd": database_url(f"{tmp_path / name}.db")


@pytest.fixture
def server(make_server):
    return make_server()


def create_client(srv, *args):
    """Creates a client through the CLI and returns its JSON description (with secret)."""
    out = srv.cli("client", "create", "--json", *args).stdout
    return json.loads(out)


def within(seconds, predicate, step=0.005):
    """Whether predicate() holds within seconds (polled; never a fixed sleep)."""
    deadline = time.monotonic() + seconds
    while True:
        if predicate():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(step)
