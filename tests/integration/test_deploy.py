"""The production examples of docs/deploy.md, tested as far as this machine allows:
examples/nginx/grantd-lb.conf with a real nginx terminating TLS in front of two grantd
instances on one database (both serve, the discovery document names the https issuer, the
admin listener's paths are not reachable through it, plain HTTP redirects, one instance
stopped and the other answers), and examples/systemd/grantd.service through
`systemd-analyze verify` and its offline security score (no systemd runs here, so the unit
is never started). Skipped without nginx or systemd-analyze, failed under ctest when nginx
is missing (GRANTD_REQUIRE_NGINX, as test_nginx.py)."""
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from conftest import GRANTD_PRODUCTION, create_client

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                  else None)
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
UNIT = ROOT / "examples/systemd/grantd.service"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def need_nginx():
    if NGINX is not None:
        return
    if os.environ.get("GRANTD_REQUIRE_NGINX"):
        pytest.fail("nginx is not installed (scripts/deps --test installs nginx-light)")
    pytest.skip("nginx is not installed")


def self_signed(tmp_path):
    """A certificate for localhost and 127.0.0.1 and its key, made with openssl."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def lb_site(tls_port, http_port, upstreams, cert, key):
    """examples/nginx/grantd-lb.conf with this test's ports, upstreams and certificate."""
    site = (ROOT / "examples/nginx/grantd-lb.conf").read_text()
    for old, new in (("listen 443 ssl http2;", f"listen 127.0.0.1:{tls_port} ssl http2;"),
                     ("listen [::]:443 ssl http2;", ""),
                     ("listen 80;", f"listen 127.0.0.1:{http_port};"),
                     ("listen [::]:80;", ""),
                     ("10.0.0.11:8080", f"127.0.0.1:{upstreams[0]}"),
                     ("10.0.0.12:8080", f"127.0.0.1:{upstreams[1]}"),
                     ("/etc/ssl/auth.example.com/fullchain.pem", str(cert)),
                     ("/etc/ssl/auth.example.com/privkey.pem", str(key))):
        assert old in site, old
        site = site.replace(old, new)
    return site


def lb_in_front(tmp_path, tls_port, http_port, upstreams):
    """examples/nginx/grantd-lb.conf started (start_nginx) in front of the two upstream ports
    with a throwaway certificate, and a requests session that trusts that certificate:
    (nginx's process, the session)."""
    cert, key = self_signed(tmp_path)
    proc = start_nginx(tmp_path / "nginx", lb_site(tls_port, http_port, upstreams, cert, key),
                       tls_port)
    http = requests.Session()
    http.trust_env = False  # REQUESTS_CA_BUNDLE would replace the certificate
    http.verify = str(cert)
    return proc, http


def start_nginx(prefix, site, port):
    (prefix / "logs").mkdir(parents=True)
    (prefix / "site.conf").write_text(site)
    (prefix / "nginx.conf").write_text(
        f"pid {prefix}/nginx.pid;\nerror_log {prefix}/logs/error.log warn;\n"
        "events { worker_connections 64; }\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {prefix}/tmp;\n"
        f"  proxy_temp_path {prefix}/tmp;\n  include {prefix}/site.conf;\n}}\n")
    conf = ["-p", str(prefix), "-c", str(prefix / "nginx.conf")]
    t = subprocess.run([NGINX, *conf, "-t", "-g", "daemon off; master_process off;"],
                       capture_output=True, text=True)
    assert t.returncode == 0, t.stderr
    proc = subprocess.Popen([NGINX, *conf, "-g", "daemon off; master_process off;"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            if proc.poll() is not None:
                raise AssertionError(proc.communicate()[1])
            time.sleep(0.05)
    proc.kill()
    raise AssertionError("nginx did not start")


def test_nginx_tls_in_front_of_two_instances(make_server, tmp_path):
    need_nginx()
    tls_port, http_port = free_port(), free_port()
    issuer = f"https://localhost:{tls_port}"
    # two instances on one database, as two machines on one PostgreSQL server would be
    args = ("--issuer", issuer, "--admin-listen", "127.0.0.1:0")
    a = make_server(extra_args=args, workdir=tmp_path)
    b = make_server(extra_args=args, workdir=tmp_path)
    proc, http = lb_in_front(tmp_path, tls_port, http_port, (a.port, b.port))
    try:
        meta = http.get(issuer + "/.well-known/oauth-authorization-server", timeout=10).json()
        assert meta["issuer"] == issuer and meta["token_endpoint"] == issuer + "/token"

        client = create_client(a, "--name", "S", "--grant", "client_credentials",
                               "--scope", "orders")
        auth = (client["client_id"], client["client_secret"])
        tokens = []
        for _ in range(10):
            r = http.post(issuer + "/token", data={"grant_type": "client_credentials"},
                          auth=auth, timeout=10)
            assert r.status_code == 200, r.text
            tokens.append(r.json()["access_token"])
        # round robin: both instances answered, and each knows the other's tokens
        assert a.wait_request("/token") and b.wait_request("/token")
        for t in tokens:
            r = http.post(issuer + "/introspect", data={"token": t}, auth=auth, timeout=10)
            assert r.status_code == 200 and r.json()["active"] is True, r.text

        # the admin listener's paths are not reachable through the public front
        for path in ("/v1/tenants", "/v1/revocations", "/check", "/check/error/missing"):
            assert http.get(issuer + path, timeout=10).status_code == 404, path
        assert requests.get(a.admin_url + "/health/ready", timeout=10).status_code == 200

        # plain HTTP only redirects to https
        r = requests.get(f"http://127.0.0.1:{http_port}/token", allow_redirects=False,
                         timeout=10)
        assert r.status_code == 301 and r.headers["Location"].startswith("https://")

        # one instance gone: the other answers every request
        assert b.stop() == 0
        for _ in range(6):
            r = http.post(issuer + "/token", data={"grant_type": "client_credentials"},
                          auth=auth, timeout=10)
            assert r.status_code == 200, r.text
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def unit_for_here(tmp_path):
    """The example unit with this build's grantd as its binary (verify checks it exists)."""
    text = UNIT.read_text()
    assert "/usr/local/bin/grantd " in text
    path = tmp_path / "grantd.service"
    path.write_text(text.replace("/usr/local/bin/grantd ", f"{GRANTD_PRODUCTION} "))
    return path


def test_systemd_unit_verifies_and_is_sandboxed(tmp_path):
    if SYSTEMD_ANALYZE is None:
        pytest.skip("systemd-analyze is not installed (Debian: systemd)")
    text = UNIT.read_text()
    for line in ("DynamicUser=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
                 "NoNewPrivileges=yes", "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
                 "SystemCallFilter=@system-service", "CapabilityBoundingSet=\n",
                 "MemoryDenyWriteExecute=yes", "StateDirectory=grantd"):
        assert line in text, line
    unit = unit_for_here(tmp_path)
    # --man=no: Documentation=man:grantd(1) names the installed man page, not installed here
    p = subprocess.run([SYSTEMD_ANALYZE, "verify", "--man=no", str(unit)],
                       capture_output=True, text=True)
    assert p.returncode == 0 and not p.stderr.strip(), p.stderr
    # systemd's own exposure score, 0 (locked down) .. 10: the sandbox stays tight
    p = subprocess.run([SYSTEMD_ANALYZE, "security", "--offline=true", "--threshold=20",
                        str(unit)], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr
