"""The authorization-code flow as a person goes through it: headless Chromium (Debian's
/usr/bin/chromium, driven by tests/browser/flow.mjs through npm's playwright-core) signs in
on grantd's login page, answers the consent page, and lands on the client's redirect URI,
here a small HTTP server in the test that records what it was sent. The code it got is then
exchanged at /token and the access token used at /userinfo, with python3-requests.

Screenshots of every page go to tests/artifacts/browser/<test name>/.

Without node_modules/playwright-core (scripts/deps --test runs `npm ci`), node or Chromium
these tests are skipped, unless GRANTD_REQUIRE_BROWSER is set (ctest sets it), when they
fail instead."""
import base64
import hashlib
import http.server
import json
import os
import secrets
import shutil
import subprocess
import threading
import urllib.parse

import pytest
import requests

from conftest import ARTIFACTS, ROOT, create_client

FLOW = ROOT / "tests" / "browser" / "flow.mjs"
CHROMIUM = os.environ.get("GRANTD_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "correct horse battery staple"
# A state with characters that must be percent-encoded on the way there and back.
STATE = "a b/c+d"


def _missing():
    if not (ROOT / "node_modules" / "playwright-core").is_dir():
        return "node_modules/playwright-core is missing (scripts/deps --test runs npm ci)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} is missing (Debian package chromium; scripts/deps --test)"
    if not shutil.which("node"):
        return "node is missing (scripts/deps --test installs nodejs)"
    return None


@pytest.fixture(autouse=True)
def _browser_present():
    why = _missing()
    if why is None:
        return
    if os.environ.get("GRANTD_REQUIRE_BROWSER"):
        pytest.fail(f"browser test needs what is missing: {why}")
    pytest.skip(why)


class RedirectCatcher:
    """The client's redirect URI: http://127.0.0.1:PORT/cb, recording every GET."""

    def __init__(self):
        self.requests = []
        catcher = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urllib.parse.urlsplit(self.path)
                if parts.path != "/cb":  # the browser's own /favicon.ico
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                catcher.requests.append({
                    "path": parts.path,
                    "raw_query": parts.query,
                    "query": urllib.parse.parse_qs(parts.query, keep_blank_values=True),
                })
                body = b"<!doctype html><title>client</title><p>The client got the answer.</p>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:  # the browser may be gone already
                    pass

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.uri = f"http://127.0.0.1:{self.httpd.server_port}/cb"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def single(self):
        """The one request the client got, its query as {name: value} (each name once)."""
        assert len(self.requests) == 1, f"the redirect URI got {len(self.requests)} requests: {self.requests}"
        got = self.requests[0]
        assert got["path"] == "/cb", got
        for name, values in got["query"].items():
            assert len(values) == 1, f"{name} given {len(values)} times: {got['raw_query']}"
        return {name: values[0] for name, values in got["query"].items()}

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@pytest.fixture
def catcher():
    c = RedirectCatcher()
    yield c
    c.close()


def pkce_pair():
    verifier = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    return verifier, challenge.decode()


def authorize_url(server, client_id, challenge, redirect_uri=None, state=STATE,
                  scope="profile email"):
    """GET /authorize with PKCE S256; spaces percent-encoded as %20."""
    params = {"response_type": "code", "client_id": client_id}
    if redirect_uri is not None:
        params["redirect_uri"] = redirect_uri
    params.update({"scope": scope, "state": state, "code_challenge": challenge,
                   "code_challenge_method": "S256"})
    return server.url + "/authorize?" + urllib.parse.urlencode(params, quote_via=urllib.parse.quote)


def make_user(server, username="alice"):
    return json.loads(server.cli("user", "create", "--username", username, "--json",
                                 input=PASSWORD + "\n").stdout)


def run_flow(request, server, url, action="authorize", expect_oob=False, password=PASSWORD):
    """Runs tests/browser/flow.mjs and returns its JSON; fails with its words and the
    server's log when it exits non-zero."""
    shots = ARTIFACTS / "browser" / request.node.name
    shutil.rmtree(shots, ignore_errors=True)
    arg = {"authorize_url": url, "username": "alice", "password": password, "action": action,
           "expect_oob": expect_oob, "screenshots_dir": str(shots), "timeout_ms": 30000}
    try:
        proc = subprocess.run(["node", str(FLOW), json.dumps(arg)], capture_output=True,
                              text=True, timeout=60, cwd=ROOT)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"flow.mjs did not finish in 60 s: {e.stderr}\n"
                             f"--- grantd log ---\n{server.log_text()[-3000:]}")
    if proc.returncode != 0:
        raise AssertionError(f"flow.mjs exited {proc.returncode}:\n{proc.stderr}\n"
                             f"--- its output ---\n{proc.stdout[-3000:]}\n"
                             f"--- grantd log ---\n{server.log_text()[-3000:]}")
    result = json.loads(proc.stdout)
    assert result["ok"] is True, result
    return result


