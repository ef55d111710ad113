"""`grantd backup --to PATH` (SQLite): a consistent copy of a database while a server keeps
writing tokens to it, which `grantd serve` opens as a restore and where every token answered
before the backup started is still active; the copy's mode, the master key left out unless
--with-key, and the refusals (an existing PATH, the database itself, a PostgreSQL URL).

The load is bounded (LOAD_THREADS keep-alive clients, at most PER_THREAD requests each) and on
loopback. SQLite only: PostgreSQL is backed up with pg_dump (docs/deploy.md)."""
import json
import os
import sqlite3
import stat
import subprocess
import threading
import time

import requests

from conftest import GRANTD, create_client, run_cli, sqlite_only
from test_tokens import introspect_json

LOAD_THREADS = 4
PER_THREAD = 3000


def cc_client(srv):
    return create_client(srv, "--name", "Service", "--grant", "client_credentials",
                         "--scope", "orders", "--access-token-format", "opaque")


class Load:
    """LOAD_THREADS threads asking /token for client-credentials tokens until stopped;
    .tokens holds every token answered 200, in the order the answers arrived."""

    def __init__(self, srv, client):
        self.tokens, self.errors = [], []
        self.lock, self.stop = threading.Lock(), threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(srv, client), daemon=True)
                        for _ in range(LOAD_THREADS)]
        for t in self.threads:
            t.start()

    def _run(self, srv, client):
        http = requests.Session()
        http.auth = (client["client_id"], client["client_secret"])
        for _ in range(PER_THREAD):
            if self.stop.is_set():
                return
            r = http.post(srv.url + "/token", data={"grant_type": "client_credentials"},
                          timeout=15)
            with self.lock:
                if r.status_code == 200:
                    self.tokens.append(r.json()["access_token"])
                else:
                    self.errors.append((r.status_code, r.text[:200]))

    def answered(self):
        with self.lock:
            return list(self.tokens)

    def wait_for(self, count, timeout=20):
        deadline = time.monotonic() + timeout
        while len(self.answered()) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return len(self.answered()) >= count

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(30)
        assert not any(t.is_alive() for t in self.threads)
        assert not self.errors, self.errors[:5]


@sqlite_only("grantd backup copies SQLite databases; PostgreSQL's is pg_dump")
def test_backup_under_token_load_restores_every_answered_token(make_server, tmp_path):
    srv = make_server()
    client = cc_client(srv)
    restore_dir = tmp_path / "restore"
    restore_dir.mkdir()
    copy = restore_dir / "grantd.db"
    load = Load(srv, client)
    try:
        assert load.wait_for(200), f"only {len(load.answered())} tokens in 20 s"
        before = load.answered()
        out = run_cli(srv.db_url, "backup", "--to", str(copy), "--with-key").stdout
        during = len(load.answered()) - len(before)
        assert load.wait_for(len(before) + during + 50), "the load stopped after the backup"
    finally:
        load.finish()
    # the server kept answering while the copy was made (the backup blocks no writer)
    assert during > 0, "no token was answered while the backup ran"
    assert f"backed up to {copy}" in out and "master key copied" in out, out
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert stat.S_IMODE((restore_dir / "grantd.db.key").stat().st_mode) == 0o600
    assert not (restore_dir / "grantd.db.tmp").exists()
    con = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()

    # the restore: a server on the copy alone (the original may be gone), same client
    restored = make_server(workdir=restore_dir)
    inactive = [t for t in before if not introspect_json(restored, client, t)["active"]]
    assert not inactive, f"{len(inactive)} of {len(before)} tokens answered before the " \
                         f"backup are missing from the copy"
    # and it is a working server, not a read-only snapshot
    r = requests.post(restored.url + "/token", data={"grant_type": "client_credentials"},
                      auth=(client["client_id"], client["client_secret"]), timeout=15)
    assert r.status_code == 200, r.text
    assert introspect_json(restored, client, r.json()["access_token"])["active"] is True


@sqlite_only("grantd backup copies SQLite databases; PostgreSQL's is pg_dump")
def test_backup_leaves_the_master_key_out_and_says_so(server, tmp_path):
    copy = tmp_path / "copy.db"
    p = server.cli("backup", "--to", str(copy))
    assert "master key is NOT in the backup" in p.stdout
    assert f"{server.db_path}.key" in p.stdout
    assert copy.exists() and not (tmp_path / "copy.db.key").exists()
    # what the message warns of: a server on the copy without its key does not start
    p = subprocess.run([GRANTD, "serve", "--listen", "127.0.0.1:0", "--db", f"sqlite:{copy}"],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode != 0 and "does not open with the master key" in p.stderr, p.stderr


@sqlite_only("grantd backup copies SQLite databases; PostgreSQL's is pg_dump")
def test_backup_refuses_to_overwrite_without_force(server, tmp_path):
    copy = tmp_path / "copy.db"
    copy.write_bytes(b"an older backup")
    p = server.cli("backup", "--to", str(copy), check=False)
    assert p.returncode == 2 and "exists" in p.stderr and "--force" in p.stderr, p.stderr
    assert copy.read_bytes() == b"an older backup"
    server.cli("backup", "--to", str(copy), "--force")
    assert copy.read_bytes().startswith(b"SQLite format 3\0")
    # never the database itself, --force or not
    p = server.cli("backup", "--to", str(server.db_path), "--force", check=False)
    assert p.returncode == 2 and "the database itself" in p.stderr, p.stderr
    assert not (tmp_path / "grantd.db.tmp").exists()


def test_backup_of_a_missing_database_creates_nothing(tmp_path):
    p = run_cli(f"sqlite:{tmp_path}/none.db", "backup", "--to", str(tmp_path / "b.db"),
                check=False)
    assert p.returncode == 1 and "no database" in p.stderr, p.stderr
    assert sorted(os.listdir(tmp_path)) == []


def test_backup_refuses_postgres_and_points_to_pg_dump(tmp_path):
    for url in ("postgres://grantd@127.0.0.1:1/grantd", "postgresql://127.0.0.1:1/grantd"):
        p = run_cli(url, "backup", "--to", str(tmp_path / "b.db"), check=False)
        assert p.returncode == 2 and "pg_dump" in p.stderr, p.stderr
    assert not (tmp_path / "b.db").exists() and not (tmp_path / "b.db.tmp").exists()


def test_backup_requires_to():
    p = run_cli(None, "backup", check=False)
    assert p.returncode == 2 and "--to PATH is required" in p.stderr
    assert "backup" in run_cli(None, "--help").stdout
    assert "pg_dump" in run_cli(None, "backup", "--help").stdout
