"""`make run` runs scripts/demo: it must print working credentials and a URL on the server it
starts (and a /check command for its admin listener), and a second run must hand out fresh
ones that replace the old."""
import json
import os
import re
import signal
import socket
import subprocess
import time

import requests

from conftest import GRANTD, ROOT


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_demo(workdir, port, admin_port):
    env = dict(os.environ, GRANTD_LISTEN=f"127.0.0.1:{port}",
               GRANTD_ADMIN_LISTEN=f"127.0.0.1:{admin_port}")
    env.pop("GRANTD_DB", None)
    env.pop("GRANTD_ISSUER", None)
    proc = subprocess.Popen([str(ROOT / "scripts" / "demo"), os.path.abspath(GRANTD)], cwd=workdir, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out = ""
    deadline = time.monotonic() + 30
    while "grantd listening" not in out and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        out += line
    return proc, out


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0


def field(out, name):
    m = re.search(rf"^\s*{name}\s+(\S+)$", out, re.M)
    assert m, f"{name} missing from demo output:\n{out}"
    return m.group(1)


def token_status(base, client_id, secret):
    """Authenticates at /token; 401 means the credentials were refused."""
    r = requests.post(base + "/token", data={"grant_type": "no_such_grant"},
                      auth=(client_id, secret), timeout=5)
    return r.status_code, r.json()["error"]


def walk_through(base, out, url, password):
    """Follows the printed steps: the URL in a browser, then the two curl commands."""
    import subprocess as sp
    from flow import Agent

    class Srv:
        pass
    srv = Srv()
    srv.url = base
    agent = Agent(srv)
    page = agent.authorize(url, username="demo", password=password)
    assert page.status_code == 200 and 'id="code"' in page.text, page.text[:500]
    code = re.search(r'id="code"[^>]*>([A-Za-z0-9_-]{43})</p>', page.text).group(1)
    curl = re.search(r"^\s*(curl -s -u .*)$", out, re.M).group(1).replace("CODE", code)
    token = json.loads(sp.run(curl, shell=True, capture_output=True, text=True,
                              timeout=30).stdout)
    assert token["token_type"] == "Bearer"
    curl = re.search(r"^\s*(curl -s -H .*)$", out, re.M).group(1)
    me = json.loads(sp.run(curl.replace("ACCESS_TOKEN", token["access_token"]), shell=True,
                           capture_output=True, text=True, timeout=30).stdout)
    assert me["username"] == "demo" and me["account"] == "demo-account"
    # step 4: /check on the admin listener names the user for the API behind the proxy
    curl = re.search(r"^\s*(curl -si -H .*/check)$", out, re.M).group(1)
    answer = sp.run(curl.replace("ACCESS_TOKEN", token["access_token"]), shell=True,
                    capture_output=True, text=True, timeout=30).stdout
    assert answer.startswith("HTTP/1.1 200"), answer
    assert re.search(r"^X-Grantd-Username: demo\r?$", answer, re.M | re.I), answer
    assert re.search(r"^X-Grantd-Account: demo-account\r?$", answer, re.M | re.I), answer


def test_demo_prints_working_credentials_and_refreshes_them(tmp_path):
    port, admin_port = free_port(), free_port()
    proc, out = run_demo(tmp_path, port, admin_port)
    try:
        base = f"http://127.0.0.1:{port}"
        assert (tmp_path / "grantd.db").exists()
        assert field(out, "client_id") == "demo-client"
        assert field(out, "user") == "demo"
        secret = field(out, "client_secret")
        first_password = field(out, "password")
        url = re.search(r"(http://\S+/authorize\?\S+)", out).group(1)
        assert url.startswith(base + "/authorize?response_type=code&client_id=demo-client")
        assert requests.get(base + "/health/ready", timeout=5).status_code == 200
        # the printed secret authenticates: the request fails only on its grant type
        assert token_status(base, "demo-client", secret) == (400, "unsupported_grant_type")
        assert token_status(base, "demo-client", "wrong")[0] == 401
        walk_through(base, out, url, first_password)
    finally:
        stop(proc)

    proc, out = run_demo(tmp_path, port, admin_port)
    try:
        new_secret = field(out, "client_secret")
        assert new_secret != secret
        assert field(out, "password") != first_password
        assert token_status(base, "demo-client", new_secret) == (400, "unsupported_grant_type")
        assert token_status(base, "demo-client", secret)[0] == 401
    finally:
        stop(proc)
