"""A private PostgreSQL cluster for the integration suite (GRANTD_TEST_DB=postgres, and
test_instances_pg.py always): what tests/pg/cluster does for one command, as an object a
pytest session holds. initdb as the postgres user (runuser when we are root), trust
authentication, a free 127.0.0.1 port, the socket in the cluster's own temporary
directory (on tmpfs when there is room: _scratch); stop() (fast: immediate) and the
directory's removal run at the session's end, and at exit or SIGTERM if the session dies
before.

What it gives the harness: a fresh database per grantd server (new_database), and the
suite's only ways behind grantd's back into a PostgreSQL database, through psql:
run_sql (a hand edit) and dump (what the database holds, for "is this secret stored?").
pause()/resume() stop and start the server on its port, for the fault tests.

Not here: anything of grantd's schema (grantd migrates its own databases), psycopg (not a
test dependency: psql is in the server package)."""
import atexit
import itertools
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile

PG_BIN = os.environ.get("GRANTD_PG_BIN", "/usr/lib/postgresql/15/bin")


def available():
    """Why a cluster cannot be made here, or None when it can."""
    if not os.path.exists(os.path.join(PG_BIN, "initdb")):
        return f"no initdb in {PG_BIN} (scripts/deps --test installs postgresql)"
    try:
        pw = pwd.getpwnam("postgres")
    except KeyError:
        return "no postgres user"
    if os.geteuid() not in (0, pw.pw_uid):
        return "the cluster needs root (runuser) or the postgres user"
    return None


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _literal(value):
    """A Python value as a SQL literal, for run_sql's parameters (test data, never input)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (bytes, bytearray)):
        return f"'\\x{bytes(value).hex()}'::bytea"
    return "'" + str(value).replace("'", "''") + "'"


def _scratch():
    """Where the cluster lives: /dev/shm (tmpfs) when it has room, else the temporary
    directory. The suite makes a database per server, some 600 of ~8 MB and 300 files each:
    on a disk shared with other work, removing them at the end alone took minutes (enough to
    time the run out), on tmpfs it takes a second. None: tempfile's default."""
    try:
        st = os.statvfs("/dev/shm")
        if st.f_bavail * st.f_frsize >= 8 << 30:
            return "/dev/shm"
    except OSError:
        pass
    return None


class Cluster:
    def __init__(self):
        self._pw = pwd.getpwnam("postgres")
        self.tmp = tempfile.mkdtemp(prefix="grantd-itest-pg-", dir=_scratch())
        self.data = os.path.join(self.tmp, "data")
        self.log = os.path.join(self.tmp, "log")
        self.port = None
        self.running = False
        self._names = itertools.count(1)
        atexit.register(self.stop)

    def _as_postgres(self, args, **kw):
        if os.geteuid() != self._pw.pw_uid:
            args = ["runuser", "-u", "postgres", "--"] + args
        return subprocess.run(args, check=True, **kw)

    def _pg_ctl(self, *args):
        self._as_postgres([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-w", *args],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)

    def start(self):
        os.chown(self.tmp, self._pw.pw_uid, self._pw.pw_gid)
        os.chmod(self.tmp, 0o700)
        self._as_postgres([os.path.join(PG_BIN, "initdb"), "-D", self.data, "-A", "trust",
                           "-U", "postgres", "-E", "UTF8", "--no-sync"],
                          stdout=subprocess.DEVNULL, timeout=120)
        self.port = _free_port()
        self.resume()
        return self

    def resume(self):
        """Starts the server (again) on the same port."""
        opts = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -k {self.tmp} "
                "-c fsync=off -c synchronous_commit=off -c max_connections=400")
        self.running = True
        self._pg_ctl("-l", self.log, "-o", opts, "start")

    def pause(self):
        """Stops the server (fast shutdown: sessions are cut); resume() starts it again."""
        self._pg_ctl("-m", "fast", "stop")

    def stop(self):
        if self.running:
            self.running = False
            try:
                self._pg_ctl("-m", "immediate", "stop")
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
                pass
        shutil.rmtree(self.tmp, ignore_errors=True)

    def url(self, db):
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}?connect_timeout=5"

    def new_database(self, prefix="g"):
        """A fresh, empty database's name."""
        name = f"{prefix}{next(self._names)}"
        self.psql("postgres", f"CREATE DATABASE {name}")
        return name

    def psql(self, db, sql):
        p = subprocess.run([os.path.join(PG_BIN, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                            "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", db,
                            "-At", "-c", sql], capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise AssertionError(f"psql {sql!r}: {p.stderr}")
        return p.stdout

    def run_sql(self, db, sql, params=()):
        """One statement with SQLite-style ? placeholders filled with params as literals."""
        parts = sql.split("?")
        assert len(parts) == len(params) + 1, "one parameter per ?"
        text = parts[0] + "".join(_literal(v) + rest for v, rest in zip(params, parts[1:]))
        return self.psql(db, text)

    def dump(self, db):
        """What the database holds, as bytes: pg_dump's data, with every bytea value also
        decoded (the dump writes them as hex), so a secret stored in either form shows.
        Equal dumps mean equal contents (nothing in it varies from one dump to the next)."""
        p = subprocess.run([os.path.join(PG_BIN, "pg_dump"), "--data-only", "-h", "127.0.0.1",
                            "-p", str(self.port), "-U", "postgres", db], capture_output=True,
                           timeout=60, check=True)
        # less the comments and pg_dump's \restrict key, which is random per dump
        data = b"".join(line for line in p.stdout.splitlines(keepends=True)
                        if not line.startswith((b"--", b"\\restrict", b"\\unrestrict")))
        for m in re.finditer(rb"\\\\x([0-9a-f]+)", data):
            data += b"\n" + bytes.fromhex(m.group(1).decode())
        return data


def _stop_on_signal(cluster):
    previous = signal.getsignal(signal.SIGTERM)

    def handler(signum, frame):
        cluster.stop()
        if callable(previous):
            previous(signum, frame)
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


def start_cluster():
    c = Cluster()
    try:
        c.start()
    except BaseException:
        c.stop()
        raise
    _stop_on_signal(c)
    return c
