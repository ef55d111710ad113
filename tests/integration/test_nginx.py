"""examples/nginx/grantd-check.conf with a real nginx: an API behind nginx's auth_request to
grantd's /check gets the token's identity, and a client with a bad token gets the API's own
error (the issuer profile's api_errors) with grantd's challenge. Then the example orders API
(examples/orders-api/) behind examples/nginx/orders-api.conf, and scripts/demo-api (make api)
that serves both. Skipped without nginx (Debian: nginx-light), failed under ctest."""
import http.server
import importlib.machinery
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from conftest import create_client
from flow import make_user
from test_introspect_revoke import revoke
from test_tokens import client_credentials, grant

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples/orders-api"))
import orders_api  # noqa: E402  (the example API itself, run in the test's process)
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                  else None)


@pytest.fixture(autouse=True)
def _nginx_present():
    """scripts/deps --test installs nginx-light; ctest sets GRANTD_REQUIRE_NGINX, so a
    missing nginx fails there instead of passing unseen. A run by hand without it skips."""
    if NGINX is not None:
        return
    if os.environ.get("GRANTD_REQUIRE_NGINX"):
        pytest.fail("nginx is not installed (scripts/deps --test installs nginx-light)")
    pytest.skip("nginx is not installed")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Echo(http.server.BaseHTTPRequestHandler):
    """The API: answers every request with the X-Grantd-* headers it got."""

    def answer(self):
        got = {k.lower(): v for k, v in self.headers.items() if k.lower().startswith("x-grantd")}
        body = json.dumps(got).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = answer

    def log_message(self, *args):
        pass


@pytest.fixture
def api():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield httpd.server_address[1]
    httpd.shutdown()


def start_nginx(tmp_path, admin_port, api_port, site="grantd-check.conf", listen="127.0.0.1:8000",
                replace=()):
    """nginx with examples/nginx/SITE on a free port, its own prefix under tmp_path, grantd's
    admin listener and the API where the test has them; replace: more (old, new) edits."""
    port = free_port()
    site = (ROOT / "examples/nginx" / site).read_text()
    site = (site.replace("127.0.0.1:8081", f"127.0.0.1:{admin_port}")
            .replace("127.0.0.1:9000", f"127.0.0.1:{api_port}")
            .replace(listen, f"127.0.0.1:{port}"))
    for old, new in replace:
        assert old in site, old
        site = site.replace(old, new)
    prefix = tmp_path / "nginx"
    (prefix / "logs").mkdir(parents=True)
    (prefix / "site.conf").write_text(site)
    (prefix / "nginx.conf").write_text(
        f"pid {prefix}/nginx.pid;\nerror_log {prefix}/logs/error.log warn;\n"
        "events { worker_connections 64; }\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {prefix}/tmp;\n"
        f"  proxy_temp_path {prefix}/tmp;\n  include {prefix}/site.conf;\n}}\n")
    proc = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"),
                             "-g", "daemon off; master_process off;"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            if proc.poll() is not None:
                raise AssertionError(proc.communicate()[1])
            time.sleep(0.05)
    proc.kill()
    raise AssertionError("nginx did not start")


