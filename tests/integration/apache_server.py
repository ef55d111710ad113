"""A private Apache for the integration tests that put Apache in front of grantd or beside it
(test_apache.py: mod_oauth2; test_mod_auth_openidc.py: mod_auth_openidc). Each Apache runs
from its own configuration, ServerRoot, PidFile and ErrorLog under the test's tmp_path,
listens on a free loopback port, and stops (SIGTERM to its parent) when the test ends.

What is not here: the sites themselves (each test writes its own, from an example under
examples/apache), and any clock handling (test_apache.py starts Apache under libfaketime
through `env`)."""
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

APACHE = Path("/usr/sbin/apache2")
MODULES = Path("/usr/lib/apache2/modules")
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "apache"


def require(*paths):
    """Skips the test when one of paths (Apache, a module, a library) is missing; fails it
    instead under ctest (GRANTD_REQUIRE_APACHE), where scripts/deps --test installed them."""
    missing = [str(p) for p in (APACHE, *paths) if not Path(p).exists()]
    if not missing:
        return
    why = "not installed: " + ", ".join(missing) + " (scripts/deps --test installs them)"
    if os.environ.get("GRANTD_REQUIRE_APACHE"):
        pytest.fail(why)
    pytest.skip(why)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def httpd_conf(root, port, modules):
    """The main configuration: the modules (mod_NAME.so from Debian's directory), the
    listener, and `Include ROOT/site.conf`, the test's site."""
    loads = "".join(f"LoadModule {name}_module {MODULES}/mod_{name}.so\n" for name in modules)
    return (f"ServerRoot {root}\nServerName 127.0.0.1\nListen 127.0.0.1:{port}\n"
            # children run as whoever runs the test (Apache refuses User root; as root it
            # logs that it keeps its user, harmlessly here)
            + (f"User #{os.getuid()}\nGroup #{os.getgid()}\n" if os.getuid() else "") +
            f"PidFile {root}/apache.pid\nErrorLog {root}/error.log\nLogLevel warn\n"
            f"{loads}DocumentRoot {root}/htdocs\n"
            f"Include {root}/site.conf\n")


class Apaches:
    """The Apaches one test started. start(...) -> base URL; stop_all() at the end."""

    def __init__(self, tmp_path):
        self.tmp_path = Path(tmp_path)
        self.procs = []

    def start(self, site, modules, port=None, env=None, files=None):
        """Starts Apache with modules ("mpm_event", "authz_core", ...) and site (the text
        of site.conf) on port (default: a free one). files: {relative path: text} written
        under ServerRoot first (htdocs/... are the documents). Returns the base URL once
        the port answers; raises with Apache's stderr when it exits instead."""
        root = self.tmp_path / f"apache{len(self.procs)}"
        (root / "htdocs").mkdir(parents=True)
        for rel, text in (files or {}).items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)
        port = port or free_port()
        (root / "site.conf").write_text(site)
        (root / "httpd.conf").write_text(httpd_conf(root, port, modules))
        proc = subprocess.Popen([str(APACHE), "-f", str(root / "httpd.conf"), "-DFOREGROUND"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=dict(os.environ, **(env or {})))
        self.procs.append((proc, root))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return f"http://127.0.0.1:{port}"
            except OSError:
                if proc.poll() is not None:
                    raise AssertionError(proc.communicate()[1] + self.error_log(root))
                time.sleep(0.05)
        raise AssertionError("apache did not start" + self.error_log(root))

    @staticmethod
    def error_log(root):
        path = Path(root) / "error.log"
        return "\n" + path.read_text()[-4000:] if path.exists() else ""

    def logs(self):
        """Every started Apache's error log, for assertion messages."""
        return "".join(self.error_log(root) for _, root in self.procs)

    def stop_all(self):
        for proc, _ in self.procs:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
