"""Browser-based applications (oauth/cors.h): a single-page app at its own origin calls
/token, /userinfo and /revoke, and reads discovery and the JWKS. grantd lets a page read an
answer when the page's origin is the origin of one of the calling client's redirect URIs,
and every page read the public documents; a page of any other origin gets the answer
hidden by the browser.

The first tests check the headers with python3-requests; the last runs the same calls in
headless Chromium (tests/browser/fetch.mjs), whose CORS checks are the ones that count:
preflights included (a /userinfo call with an Authorization header sends one)."""
import http.server
import json
import os
import subprocess
import threading
import urllib.parse

import pytest
import requests

from conftest import ROOT, create_client
from flow import Agent, authorize_url, make_user, pkce_pair, redirect_params
from test_browser import _missing

FETCH = ROOT / "tests" / "browser" / "fetch.mjs"
SPA = "http://127.0.0.1:5173"
OTHER = "http://127.0.0.1:5174"


def spa_client(srv, origin=SPA):
    return create_client(srv, "--name", "SPA", "--public", "--redirect-uri", origin + "/cb",
                         "--scope", "profile")


def tokens(srv, client, origin=SPA):
    """A code flow of alice for client (PKCE), its tokens asked for by requests."""
    verifier, challenge = pkce_pair()
    code = redirect_params(Agent(srv).authorize(authorize_url(
        srv, response_type="code", client_id=client["client_id"], redirect_uri=origin + "/cb",
        scope="profile", code_challenge=challenge, code_challenge_method="S256")))["code"]
    return code, verifier


def exchange_from(srv, client, code, verifier, origin, page=SPA):
    return requests.post(srv.url + "/token", timeout=10, headers={"Origin": origin}, data={
        "grant_type": "authorization_code", "client_id": client["client_id"], "code": code,
        "redirect_uri": page + "/cb", "code_verifier": verifier})