def test_nginx_auth_request_in_front_of_an_api(make_server, tmp_path, api):
    srv = make_server(extra_args=("--admin-listen", "127.0.0.1:0"),
                      config_text=(ROOT / "examples/profiles/apruve.conf").read_text())
    admin_port = int(srv.admin_url.rsplit(":", 1)[1])
    proc, base = start_nginx(tmp_path, admin_port, api)
    try:
        client = create_client(srv, "--name", "S", "--grant", "client_credentials",
                               "--scope", "profile orders")
        good = client_credentials(srv, client, "profile orders").json()["access_token"]
        narrow = client_credentials(srv, client, "orders").json()["access_token"]
        bearer = lambda t: {"Authorization": "Bearer " + t}

        # a good token: the API gets its identity, whatever the client claimed itself
        r = requests.post(base + "/orders", headers={**bearer(good), "X-Grantd-Subject": "root"},
                          data="x", timeout=10)
        assert r.status_code == 200, r.text
        assert r.json() == {"x-grantd-subject": client["client_id"],
                            "x-grantd-client-id": client["client_id"],
                            "x-grantd-scope": "profile orders"}

        # refused: the API's own body (Apruve's) and grantd's challenge
        for headers, status, body in (
                ({}, 401, b'[{"message":"Invalid authentication token."}]'),
                (bearer("x" * 43), 401, b'[{"message":"Invalid authentication token."}]')):
            for method in ("GET", "POST"):
                r = requests.request(method, base + "/orders", headers=headers, timeout=10)
                assert (r.status_code, r.content) == (status, body), (method, r.text)
                assert r.headers["Content-Type"] == "application/json"
                challenge = r.headers["WWW-Authenticate"]
                assert challenge.startswith(f'Bearer realm="{srv.url}"') and \
                    challenge.count("Bearer") == 1, challenge
        r = requests.get(base + "/orders", headers=bearer(narrow), timeout=10)
        assert r.status_code == 403 and r.json()["error"] == "insufficient_scope"
        challenge = r.headers["WWW-Authenticate"]
        assert 'scope="profile"' in challenge and challenge.count("Bearer") == 1, challenge
        assert revoke(srv, client, good).status_code == 200
        r = requests.get(base + "/orders", headers=bearer(good), timeout=10)
        assert r.status_code == 401 and 'error="invalid_token"' in r.headers["WWW-Authenticate"]
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


# ---- the example orders API (examples/orders-api/) behind examples/nginx/orders-api.conf ----

APRUVE = b'[{"message":"Invalid authentication token."}]'
BILLIT = {"missing": b'{"errors":[{"Code":"InvalidAccessToken"}]}',
          "invalid": b'{"errors":[{"Code":"InvalidAccessToken"}]}',
          "expired": b'{"errors":[{"Code":"AccessTokenExpired"}]}',
          "revoked": b'{"errors":[{"Code":"AccessTokenRevoked"}]}'}
CREDIT = "/api/v1/accounts/me/credit_limit"
ORDERS = "/api/v1/orders"


@pytest.fixture
def orders():
    httpd = orders_api.make_server(port=0, quiet=True)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def orders_nginx(tmp_path, orders):
    """orders_nginx(srv, issuer="") -> base URL of nginx with orders-api.conf in front of
    the orders API and srv's admin listener; stopped at teardown."""
    procs = []

    def start(srv, issuer=""):
        admin_port = int(srv.admin_url.rsplit(":", 1)[1])
        replace = ((('set $grantd_issuer "";', f'set $grantd_issuer "{issuer}";'),)
                   if issuer else ())
        proc, base = start_nginx(tmp_path / f"n{len(procs)}", admin_port, orders,
                                 site="orders-api.conf", listen="127.0.0.1:8090",
                                 replace=replace)
        procs.append(proc)
        return base

    yield start
    for proc in procs:
        proc.terminate()
        proc.communicate(timeout=10)


def bearer(token):
    return {"Authorization": "Bearer " + token}


def profile_server(make_server, profile):
    return make_server(extra_args=("--admin-listen", "127.0.0.1:0"),
                       config_text=(ROOT / "examples/profiles" / profile).read_text())


def cc(srv, scope):
    client = create_client(srv, "--name", "S", "--grant", "client_credentials",
                           "--scope", "profile orders")
    return client, client_credentials(srv, client, scope).json()["access_token"]


def assert_refused(r, status, body, reason_error=None):
    assert (r.status_code, r.content) == (status, body), r.text
    assert r.headers["Content-Type"] == "application/json"
    challenge = r.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer realm=") and challenge.count("Bearer") == 1, challenge
    if reason_error:
        assert f'error="{reason_error}"' in challenge, challenge