def assert_page_headers(page):
    """The security headers every grantd page carries, as the browser received them."""
    h = page["headers"]
    assert page["status"] == 200, page
    csp = h.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp, h
    assert h.get("x-frame-options", "").upper() == "DENY", h
    assert h.get("referrer-policy", "").lower() == "no-referrer", h
    assert h.get("content-type", "").startswith("text/html"), h


def assert_no_csp_violations(result):
    """No resource of the page was refused. Chromium's own /favicon.ico request, which
    img-src 'none' refuses at times, is the browser's, not the page's."""
    blocked = [e for e in result["console_errors"]
               if "Content Security Policy" in e and "/favicon.ico" not in e]
    assert not blocked, blocked


def exchange(server, client, code, verifier, redirect_uri=None):
    data = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier}
    if redirect_uri is not None:
        data["redirect_uri"] = redirect_uri
    r = requests.post(server.url + "/token", data=data,
                      auth=(client["client_id"], client["client_secret"]), timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    tok = r.json()
    assert tok.get("access_token"), tok
    assert tok.get("token_type") == "Bearer", tok
    return tok


def assert_userinfo(server, tok, username="alice"):
    r = requests.get(server.url + "/userinfo",
                     headers={"Authorization": "Bearer " + tok["access_token"]}, timeout=10)
    assert r.status_code == 200, (r.status_code, r.text)
    assert r.json()["username"] == username, r.json()


def test_sign_in_and_authorize_redirects_with_code_state_iss(request, server, catcher):
    client = create_client(server, "--name", "Browser client", "--redirect-uri", catcher.uri,
                           "--scope", "profile email")
    make_user(server)
    verifier, challenge = pkce_pair()
    url = authorize_url(server, client["client_id"], challenge, redirect_uri=catcher.uri)

    result = run_flow(request, server, url, action="authorize")

    got = catcher.single()
    assert got.get("code"), got
    assert got["state"] == STATE, got
    assert got["iss"] == server.url, got
    assert "error" not in got, got
    assert result["final_query"] == got, (result["final_url"], got)
    assert_page_headers(result["pages"]["login"])
    assert_page_headers(result["pages"]["consent"])
    assert_no_csp_violations(result)
    assert {os.path.basename(p) for p in result["screenshots"]} == {"login.png", "consent.png"}

    tok = exchange(server, client, got["code"], verifier, redirect_uri=catcher.uri)
    assert_userinfo(server, tok)


def test_cancel_redirects_with_access_denied(request, server, catcher):
    client = create_client(server, "--name", "Browser client", "--redirect-uri", catcher.uri,
                           "--scope", "profile email")
    make_user(server)
    _, challenge = pkce_pair()
    url = authorize_url(server, client["client_id"], challenge, redirect_uri=catcher.uri)

    result = run_flow(request, server, url, action="cancel")

    got = catcher.single()
    assert got.get("error") == "access_denied", got
    assert got["state"] == STATE, got
    assert got["iss"] == server.url, got
    assert "code" not in got, got
    assert_page_headers(result["pages"]["consent"])
    assert_no_csp_violations(result)


def test_client_without_redirect_uri_gets_the_code_on_a_page(request, server):
    client = create_client(server, "--name", "Device without redirect", "--scope", "profile email")
    make_user(server)
    verifier, challenge = pkce_pair()
    url = authorize_url(server, client["client_id"], challenge)

    result = run_flow(request, server, url, action="authorize", expect_oob=True)

    code = result["code"]
    assert code and code.strip() == code, result
    assert_page_headers(result["pages"]["oob"])
    assert_no_csp_violations(result)
    assert "oob.png" in {os.path.basename(p) for p in result["screenshots"]}

    tok = exchange(server, client, code, verifier)
    assert_userinfo(server, tok)


# ---- profiles and tenants in a real browser ---------------------------------------------------

def test_apicbase_guide_out_of_band_in_chromium(request, make_server):
    """The Apicbase guide's sample URL, typed into Chromium: sign in, Authorize, and the page
    from which the user copies the code; then the guide's token request with that code."""
    srv = make_server(config_text=(ROOT / "examples" / "profiles" / "apicbase.conf").read_text())
    make_user(srv)
    c = create_client(srv, "--id", "MY_CLIENT_ID", "--name", "Kitchen App", "--scope",
                      "library sales accounts procurement")
    result = run_flow(request, srv, srv.url + "/oauth/authorize/?response_type=code"
                      "&client_id=MY_CLIENT_ID&scope=library+sales", expect_oob=True)
    assert result["pages"]["login"]["url"].startswith(srv.url + "/oauth/authorize/?")
    r = requests.post(srv.url + "/oauth/token/", timeout=10, data={
        "grant_type": "authorization_code", "code": result["code"],
        "redirect_uri": "urn:ietf:wg:oauth:2.0:oob", "client_id": "MY_CLIENT_ID",
        "client_secret": c["client_secret"]})
    assert r.status_code == 200, r.text
    assert r.json()["expires_in"] == 604800 and r.json()["scope"] == "library sales"


def test_a_tenant_under_a_prefix_in_chromium(request, make_server, catcher):
    """A second issuer under /admin on the same host: Chromium signs in there and lands on
    the client with the tenant's iss, and the only cookie is the tenant's own session
    (test_tenants.py shows the default issuer does not take it)."""
    srv = make_server(defer_start=True)
    srv.cli("tenant", "create", "backoffice", "--issuer", "/admin")
    srv.start()
    srv.cli("user", "create", "--username", "alice", "--tenant", "backoffice",
            input=PASSWORD + "\n")
    c = create_client(srv, "--name", "ERP", "--redirect-uri", catcher.uri, "--scope", "profile",
                      "--tenant", "backoffice")
    verifier, challenge = pkce_pair()
    url = authorize_url(srv, c["client_id"], challenge, redirect_uri=catcher.uri,
                        scope="profile").replace(srv.url, srv.url + "/admin", 1)
    result = run_flow(request, srv, url)
    got = catcher.single()
    assert got["iss"] == srv.url + "/admin" and got["state"] == STATE
    assert [k["name"] for k in result["cookies"]] == ["grantd_session_2"]
    r = requests.post(srv.url + "/admin/token", timeout=10, auth=(c["client_id"],
                                                                  c["client_secret"]),
                      data={"grant_type": "authorization_code", "code": got["code"],
                            "code_verifier": verifier, "redirect_uri": catcher.uri})
    assert r.status_code == 200, r.text
    me = requests.get(srv.url + "/admin/userinfo", timeout=10,
                      headers={"Authorization": "Bearer " + r.json()["access_token"]})
    assert me.status_code == 200 and me.json()["username"] == "alice"