def test_the_answers_name_only_the_clients_origin(server):
    c = spa_client(server)
    make_user(server)
    code, verifier = tokens(server, c)
    r = exchange_from(server, c, code, verifier, SPA)
    assert r.status_code == 200, r.text
    assert r.headers["Access-Control-Allow-Origin"] == SPA
    assert "Origin" in r.headers["Vary"]
    assert "Retry-After" in r.headers["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in r.headers
    at, rt = r.json()["access_token"], r.json()["refresh_token"]
    # another origin: the same answer, hidden from its page
    r = requests.post(server.url + "/token", timeout=10, headers={"Origin": OTHER}, data={
        "grant_type": "refresh_token", "client_id": c["client_id"], "refresh_token": rt})
    assert r.status_code == 200 and "Access-Control-Allow-Origin" not in r.headers
    assert "Origin" in r.headers["Vary"]
    at = r.json()["access_token"]
    for origin, allowed in ((SPA, True), (OTHER, False), ("null", False)):
        r = requests.get(server.url + "/userinfo", timeout=10,
                         headers={"Origin": origin, "Authorization": "Bearer " + at})
        assert r.status_code == 200
        assert r.headers.get("Access-Control-Allow-Origin") == (origin if allowed else None)
    # a server calling without Origin gets no CORS header at all
    r = requests.get(server.url + "/userinfo", headers={"Authorization": "Bearer " + at},
                     timeout=10)
    assert "Access-Control-Allow-Origin" not in r.headers
    r = requests.post(server.url + "/revoke", timeout=10, headers={"Origin": SPA},
                      data={"client_id": c["client_id"], "token": at})
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == SPA
    # a refusal the app should see is readable too (the client is known)
    r = exchange_from(server, c, code, verifier, SPA)
    assert r.status_code == 400 and r.headers["Access-Control-Allow-Origin"] == SPA
    # a confidential client that failed to authenticate is nobody: no origin is named
    web = create_client(server, "--name", "Web", "--redirect-uri", SPA + "/cb",
                        "--grant", "client_credentials")
    r = requests.post(server.url + "/token", timeout=10, headers={"Origin": SPA},
                      data={"grant_type": "client_credentials"},
                      auth=(web["client_id"], "wrong"))
    assert r.status_code == 401 and "Access-Control-Allow-Origin" not in r.headers


def test_public_documents_are_readable_by_every_page(server):
    for path in ("/.well-known/openid-configuration", "/.well-known/oauth-authorization-server",
                 "/jwks.json"):
        r = requests.get(server.url + path, headers={"Origin": OTHER}, timeout=10)
        assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == "*"
        assert "Access-Control-Allow-Credentials" not in r.headers


def test_preflights(server):
    def preflight(path, method, origin=SPA):
        headers = {"Access-Control-Request-Method": method,
                   "Access-Control-Request-Headers": "authorization, content-type"}
        if origin:
            headers["Origin"] = origin
        return requests.options(server.url + path, headers=headers, timeout=10)

    for path, method in (("/token", "POST"), ("/userinfo", "GET"), ("/userinfo", "POST"),
                         ("/revoke", "POST")):
        r = preflight(path, method, origin=OTHER)  # any origin: the actual answer decides
        assert r.status_code == 204, (path, r.status_code, r.text)
        assert r.headers["Access-Control-Allow-Origin"] == OTHER
        assert r.headers["Access-Control-Allow-Methods"] == method
        assert {h.strip().lower() for h in r.headers["Access-Control-Allow-Headers"].split(",")} \
            == {"authorization", "content-type"}
        assert int(r.headers["Access-Control-Max-Age"]) > 0 and "Origin" in r.headers["Vary"]
    r = preflight("/jwks.json", "GET")
    assert r.status_code == 204 and r.headers["Access-Control-Allow-Origin"] == "*"
    # not for the endpoints a page never calls, nor without an Origin, nor another method
    for path, method, origin in (("/introspect", "POST", SPA), ("/authorize", "GET", SPA),
                                 ("/token", "POST", None), ("/token", "PUT", SPA),
                                 ("/token", "GET", SPA)):
        r = preflight(path, method, origin)
        assert r.status_code == 405, (path, method, origin, r.status_code)
        assert "Access-Control-Allow-Origin" not in r.headers


class Pages:
    """An application's origin: http://127.0.0.1:PORT serving one empty page."""

    def __init__(self):
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = b"<!doctype html><title>app</title><p>app</p>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def run_fetch(page_url, calls):
    proc = subprocess.run(["node", str(FETCH), json.dumps({"page_url": page_url,
                                                            "calls": calls})],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 0, (proc.returncode, proc.stderr, proc.stdout[-2000:])
    return json.loads(proc.stdout)["results"]


def test_a_single_page_app_in_chromium(server):
    why = _missing()
    if why:
        if os.environ.get("GRANTD_REQUIRE_BROWSER"):
            pytest.fail(f"browser test needs what is missing: {why}")
        pytest.skip(why)
    app, other = Pages(), Pages()
    try:
        c = spa_client(server, app.origin)
        make_user(server)
        code, verifier = tokens(server, c, app.origin)
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        calls = [
            {"url": server.url + "/.well-known/openid-configuration"},
            {"url": server.url + "/token", "method": "POST", "headers": form,
             "body": urllib.parse.urlencode({
                 "grant_type": "authorization_code", "client_id": c["client_id"],
                 "code": code, "redirect_uri": app.origin + "/cb", "code_verifier": verifier})},
        ]
        got = run_fetch(app.origin + "/", calls)
        assert got[0]["status"] == 200 and json.loads(got[0]["body"])["issuer"] == server.url
        assert got[1]["status"] == 200, got[1]
        at = json.loads(got[1]["body"])["access_token"]
        bearer = {"Authorization": "Bearer " + at}
        # /userinfo with an Authorization header: Chromium sends a preflight first
        got = run_fetch(app.origin + "/", [
            {"url": server.url + "/userinfo", "headers": bearer},
            {"url": server.url + "/userinfo", "headers": {"Authorization": "Bearer nope"}},
        ])
        assert got[0]["status"] == 200 and json.loads(got[0]["body"])["username"] == "alice"
        # an unknown token's refusal names no client: the browser hides it
        assert "blocked" in got[1], got[1]
        # a page of another origin reads the public documents, never the client's answers
        got = run_fetch(other.origin + "/", [
            {"url": server.url + "/jwks.json"},
            {"url": server.url + "/userinfo", "headers": bearer},
            {"url": server.url + "/token", "method": "POST", "headers": form,
             "body": urllib.parse.urlencode({"grant_type": "authorization_code",
                                             "client_id": c["client_id"], "code": "x"})},
        ])
        assert got[0]["status"] == 200 and "keys" in json.loads(got[0]["body"])
        assert "blocked" in got[1] and "blocked" in got[2], got
        # the app's page revokes its token, and reads that it did
        got = run_fetch(app.origin + "/", [
            {"url": server.url + "/revoke", "method": "POST", "headers": form,
             "body": urllib.parse.urlencode({"client_id": c["client_id"], "token": at})},
            {"url": server.url + "/userinfo", "headers": bearer},
        ])
        assert got[0]["status"] == 200
        assert got[1]["status"] == 401 and "www-authenticate" in got[1]["headers"], got[1]
    finally:
        app.close()
        other.close()