@pytest.mark.parametrize("profile,bodies", [
    ("apruve.conf", {r: APRUVE for r in BILLIT}),
    ("billit.conf", BILLIT),
])
def test_orders_api_every_reason_with_the_providers_bodies(make_server, orders_nginx, clock,
                                                           profile, bodies):
    """missing, invalid, expired, revoked: the provider's own body byte for byte, from
    nginx, for every location; insufficient_scope: RFC 6750's 403 with its challenge."""
    srv = profile_server(make_server, profile)
    base = orders_nginx(srv)
    client, good = cc(srv, "profile orders")
    _, narrow = cc(srv, "profile")
    for path in (CREDIT, ORDERS):
        assert requests.get(base + path, headers=bearer(good), timeout=10).status_code == 200
        assert_refused(requests.get(base + path, timeout=10), 401, bodies["missing"])
        assert_refused(requests.get(base + path, headers=bearer("x" * 43), timeout=10), 401,
                       bodies["invalid"], "invalid_token")
    r = requests.post(base + ORDERS, headers=bearer(narrow), json={"items": []}, timeout=10)
    assert r.status_code == 403 and r.json()["error"] == "insufficient_scope", r.text
    assert 'error="insufficient_scope"' in r.headers["WWW-Authenticate"]
    assert 'scope="orders"' in r.headers["WWW-Authenticate"]

    _, doomed = cc(srv, "profile orders")
    assert revoke(srv, client, good).status_code == 200
    assert_refused(requests.get(base + CREDIT, headers=bearer(good), timeout=10), 401,
                   bodies["revoked"], "invalid_token")
    clock.advance(3 * 3600)
    assert_refused(requests.get(base + CREDIT, headers=bearer(doomed), timeout=10), 401,
                   bodies["expired"], "invalid_token")


def test_orders_api_scopes_per_location_and_identity(make_server, orders_nginx):
    """credit_limit needs profile, orders need orders; the API sees the user's account,
    not what the client claims, and keeps each account's orders apart."""
    srv = profile_server(make_server, "apruve.conf")
    base = orders_nginx(srv)
    make_user(srv)  # alice, account acct-42
    make_user(srv, "bob", account="acct-7")
    app = create_client(srv, "--name", "App", "--scope", "profile orders",
                        "--redirect-uri", "http://127.0.0.1:9/cb")
    alice = grant(srv, app, scope="profile orders")["access_token"]
    alice_profile = grant(srv, app, scope="profile")["access_token"]
    bob = grant(srv, app, scope="orders", username="bob")["access_token"]
    lie = {"X-Grantd-Account": "acct-7", "X-Grantd-Subject": "root",
           "X-Grantd-Scope": "orders"}

    r = requests.get(base + CREDIT, headers={**bearer(alice_profile), **lie}, timeout=10)
    assert r.status_code == 200, r.text
    assert r.json() == {"account": "acct-42", "credit_limit": orders_api.CREDIT_LIMIT}
    # bob's token has no profile scope; alice's profile-only one no orders scope
    r = requests.get(base + CREDIT, headers=bearer(bob), timeout=10)
    assert r.status_code == 403 and 'scope="profile"' in r.headers["WWW-Authenticate"]
    for method in ("GET", "POST"):
        r = requests.request(method, base + ORDERS, headers=bearer(alice_profile), json={},
                             timeout=10)
        assert r.status_code == 403 and 'scope="orders"' in r.headers["WWW-Authenticate"]

    r = requests.post(base + ORDERS, headers={**bearer(alice), **lie},
                      json={"items": [{"sku": "A1", "quantity": 2}]}, timeout=10)
    assert r.status_code == 201, r.text
    order = r.json()
    assert order["account"] == "acct-42" and order["items"] == [{"sku": "A1", "quantity": 2}]
    sub = subject_of(srv, app, alice)
    assert order["created_by"] == {"subject": sub, "client_id": app["client_id"],
                                   "username": "alice"}
    assert requests.post(base + ORDERS, headers=bearer(bob), json={"items": []},
                         timeout=10).status_code == 201
    r = requests.get(base + ORDERS, headers=bearer(alice), timeout=10)
    assert r.json() == {"account": "acct-42", "orders": [order]}
    r = requests.get(base + ORDERS, headers=bearer(bob), timeout=10)
    assert [o["account"] for o in r.json()["orders"]] == ["acct-7"]


