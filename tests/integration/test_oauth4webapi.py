"""oauth4webapi 3.x, a strict RFC client for JavaScript, against a real grantd: discovery,
the authorization-code flow with PKCE and the RFC 9207 iss check, refresh rotation, client
credentials, introspection, revocation and RFC 9068 JWT validation. The script is
tests/node/oauth4webapi.mjs; it prints each authorization URL and reads back the URL the
browser was redirected to, and flow.Agent plays that browser (login and consent)."""
import json
import shutil
import subprocess
import threading

import pytest

from conftest import ROOT, Server, create_client
from flow import Agent, make_client, make_user

SCRIPT = ROOT / "tests" / "node" / "oauth4webapi.mjs"
CB = "http://127.0.0.1:9/cb"

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not (ROOT / "node_modules" / "oauth4webapi").is_dir(),
    reason="node or node_modules/oauth4webapi missing (scripts/deps --test)")


def run_node(server, cfg, timeout=60):
    """Runs the script, answering each {"authorize": URL} line with the browser's redirect."""
    proc = subprocess.Popen(["node", str(SCRIPT), json.dumps(cfg)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT)
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    messages = []
    try:
        for line in proc.stdout:
            msg = json.loads(line)
            messages.append(msg)
            if "authorize" in msg:
                r = Agent(server).authorize(msg["authorize"])
                assert r.status_code == 303, (msg, r.status_code, r.text[:500])
                proc.stdin.write(r.headers["Location"] + "\n")
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
    return last["result"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One grantd for the whole module: the script runs once and each test reads its part."""
    srv = Server(tmp_path_factory.mktemp("oauth4webapi")).start()
    yield srv
    code = srv.stop()
    assert code == 0, f"grantd exited {code} at shutdown:\n{srv.log_text()[-4000:]}"


@pytest.fixture(scope="module")
def result(server):
    make_user(server)
    confidential = make_client(server)
    public = make_client(server, "--public")
    service = create_client(server, "--name", "Service", "--grant", "client_credentials",
                            "--scope", "orders inventory")
    jwt_service = create_client(server, "--name", "JWT service", "--grant",
                                "client_credentials", "--scope", "orders",
                                "--access-token-format", "jwt")
    cfg = {
        "issuer": server.url,
        "redirect_uri": CB,
        "scope": "profile email",
        "confidential": {k: confidential[k] for k in ("client_id", "client_secret")},
        "public": {"client_id": public["client_id"]},
        "service": {"client_id": service["client_id"],
                    "client_secret": service["client_secret"], "scope": "orders"},
        "jwt_service": {"client_id": jwt_service["client_id"],
                        "client_secret": jwt_service["client_secret"], "scope": "orders"},
    }
    res = run_node(server, cfg)
    res["_clients"] = {"confidential": confidential, "public": public, "service": service,
                       "jwt_service": jwt_service}
    res["_issuer"] = server.url
    return res


def test_discovery(result):
    m = result["metadata"]
    iss = result["_issuer"]
    assert m["issuer"] == iss
    assert m["token_endpoint"] == iss + "/token"
    assert m["authorization_response_iss_parameter_supported"] is True
    assert m["code_challenge_methods_supported"] == ["S256"]
    assert m["jwks_uri"] == iss + "/jwks.json"


def test_authorization_response_iss_is_checked(result):
    for label in ("confidential", "public"):
        checks = result[label]["checks"]
        assert checks["iss"] == result["_issuer"]
        assert checks["wrong_iss"]["code"] == "OAUTH_INVALID_RESPONSE", checks
        assert checks["missing_iss"]["code"] == "OAUTH_INVALID_RESPONSE", checks
        assert checks["wrong_state"]["code"] == "OAUTH_INVALID_RESPONSE", checks


def test_code_exchange_refresh_and_rotation(result):
    r = result["confidential"]
    assert r["tokens"]["token_type"] == "bearer"  # the library lower-cases it
    assert r["tokens"]["scope"] == "profile email" and r["tokens"]["expires_in"] == 3600
    assert r["tokens"]["refresh_token"].startswith("<string")
    assert r["userinfo"]["username"] == "alice" and r["userinfo"]["sub"]
    assert r["rotated"] is True
    assert r["refreshed"]["scope"] == "profile email"
    assert r["narrowed"]["scope"] == "profile"
    assert r["widen"] == {"error": "invalid_scope", "status": 400}
    assert r["code_replay"] == {"error": "invalid_grant", "status": 400}


def test_introspection(result):
    r = result["confidential"]
    cid = result["_clients"]["confidential"]["client_id"]
    at = r["introspect_access"]
    assert at["active"] is True and at["client_id"] == cid and at["scope"] == "profile"
    assert at["token_type"] == "Bearer" and at["username"] == "alice"
    assert at["iss"] == result["_issuer"] and at["sub"] == r["userinfo"]["sub"]
    rt = r["introspect_refresh"]
    assert rt["active"] is True and rt["token_type"] == "refresh_token"
    assert r["introspect_rotated"] == {"active": False}
    assert r["introspect_unknown"] == {"active": False}


def test_revocation_and_reuse(result):
    r = result["confidential"]
    assert r["revoke_access_status"] == 200
    assert r["after_revoke_access"] == {"active": False}
    assert r["refresh_after_access_revoked"]["access_token"].startswith("<string")
    assert r["revoke_unknown_status"] == 200
    assert r["revoke_missing"] == {"error": "invalid_request", "status": 400}
    # reuse of a rotated refresh token kills the family
    assert r["reuse"] == {"error": "invalid_grant", "status": 400}
    assert r["after_reuse_access"] == {"active": False}
    assert r["after_reuse_refresh"] == {"error": "invalid_grant", "status": 400}


def test_public_client(result):
    r = result["public"]
    assert r["tokens"]["refresh_token"].startswith("<string")
    assert r["refreshed"]["access_token"].startswith("<string")
    assert r["userinfo"]["username"] == "alice"
    assert r["revoke_status"] == 200
    assert r["after_revoke"] == {"error": "invalid_grant", "status": 400}


def test_client_credentials(result):
    r = result["service"]
    assert r["tokens"]["scope"] == "orders" and "refresh_token" not in r["tokens"]
    assert r["tokens"]["token_type"] == "bearer" and r["tokens"]["expires_in"] > 0
    assert sorted(r["all_scopes"]["scope"].split()) == ["inventory", "orders"]
    assert r["too_wide"] == {"error": "invalid_scope", "status": 400}
    assert r["introspect"]["active"] is True
    assert r["introspect"]["client_id"] == result["_clients"]["service"]["client_id"]
    assert r["revoke_status"] == 200 and r["after_revoke"] == {"active": False}


def test_jwt_access_token(result):
    r = result["jwt"]
    cid = result["_clients"]["jwt_service"]["client_id"]
    assert r["header"]["typ"] == "at+jwt" and r["header"]["alg"] == "ES256"
    assert r["header"]["kid"]
    c = r["claims"]
    assert c["iss"] == result["_issuer"] and c["aud"] == result["_issuer"]
    assert c["sub"] == cid and c["client_id"] == cid and c["scope"] == "orders"
    assert c["exp"] > c["iat"] and c["jti"]
    assert r["wrong_audience"]["code"] == "OAUTH_JWT_CLAIM_COMPARISON_FAILED"
    assert r["introspect"]["active"] is True
