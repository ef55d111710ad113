"""openid-client 6.x, a strict OpenID Connect relying party for JavaScript, against a real
grantd (issue 14): Discovery 1.0, the code flow with PKCE, state and a nonce, the ID token
validated by the library, a refresh that brings a new ID token for the same user, /userinfo
for the ID token's subject, silent sign-ins (prompt=none) before and after the logout, and
RP-Initiated Logout 1.0 from the URL the library builds; at an issuer of its own host and
at one under a path of it. The script is tests/node/openid-client.mjs; it prints each
authorization URL and reads back the URL the browser was redirected to, and one flow.Agent
plays that browser throughout (login and consent, then the logout URL with grantd's session
cookie)."""
import json
import shutil
import subprocess
import threading
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from conftest import ROOT, Server, create_client
from flow import PASSWORD, Agent, pkce_pair

SCRIPT = ROOT / "tests" / "node" / "openid-client.mjs"
CB = "http://127.0.0.1:9/cb"
SIGNED_OUT = "http://127.0.0.1:9/signed-out"

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not (ROOT / "node_modules" / "openid-client").is_dir(),
    reason="node or node_modules/openid-client missing (scripts/deps --test)")


def run_node(browser, cfg, timeout=60):
    """Runs the script, answering each {"authorize": URL} line with the browser's redirect,
    and a {"logout": URL} line once the browser followed it (its answer: result["_logout"])."""
    proc = subprocess.Popen(["node", str(SCRIPT), json.dumps(cfg)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT)
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    messages = []
    logout = None
    try:
        for line in proc.stdout:
            msg = json.loads(line)
            messages.append(msg)
            if "authorize" in msg:
                r = browser.authorize(msg["authorize"])
                assert r.status_code in (302, 303), (msg, r.status_code, r.text[:500])
                proc.stdin.write(r.headers["Location"] + "\n")
                proc.stdin.flush()
            elif "logout" in msg:
                logout = browser.get(msg["logout"])
                proc.stdin.write("done\n")
                proc.stdin.flush()
            elif "result" in msg or "error" in msg:
                break
        proc.stdin.close()
        code = proc.wait(timeout=timeout)
    finally:
        timer.cancel()
        if proc.poll() is None:
            proc.kill()
    stderr = proc.stderr.read()
    last = messages[-1] if messages else {}
    assert code == 0 and "result" in last, f"node exited {code}: {last}\n{stderr[-3000:]}"
    return dict(last["result"], _logout=logout)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One grantd for the whole module, with a second issuer under a path of the first
    (/corp: its discovery document at ISSUER/.well-known/openid-configuration, as OpenID
    Connect Discovery 1.0 §4 builds it) and alice at both: the script runs once per issuer
    and each test reads its part."""
    srv = Server(tmp_path_factory.mktemp("openid-client"))
    srv.cli("tenant", "create", "corp", "--issuer", "/corp")
    for tenant in ((), ("--tenant", "corp")):
        srv.cli("user", "create", "--username", "alice", "--email", "alice@example.com",
                "--name", "Alice Liddell", *tenant, input=PASSWORD + "\n")
    srv.start()
    yield srv
    code = srv.stop()
    assert code == 0, f"grantd exited {code} at shutdown:\n{srv.log_text()[-4000:]}"


@pytest.fixture(scope="module", params=["", "/corp"], ids=["host-issuer", "path-issuer"])
def result(server, request):
    prefix = request.param
    tenant = ["--tenant", "corp"] if prefix else []
    client = create_client(server, "--name", "Node app", "--scope", "openid profile email",
                           "--redirect-uri", CB, *tenant,
                           "--post-logout-redirect-uri", SIGNED_OUT)
    issuer = server.url + prefix
    browser = Agent(server)
    res = run_node(browser, {"issuer": issuer, "client_id": client["client_id"],
                             "client_secret": client["client_secret"], "redirect_uri": CB,
                             "scope": "openid profile email",
                             "post_logout_redirect_uri": SIGNED_OUT})
    res["_client"], res["_issuer"] = client, issuer
    if "end_session_url" in res:
        # after the logout (the browser followed the URL with grantd's session cookie)
        _, challenge = pkce_pair()
        res["_after"] = browser.get(issuer + "/authorize?" + urlencode(dict(
            response_type="code", client_id=client["client_id"], redirect_uri=CB,
            scope="openid", nonce="n-after", code_challenge=challenge,
            code_challenge_method="S256")))
    return res


@pytest.fixture(scope="module")
def es256_result(server):
    """A client that registered ES256 ID tokens, signed in by a new browser."""
    client = create_client(server, "--name", "ES256 app", "--scope", "openid profile email",
                           "--redirect-uri", CB, "--id-token-signed-response-alg", "ES256")
    return run_node(Agent(server), {
        "issuer": server.url, "client_id": client["client_id"],
        "client_secret": client["client_secret"], "redirect_uri": CB, "scope": "openid",
        "post_logout_redirect_uri": SIGNED_OUT, "id_token_signed_response_alg": "ES256"})


@pytest.fixture(scope="module")
def public_result(server):
    """A public client (PKCE, no secret), signed in by a new browser."""
    client = create_client(server, "--name", "SPA", "--public", "--scope", "openid email",
                           "--redirect-uri", CB)
    return run_node(Agent(server), {
        "issuer": server.url, "client_id": client["client_id"], "redirect_uri": CB,
        "scope": "openid email", "post_logout_redirect_uri": SIGNED_OUT})


def test_discovery(result):
    m, iss = result["metadata"], result["_issuer"]
    assert m["issuer"] == iss and m["userinfo_endpoint"] == iss + "/userinfo"
    assert "openid" in m["scopes_supported"]
    assert "RS256" in m["id_token_signing_alg_values_supported"]


def test_code_flow_id_token(result):
    """The library validated the ID token (signature, iss, aud, exp, iat, nonce); these are
    what it holds."""
    t, sent = result["id_token"], result["sent"]
    cid = result["_client"]["client_id"]
    assert t["header"]["alg"] == "RS256" and t["header"]["kid"]
    c = t["claims"]
    assert c["iss"] == result["_issuer"] and c["aud"] in (cid, [cid]) and c["sub"]
    assert c["nonce"] == sent["nonce"] and c["exp"] > c["iat"] and c["auth_time"] <= c["iat"]
    assert c["at_hash"]
    assert result["token_type"] == "bearer" and result["has_refresh_token"]
    assert set(result["scope"].split()) == {"openid", "profile", "email"}


def test_the_nonce_is_checked(result):
    assert result["wrong_nonce"]["code"] == "OAUTH_JWT_CLAIM_COMPARISON_FAILED", result


def test_userinfo(result):
    u = result["userinfo"]
    assert u["sub"] == result["id_token"]["claims"]["sub"]
    assert u["email"] == "alice@example.com" and u["name"] == "Alice Liddell"
    assert result["userinfo_other_sub"]["code"] == "OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED"


def test_refresh_brings_a_new_id_token(result):
    """OpenID Connect Core 12.2: the same iss, sub and aud, auth_time of the original
    sign-in, and a new iat."""
    r, first = result["refreshed"], result["id_token"]["claims"]
    assert r["has_id_token"], r
    c = r["claims"]
    for claim in ("iss", "sub", "aud", "auth_time"):
        assert c[claim] == first[claim], claim
    assert c["iat"] >= first["iat"] and r["header"]["alg"] == "RS256"
    assert r["rotated"]


def test_logout_url_ends_grantds_session(result):
    assert result["metadata"]["end_session_endpoint"].startswith(result["_issuer"] + "/")
    assert result["end_session"] is None, result["end_session"]
    url = result["end_session_url"]
    q = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert url.startswith(result["metadata"]["end_session_endpoint"] + "?")
    assert q["post_logout_redirect_uri"] == SIGNED_OUT and q["state"] == "bye-state"
    assert q["id_token_hint"].count(".") == 2
    r = result["_logout"]
    assert r.status_code in (302, 303), (r.status_code, r.text[:500])
    back = r.headers["Location"]
    assert back.split("?")[0] == SIGNED_OUT
    assert parse_qs(urlsplit(back).query).get("state") == ["bye-state"], back
    # signed out: the next authorization asks for the password again
    after = result["_after"]
    assert after.status_code == 200 and 'name="password"' in after.text, after.status_code



def test_a_client_that_registered_es256(es256_result):
    """The library expects ES256 for this client (it refuses any other alg) on the code
    exchange and on refresh."""
    r = es256_result
    assert r["id_token"]["header"]["alg"] == "ES256"
    assert r["refreshed"]["header"]["alg"] == "ES256"
    assert r["userinfo"]["sub"] == r["id_token"]["claims"]["sub"]


def test_prompt_none(result):
    """A silent sign-in (prompt=none) gives a code while the user is signed in, with the
    original sign-in's auth_time; after the logout it is refused with login_required, which
    the library accepts as an authorization response of this issuer (state, iss)."""
    first = result["id_token"]["claims"]
    assert result["silent"]["sub"] == first["sub"]
    assert result["silent"]["auth_time"] == first["auth_time"]
    assert result["silent_after_logout"] == {"error": "login_required"}


def test_a_public_client(public_result):
    """No secret at the token endpoint: the same ID tokens, on the code exchange and on
    refresh, and the claims of its scopes alone."""
    r = public_result
    assert r["id_token"]["header"]["alg"] == "RS256" and r["refreshed"]["has_id_token"]
    assert r["refreshed"]["claims"]["sub"] == r["id_token"]["claims"]["sub"]
    assert r["userinfo"]["email"] == "alice@example.com" and "name" not in r["userinfo"]
