"""Integration harness: a real `grantd serve` on a free loopback port with a fresh SQLite
database per test, driven over HTTP by real clients (python3-requests, raw sockets).

The server picks its own port (--listen 127.0.0.1:0) and prints the address it bound on
stdout ("grantd listening on http://127.0.0.1:PORT, issuer URL"), so parallel
runs never race for ports. On teardown the server gets SIGTERM and must exit 0: under
ASan+UBSan that also catches leaks and undefined behaviour at shutdown."""
import json
import os
import re
import signal
import subprocess
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GRANTD = os.environ.get("GRANTD_BIN", str(ROOT / "build" / "grantd"))
ARTIFACTS = ROOT / "tests" / "artifacts"


def run_cli(db_url, *args, input=None, env=None, check=True):
    """Runs `grantd ARGS --db DB_URL` and returns the CompletedProcess."""
    cmd = [GRANTD, *args]
    if db_url is not None:
        cmd += ["--db", db_url]
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run(cmd, input=input, capture_output=True, text=True, env=full_env,
                          timeout=60)
    if check and proc.returncode != 0:
        raise AssertionError(f"{cmd} exited {proc.returncode}: {proc.stderr}")
    return proc


class Server:
    """One running `grantd serve`; .url is its base URL, .log its stderr lines so far."""

    def __init__(self, workdir, config_text=None, extra_args=(), env=None):
        self.workdir = Path(workdir)
        self.db_path = self.workdir / "grantd.db"
        self.db_url = f"sqlite:{self.db_path}"
        self.config_text = config_text
        self.extra_args = list(extra_args)
        self.env = env or {}
        self.proc = None
        self.url = None
        self.port = None
        self._stderr = []
        self._reader = None

    def cli(self, *args, **kw):
        return run_cli(self.db_url, *args, **kw)

    def start(self):
        cmd = [GRANTD, "serve", "--listen", "127.0.0.1:0", "--db", self.db_url, *self.extra_args]
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
        # "grantd listening on http://127.0.0.1:PORT, issuer URL"
        m = re.search(r"^grantd listening on http://\S+:(\d+), issuer ", line or "")
        if not m:
            self.proc.kill()
            raise AssertionError(f"grantd did not start: {line!r}\n{self.log_text()}")
        self.port = int(m.group(1))
        self.url = f"http://127.0.0.1:{self.port}"
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
        found = self.wait_log(lambda e: e.get("event") == name, timeout)
        return found[0] if found else None

    def wait_log(self, match, count=1, timeout=10):
        """The log events for which match(event) holds, once there are count of them.
        grantd writes a request's line before it answers, but our stderr reader thread may
        not have read it yet when the answer arrives: anything that reads the log waits."""
        import time
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


@pytest.fixture
def make_server(tmp_path):
    """Factory: make_server(config_text=None, extra_args=(), env=None) -> started Server
    (defer_start=True: not yet started, so that srv.cli can prepare its database first).
    Every server it made must exit 0 on SIGTERM at teardown."""
    servers = []

    def factory(config_text=None, extra_args=(), env=None, workdir=None, defer_start=False):
        srv = Server(workdir or tmp_path, config_text, extra_args, env)
        servers.append(srv)
        return srv if defer_start else srv.start()

    yield factory
    for srv in servers:
        code = srv.stop()
        assert code == 0, f"grantd exited {code} at shutdown:\n{srv.log_text()[-4000:]}"


@pytest.fixture
def server(make_server):
    return make_server()


def create_client(srv, *args):
    """Creates a client through the CLI and returns its JSON description (with secret)."""
    out = srv.cli("client", "create", "--json", *args).stdout
    return json.loads(out)
