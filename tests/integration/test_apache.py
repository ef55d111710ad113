"""Apache's mod_oauth2 accepts grantd's tokens for one API unchanged (issue 12 item 6, RFC
8707): examples/apache/orders-api.conf protects a location with `OAuth2TokenVerify jwks_uri`
at grantd's JWKS and `Require oauth2_claim aud:<the API's URL>`. A JWT asked for that resource gets 200 and the
content; one asked for no resource (aud = the issuer) or for another API, a forged one and
an expired one get 401.

Apache runs from its own configuration, ServerRoot, PidFile and ErrorLog under tmp_path,
listening on a free loopback port, and stops at the end. It checks exp by its own clock, which
the test clock (grantd-test's offset) does not move: libfaketime starts Apache two hours ahead,
so a token grantd issued before the test clock moved two hours on is expired for Apache, and
every token issued after it is not. Skipped without Apache, mod_oauth2 or libfaketime
(scripts/deps --test installs them), failed instead under ctest (GRANTD_REQUIRE_APACHE)."""
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from conftest import create_client

APACHE = Path("/usr/sbin/apache2")
MODULES = Path("/usr/lib/apache2/modules")
FAKETIME = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1")
AHEAD = 7200  # seconds Apache's clock runs ahead of the servers' until the test clock moves
ORDERS = "https://api.example.com/orders"  # the example's API
BILLING = "https://api.example.com/billing"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples/apache/orders-api.conf"


@pytest.fixture(autouse=True)
def _apache_present():
    missing = [str(p) for p in (APACHE, MODULES / "mod_oauth2.so", FAKETIME) if not p.exists()]
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


def apache_conf(root, port):
    modules = "".join(f"LoadModule {name}_module {MODULES}/mod_{name}.so\n"
                      for name in ("mpm_event", "authn_core", "authz_core", "oauth2"))
    return (f"ServerRoot {root}\nServerName 127.0.0.1\nListen 127.0.0.1:{port}\n"
            # children run as whoever runs the test (Apache refuses User root; as root it
            # logs that it keeps its user, harmlessly here)
            + (f"User #{os.getuid()}\nGroup #{os.getgid()}\n" if os.getuid() else "") +
            f"PidFile {root}/apache.pid\nErrorLog {root}/error.log\nLogLevel warn\n"
            f"{modules}DocumentRoot {root}/htdocs\n"
            f"Include {root}/orders-api.conf\n")


@pytest.fixture
def apache(tmp_path):
    """start(jwks_uri) -> Apache's base URL; stopped (SIGTERM to its parent) at the end."""
    procs = []

    def start(jwks_uri):
        root = tmp_path / "apache"
        (root / "htdocs/orders").mkdir(parents=True)
        (root / "htdocs/orders/index.html").write_text("the orders\n")
        port = free_port()
        example = EXAMPLE.read_text()
        assert "https://id.example.com/jwks.json" in example and ORDERS in example
        (root / "orders-api.conf").write_text(
            example.replace("https://id.example.com/jwks.json", jwks_uri))
        (root / "httpd.conf").write_text(apache_conf(root, port))
        env = dict(os.environ, LD_PRELOAD=str(FAKETIME), FAKETIME=f"+{AHEAD}s",
                   FAKETIME_DONT_RESET="1")
        proc = subprocess.Popen([str(APACHE), "-f", str(root / "httpd.conf"), "-DFOREGROUND"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=env)
        procs.append((proc, root))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return f"http://127.0.0.1:{port}"
            except OSError:
                if proc.poll() is not None:
                    raise AssertionError(proc.communicate()[1])
                time.sleep(0.05)
        raise AssertionError("apache did not start")

    yield start
    for proc, root in procs:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def cc_token(srv, client, *resources):
    data = [("grant_type", "client_credentials")] + [("resource", r) for r in resources]
    r = requests.post(srv.url + "/token", data=data, timeout=10,
                      auth=(client["client_id"], client["client_secret"]))
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def get(base, token):
    return requests.get(base + "/orders/index.html", timeout=10,
                        headers={"Authorization": "Bearer " + token} if token else {})


def test_mod_oauth2_requires_the_apis_audience(make_server, apache, clock):
    srv = make_server()
    client = create_client(srv, "--name", "svc", "--grant", "client_credentials",
                           "--access-token-format", "jwt", "--resource", ORDERS,
                           "--resource", BILLING)
    base = apache(srv.url + "/jwks.json")
    expired = cc_token(srv, client, ORDERS)  # an hour's life, over for Apache already
    clock.advance(AHEAD)                      # grantd now agrees with Apache
    good = cc_token(srv, client, ORDERS)
    r = get(base, good)
    assert r.status_code == 200 and r.text == "the orders\n", (r.status_code, r.text)
    assert get(base, cc_token(srv, client, ORDERS, BILLING)).status_code == 200  # aud array
    for token in (cc_token(srv, client),           # aud: the issuer
                  cc_token(srv, client, BILLING),  # aud: another API
                  good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB"),
                  expired, None):
        r = get(base, token)
        assert r.status_code == 401, (r.status_code, r.text[:200])
        assert "the orders" not in r.text