def subject_of(srv, client, token):
    """The token's subject as grantd's /check tells it."""
    r = requests.get(srv.admin_url + "/check", headers=bearer(token), timeout=10)
    assert r.status_code == 200, r.text
    return r.headers["X-Grantd-Subject"]


def test_orocommerce_storefront_token_refused_by_the_back_office_api(make_server, orders_nginx,
                                                                      tmp_path):
    """The back-office is the /admin tenant (README, Several issuers): nginx in front of its
    API passes that issuer, so a storefront token is invalid there and good at the
    storefront's."""
    srv = make_server(defer_start=True, extra_args=("--admin-listen", "127.0.0.1:0"),
                      config_text=(ROOT / "examples/profiles/orocommerce-storefront.conf")
                      .read_text())
    backoffice = tmp_path / "backoffice.conf"
    backoffice.write_text((ROOT / "examples/profiles/orocommerce-backoffice.conf").read_text())
    srv.cli("tenant", "create", "backoffice", "--issuer", "/admin", "--profile", str(backoffice))
    srv.start()
    store = create_client(srv, "--name", "S", "--grant", "client_credentials",
                          "--scope", "profile orders")
    admin = create_client(srv, "--name", "A", "--grant", "client_credentials",
                          "--scope", "profile orders", "--tenant", "backoffice")
    tokens = []
    for client, issuer in ((store, srv.url), (admin, srv.url + "/admin")):
        # OroCommerce's token requests are JSON
        r = requests.post(issuer + "/token", timeout=10,
                          json={"grant_type": "client_credentials", "scope": "profile orders"},
                          auth=(client["client_id"], client["client_secret"]))
        assert r.status_code == 200, r.text
        tokens.append(r.json()["access_token"])
    storefront_token, admin_token = tokens

    storefront_api = orders_nginx(srv)
    backoffice_api = orders_nginx(srv, issuer=srv.url + "/admin")
    assert requests.get(storefront_api + CREDIT, headers=bearer(storefront_token),
                        timeout=10).status_code == 200
    r = requests.get(backoffice_api + CREDIT, headers=bearer(storefront_token), timeout=10)
    assert r.status_code == 401 and r.json()["error"] == "invalid_token", r.text
    assert f'realm="{srv.url}/admin"' in r.headers["WWW-Authenticate"]
    r = requests.get(backoffice_api + CREDIT, headers=bearer(admin_token), timeout=10)
    assert r.status_code == 200 and r.json()["account"] == admin["client_id"], r.text
    assert requests.get(storefront_api + CREDIT, headers=bearer(admin_token),
                        timeout=10).status_code == 401


def test_check_is_not_on_the_public_listeners(make_server, orders_nginx):
    """/check answers on the admin listener only: not on grantd's public one, and nginx's
    subrequest location is internal."""
    srv = profile_server(make_server, "apruve.conf")
    base = orders_nginx(srv)
    _, token = cc(srv, "profile orders")
    for path in ("/check", "/check/error/invalid"):
        assert requests.get(srv.url + path, headers=bearer(token), timeout=10).status_code == 404
    assert requests.get(srv.admin_url + "/check", headers=bearer(token),
                        timeout=10).status_code == 200
    for path in ("/_grantd_check", "/check", "/check/error/invalid"):
        r = requests.get(base + path, headers=bearer(token), timeout=10)
        assert r.status_code == 404, (path, r.status_code, r.text)


def test_make_api_serves_the_orders_api_until_ctrl_c(make_server, tmp_path):
    """scripts/demo-api (make api): nginx and the orders API in front of a grantd's admin
    listener, as README's walk-through calls them; SIGINT (Ctrl-C) stops both and removes
    nginx's prefix."""
    srv = make_server(extra_args=("--admin-listen", "127.0.0.1:0"))
    public, upstream = free_port(), free_port()
    temp = tmp_path / "temp"
    temp.mkdir()
    env = dict(os.environ, GRANTD_ADMIN_LISTEN=srv.admin_url.split("//", 1)[1],
               DEMO_API_LISTEN=f"127.0.0.1:{public}", ORDERS_API_LISTEN=f"127.0.0.1:{upstream}",
               TMPDIR=str(temp))
    proc = subprocess.Popen([str(ROOT / "scripts/demo-api")], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{public}"
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", public), timeout=1).close()
                socket.create_connection(("127.0.0.1", upstream), timeout=1).close()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read()
                time.sleep(0.05)
        _, token = cc(srv, "profile")
        r = requests.get(base + CREDIT, headers=bearer(token), timeout=10)
        assert r.status_code == 200 and r.json()["credit_limit"] == orders_api.CREDIT_LIMIT
        r = requests.post(base + ORDERS, headers=bearer(token), json={"items": []}, timeout=10)
        assert r.status_code == 403 and 'scope="orders"' in r.headers["WWW-Authenticate"]
        assert requests.get(base + CREDIT, timeout=10).status_code == 401
    finally:
        proc.send_signal(signal.SIGINT)
        out = proc.communicate(timeout=20)[0]
    assert proc.returncode == 0, out
    assert list(temp.iterdir()) == []
    for port in (public, upstream):
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()


# ---- bench/run's nginx_check workloads: the two sites it derives from grantd-check.conf ----

def load_bench_run():
    """bench/run (a Python script without a .py name) as a module; main() does not run."""
    loader = importlib.machinery.SourceFileLoader("bench_run", str(ROOT / "bench/run"))
    spec = importlib.util.spec_from_loader("bench_run", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_bench_nginx_sites_differ_by_the_check_alone(make_server, tmp_path, api):
    """What bench/run's nginx_check workloads compare: behind the site with auth_request a
    request without a good token is refused and a good one reaches the API with its
    identity; behind the same site without it every request reaches the API, with no
    identity and nothing in nginx's error log (no per-request warning to slow it down)."""
    bench = load_bench_run()
    srv = make_server(extra_args=("--admin-listen", "127.0.0.1:0"))
    admin_port = int(srv.admin_url.rsplit(":", 1)[1])
    client = create_client(srv, "--name", "B", "--grant", "client_credentials",
                           "--scope", "a b")
    good = client_credentials(srv, client, "a b").json()["access_token"]
    narrow = client_credentials(srv, client, "b").json()["access_token"]
    for check in (True, False):
        port, prefix = free_port(), tmp_path / f"nginx-{check}"
        (prefix / "logs").mkdir(parents=True)
        (prefix / "tmp").mkdir()
        (prefix / "site.conf").write_text(bench.nginx_site(port, api, admin_port, check))
        (prefix / "nginx.conf").write_text(bench.nginx_conf(prefix, 2))
        proc = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"),
                                 "-g", "daemon off;"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, start_new_session=True)
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    assert proc.poll() is None and time.monotonic() < deadline, "nginx"
                    time.sleep(0.05)
            url = f"http://127.0.0.1:{port}{bench.NGINX_PATH}"
            answers = [requests.get(url, headers=h, timeout=10)
                       for h in (bearer(good), bearer(narrow), {})]
            if check:
                assert answers[0].status_code == 200, answers[0].text
                assert answers[0].json()["x-grantd-client-id"] == client["client_id"]
                assert [r.status_code for r in answers[1:]] == [403, 401]
            else:
                assert [(r.status_code, r.json()) for r in answers] == [(200, {})] * 3
            assert (prefix / "logs" / "error.log").read_text() == ""
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.communicate(timeout=10)
