"""Dynamic client registration (RFC 7591 at /register, RFC 7592 at registration_client_uri):
off by default; with registration.mode = "token" an initial access token (grantd
registration-token create) is required, with "open" none; members limited to the issuer's
allow-list; registration access tokens rotate on every use; a registered client runs the
authorization-code flow; oauth4webapi's registration call works against it."""
import json
import shutil
import subprocess
import threading

import pytest
import requests

from conftest import ROOT
from flow import Agent, authorize_url, exchange, make_user, pkce_pair, redirect_params, userinfo

SCOPES = '''scopes = ( { name = "profile"; description = "Your profile"; },
                       { name = "email"; description = "Your email"; } );
'''
TOKEN_MODE = SCOPES + 'registration = { mode = "token"; };\n'
OPEN_MODE = SCOPES + 'registration = { mode = "open"; };\n'
CB = "http://127.0.0.1:9/cb"

# RFC 7591 §3.1's example request, its redirect URIs under grantd's registration rules as
# they are (https), with its members grantd does not understand (jwks_uri,
# example_extension_parameter, the language-tagged name) left in: they must be ignored.
RFC7591_EXAMPLE = {
    "redirect_uris": ["https://client.example.org/callback",
                      "https://client.example.org/callback2"],
    "client_name": "My Example Client",
    "client_name#ja-Jpan-JP": "\u30af\u30e9\u30a4\u30a2\u30f3\u30c8\u540d",
    "token_endpoint_auth_method": "client_secret_basic",
    "logo_uri": "https://client.example.org/logo.png",
    "jwks_uri": "https://client.example.org/my_public_keys.jwks",
    "example_extension_parameter": "example_value",
}


def register(srv, body, token=None, headers=None):
    h = dict(headers or {})
    if token:
        h["Authorization"] = "Bearer " + token
    return requests.post(srv.url + "/register", json=body, headers=h, timeout=10)


def bearer(token):
    return {"Authorization": "Bearer " + token}


def initial_token(srv, *args):
    out = srv.cli("registration-token", "create", "--json", *args).stdout
    return json.loads(out)["token"]


def client_ids(srv):
    return [c["client_id"] for c in json.loads(srv.cli("client", "list", "--json").stdout)]


def discovery(srv):
    return requests.get(srv.url + "/.well-known/oauth-authorization-server", timeout=10).json()


def test_off_by_default_not_served_nor_published(make_server):
    srv = make_server(SCOPES)
    r = register(srv, {"redirect_uris": [CB]})
    assert r.status_code == 404
    assert requests.get(srv.url + "/register/x", timeout=10).status_code == 404
    assert "registration_endpoint" not in discovery(srv)
    assert client_ids(srv) == []


def test_rfc7591_example_registers_with_an_initial_access_token(make_server):
    srv = make_server(TOKEN_MODE)
    assert discovery(srv)["registration_endpoint"] == srv.url + "/register"
    token = initial_token(srv)
    assert token.startswith("grantd_iat_")
    r = register(srv, RFC7591_EXAMPLE, token)
    assert r.status_code == 201, r.text
    assert r.headers["Cache-Control"] == "no-store"
    c = r.json()
    # RFC 7591 §3.2.1: the identifiers, then the metadata as registered
    assert c["client_id"] in client_ids(srv)
    assert len(c["client_secret"]) >= 43
    assert isinstance(c["client_id_issued_at"], int) and c["client_id_issued_at"] > 0
    assert c["client_secret_expires_at"] == 0
    assert c["registration_access_token"].startswith("grantd_rat_")
    assert c["registration_client_uri"] == f"{srv.url}/register/{c['client_id']}"
    assert c["client_name"] == "My Example Client"
    assert c["redirect_uris"] == RFC7591_EXAMPLE["redirect_uris"]
    assert c["token_endpoint_auth_method"] == "client_secret_basic"
    assert c["logo_uri"] == "https://client.example.org/logo.png"
    assert c["grant_types"] == ["authorization_code"]  # RFC 7591 §2's default
    assert c["response_types"] == ["code"]
    assert c["scope"] == "profile email"  # absent: what the issuer offers
    for ignored in ("jwks_uri", "example_extension_parameter", "client_name#ja-Jpan-JP"):
        assert ignored not in c
    # the secret works at the token endpoint's client authentication
    intro = requests.post(srv.url + "/introspect", data={"token": "x"},
                          auth=(c["client_id"], c["client_secret"]), timeout=10)
    assert intro.status_code == 200 and intro.json() == {"active": False}
    # nothing secret is logged
    log = srv.log_text()
    for secret in (token, c["client_secret"], c["registration_access_token"]):
        assert secret not in log


def test_initial_access_token_required_expired_and_used_up(make_server, clock):
    srv = make_server(TOKEN_MODE)
    body = {"redirect_uris": [CB], "client_name": "App"}
    r = register(srv, body)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert "error=" not in r.headers["WWW-Authenticate"]
    r = register(srv, body, "grantd_iat_notatoken")
    assert r.status_code == 401 and r.json()["error"] == "invalid_token"
    assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]
    assert client_ids(srv) == []

    # a bad token is refused before the body is read: an outsider learns nothing of it
    r = register(srv, {"redirect_uris": ["javascript:x"]}, "grantd_iat_notatoken")
    assert r.status_code == 401

    once = initial_token(srv)  # --uses defaults to 1
    assert register(srv, body, once).status_code == 201
    r = register(srv, body, once)
    assert r.status_code == 401 and r.json()["error"] == "invalid_token"
    assert register(srv, {"redirect_uris": 7}, once).status_code == 401  # used up, bad body
    assert len(client_ids(srv)) == 1

    # a refused body costs no use
    spare = initial_token(srv)
    assert register(srv, {"redirect_uris": 7}, spare).status_code == 400
    assert register(srv, body, spare).status_code == 201
    twice = initial_token(srv, "--uses", "2", "--expires-in", "60")
    assert register(srv, body, twice).status_code == 201
    clock.advance(61)
    assert register(srv, body, twice).status_code == 401  # expired, one use left
    assert len(client_ids(srv)) == 3

    # a token of another tenant is no token here
    srv.cli("tenant", "create", "other", "--issuer", "/other")
    elsewhere = initial_token(srv, "--tenant", "other")
    assert register(srv, body, elsewhere).status_code == 401
    unlimited = initial_token(srv, "--uses", "0")
    for _ in range(3):
        assert register(srv, body, unlimited).status_code == 201
    assert len(client_ids(srv)) == 6


def test_open_registration_needs_no_token(make_server):
    srv = make_server(OPEN_MODE)
    r = register(srv, {"redirect_uris": [CB], "token_endpoint_auth_method": "none",
                       "grant_types": ["authorization_code", "refresh_token"]})
    assert r.status_code == 201, r.text
    c = r.json()
    assert "client_secret" not in c and "client_secret_expires_at" not in c
    assert c["token_endpoint_auth_method"] == "none"
    assert c["client_name"] == c["client_id"]  # client_name is optional


@pytest.mark.parametrize("body, error, says", [
    ({"redirect_uris": ["http://client.example.org/cb"]}, "invalid_redirect_uri", "redirect_uris[0]"),
    ({"redirect_uris": ["https://client.example.org/cb#frag"]}, "invalid_redirect_uri", "redirect_uris[0]"),
    ({"redirect_uris": "https://client.example.org/cb"}, "invalid_redirect_uri", "redirect_uris"),
    ({"client_name": "no uris"}, "invalid_redirect_uri", "redirect_uris is required"),
    ({"redirect_uris": [CB], "scope": "profile admin"}, "invalid_client_metadata", "admin"),
    ({"redirect_uris": [CB], "introspect_any": True}, "invalid_client_metadata", "introspect_any"),
    ({"redirect_uris": [CB], "allow_insecure_redirect": True}, "invalid_client_metadata",
     "allow_insecure_redirect"),
    ({"redirect_uris": [CB], "grant_types": ["implicit"]}, "invalid_client_metadata", "grant_types"),
    ({"redirect_uris": [CB], "token_endpoint_auth_method": "private_key_jwt"},
     "invalid_client_metadata", "token_endpoint_auth_method"),
    ({"redirect_uris": [CB], "logo_uri": "javascript:alert(1)"}, "invalid_client_metadata", "logo_uri"),
    ({"redirect_uris": [CB], "contacts": "ops@example.org"}, "invalid_client_metadata", "contacts"),
    ({"redirect_uris": [CB], "registration_access_token": "x"}, "invalid_client_metadata",
     "registration_access_token"),
    ({"redirect_uris": [CB], "post_logout_redirect_uris": ["http://client.example.org/bye"]},
     "invalid_client_metadata", "post_logout_redirect_uris[0]"),
    ({"redirect_uris": [CB], "post_logout_redirect_uris": ["https://client.example.org/b#f"]},
     "invalid_client_metadata", "post_logout_redirect_uris[0]"),
    ({"redirect_uris": [CB], "post_logout_redirect_uris": "https://client.example.org/bye"},
     "invalid_client_metadata", "post_logout_redirect_uris must be an array"),
    ({"redirect_uris": [CB], "id_token_signed_response_alg": "HS256"},
     "invalid_client_metadata", "id_token_signed_response_alg must be RS256 or ES256"),
    ({"redirect_uris": [CB], "id_token_signed_response_alg": "none"},
     "invalid_client_metadata", "id_token_signed_response_alg must be RS256 or ES256"),
])
def test_refused_metadata_stores_nothing(make_server, body, error, says):
    srv = make_server(OPEN_MODE)
    r = register(srv, body)
    assert r.status_code == 400, r.text
    assert r.json()["error"] == error
    assert says in r.json()["error_description"]
    assert client_ids(srv) == []


def test_issuer_allow_list_narrows_the_members(make_server):
    srv = make_server(SCOPES + 'registration = { mode = "open"; '
                      'metadata = ["client_name", "redirect_uris"]; };\n')
    r = register(srv, {"redirect_uris": [CB], "scope": "profile"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_client_metadata"
    assert "scope is not accepted" in r.json()["error_description"]
    r = register(srv, {"redirect_uris": [CB], "client_name": "Small", "software_id": "x"})
    assert r.status_code == 201, r.text
    assert r.json()["client_name"] == "Small" and "software_id" not in r.json()


def test_rfc7592_read_update_delete_with_rotation(make_server):
    srv = make_server(OPEN_MODE + 'admin_listen = "127.0.0.1:0";\n')
    c = register(srv, {"redirect_uris": [CB], "client_name": "Rotating",
                       "contacts": ["ops@example.org"],
                       "grant_types": ["authorization_code", "refresh_token"]}).json()
    uri, t0 = c["registration_client_uri"], c["registration_access_token"]
    assert requests.get(uri, timeout=10).status_code == 401

    r = requests.get(uri, headers=bearer(t0), timeout=10)
    assert r.status_code == 200, r.text
    t1 = r.json()["registration_access_token"]
    assert t1 != t0 and r.json()["contacts"] == ["ops@example.org"]
    assert "client_secret" not in r.json()
    r = requests.get(uri, headers=bearer(t0), timeout=10)  # the old token stopped
    assert r.status_code == 401 and 'error="invalid_token"' in r.headers["WWW-Authenticate"]

    new = {"client_id": c["client_id"], "client_name": "Renamed",
           "redirect_uris": ["http://127.0.0.1:9/other"], "scope": "profile"}
    r = requests.put(uri, json={k: v for k, v in new.items() if k != "client_id"},
                     headers=bearer(t1), timeout=10)
    assert r.status_code == 400 and "client_id" in r.json()["error_description"]
    r = requests.put(uri, json={**new, "client_secret": "wrong"}, headers=bearer(t1), timeout=10)
    assert r.status_code == 400 and "client_secret" in r.json()["error_description"]
    r = requests.put(uri, json={**new, "client_secret": c["client_secret"]}, headers=bearer(t1),
                     timeout=10)
    assert r.status_code == 200, r.text
    u = r.json()
    t2 = u["registration_access_token"]
    assert u["client_name"] == "Renamed" and u["redirect_uris"] == new["redirect_uris"]
    assert u["grant_types"] == ["authorization_code"]  # replaced, not merged
    assert u["scope"] == "profile" and "contacts" not in u
    shown = json.loads(srv.cli("client", "show", c["client_id"], "--json").stdout)
    assert shown["name"] == "Renamed" and shown["scope"] == "profile"
    assert requests.put(uri, json=new, headers=bearer(t1), timeout=10).status_code == 401

    # another client's token is no token for this one
    other = register(srv, {"redirect_uris": [CB]}).json()
    assert requests.get(uri, headers=bearer(other["registration_access_token"]),
                        timeout=10).status_code == 401

    assert requests.delete(uri, headers=bearer(t2), timeout=10).status_code == 204
    assert c["client_id"] not in client_ids(srv)
    assert requests.get(uri, headers=bearer(t2), timeout=10).status_code == 401


def test_openid_connect_members_registered_read_and_replaced(make_server):
    """OpenID Connect's post_logout_redirect_uris and id_token_signed_response_alg (issue
    14): stored with the client, echoed at registration and read, replaced by PUT, left out
    by an issuer's allow-list."""
    srv = make_server(OPEN_MODE)
    bye = "https://client.example.org/bye"
    r = register(srv, {"redirect_uris": [CB], "post_logout_redirect_uris": [bye, CB],
                       "id_token_signed_response_alg": "ES256"})
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["post_logout_redirect_uris"] == [bye, CB]
    assert c["id_token_signed_response_alg"] == "ES256"
    shown = json.loads(srv.cli("client", "show", c["client_id"], "--json").stdout)
    assert shown["post_logout_redirect_uris"] == [bye, CB]
    assert shown["id_token_signed_response_alg"] == "ES256"
    uri = c["registration_client_uri"]
    r = requests.get(uri, headers=bearer(c["registration_access_token"]), timeout=10)
    assert r.status_code == 200, r.text
    read = r.json()
    assert read["post_logout_redirect_uris"] == [bye, CB]
    assert read["id_token_signed_response_alg"] == "ES256"
    # RFC 7592 PUT replaces: members left out go back to none and the default
    r = requests.put(uri, json={"client_id": c["client_id"], "redirect_uris": [CB],
                                "client_secret": c["client_secret"]},
                     headers=bearer(read["registration_access_token"]), timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["post_logout_redirect_uris"] == []
    assert r.json()["id_token_signed_response_alg"] == "RS256"
    shown = json.loads(srv.cli("client", "show", c["client_id"], "--json").stdout)
    assert (shown["post_logout_redirect_uris"], shown["id_token_signed_response_alg"]) == \
        ([], "RS256")
    r = requests.put(uri, json={"client_id": c["client_id"], "redirect_uris": [CB],
                                "id_token_signed_response_alg": "ES256"},
                     headers=bearer(r.json()["registration_access_token"]), timeout=10)
    assert r.status_code == 200 and r.json()["id_token_signed_response_alg"] == "ES256"
    # the registration's audit entry records them
    trail = [json.loads(line) for line in srv.cli("audit", "list", "--json").stdout.splitlines()]
    made = [e for e in trail if e["action"] == "client.create"
            and e["target"]["id"] == c["client_id"]]
    assert made[0]["details"]["post_logout_redirect_uris"] == [bye, CB]
    assert made[0]["details"]["id_token_signed_response_alg"] == "ES256"


def test_openid_connect_members_follow_the_allow_list(make_server):
    srv = make_server(SCOPES + 'registration = { mode = "open"; '
                      'metadata = ["redirect_uris", "post_logout_redirect_uris"]; };\n'
                      'admin_listen = "127.0.0.1:0";\n')
    r = register(srv, {"redirect_uris": [CB], "id_token_signed_response_alg": "ES256"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_client_metadata"
    assert "id_token_signed_response_alg is not accepted" in r.json()["error_description"]
    r = register(srv, {"redirect_uris": [CB], "post_logout_redirect_uris": [CB]})
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["post_logout_redirect_uris"] == [CB]
    assert c["id_token_signed_response_alg"] == "RS256"
    # the operator sets the algorithm (admin API); the client's PUT, which may not name
    # it, leaves it, and replaces what it may set
    key = json.loads(srv.cli("admin-key", "create", "--name", "ops", "--json").stdout)["key"]
    r = requests.patch(f"{srv.admin_url}/v1/tenants/default/clients/{c['client_id']}",
                       json={"id_token_signed_response_alg": "ES256"},
                       headers=bearer(key), timeout=10)
    assert r.status_code == 200, r.text
    r = requests.put(c["registration_client_uri"], json={"client_id": c["client_id"],
                                                         "redirect_uris": [CB]},
                     headers=bearer(c["registration_access_token"]), timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["id_token_signed_response_alg"] == "ES256"
    assert r.json()["post_logout_redirect_uris"] == []


def test_registered_client_runs_the_code_flow_and_delete_kills_its_tokens(make_server):
    srv = make_server(OPEN_MODE + 'admin_listen = "127.0.0.1:0";\n')
    make_user(srv)
    c = register(srv, {"redirect_uris": [CB], "client_name": "Flow",
                       "grant_types": ["authorization_code", "refresh_token"],
                       "scope": "profile"}).json()
    verifier, challenge = pkce_pair()
    r = Agent(srv).authorize(authorize_url(srv, response_type="code", client_id=c["client_id"],
                                           redirect_uri=CB, scope="profile", state="s1",
                                           code_challenge=challenge,
                                           code_challenge_method="S256"))
    q = redirect_params(r)
    tok = exchange(srv, c, q["code"], CB, verifier)
    assert tok.status_code == 200, tok.text
    at, rt = tok.json()["access_token"], tok.json()["refresh_token"]
    assert userinfo(srv, at).status_code == 200
    feed = requests.get(srv.admin_url + "/v1/revocations", timeout=10).json()

    uri = c["registration_client_uri"]
    assert requests.delete(uri, headers=bearer(c["registration_access_token"]),
                           timeout=10).status_code == 204
    assert userinfo(srv, at).status_code == 401
    refreshed = requests.post(srv.url + "/token", data={"grant_type": "refresh_token",
                                                        "refresh_token": rt},
                              auth=(c["client_id"], c["client_secret"]), timeout=10)
    assert refreshed.status_code == 401
    after = requests.get(srv.admin_url + "/v1/revocations", timeout=10).json()
    clients = [e for e in after["events"] if e["kind"] == "client"]
    assert [e["client_id"] for e in clients] == [c["client_id"]], (feed, after)


NODE = ROOT / "tests" / "node" / "register.mjs"


@pytest.mark.skipif(shutil.which("node") is None or
                    not (ROOT / "node_modules" / "oauth4webapi").is_dir(),
                    reason="node or node_modules/oauth4webapi missing (scripts/deps --test)")
def test_oauth4webapi_dynamic_client_registration(make_server):
    srv = make_server(TOKEN_MODE)
    make_user(srv)
    cfg = {"issuer": srv.url, "redirect_uri": CB, "scope": "profile",
           "initial_access_token": initial_token(srv)}
    proc = subprocess.Popen(["node", str(NODE), json.dumps(cfg)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    timer = threading.Timer(60, proc.kill)
    timer.start()
    last = {}
    try:
        for line in proc.stdout:
            last = json.loads(line)
            if "authorize" in last:
                r = Agent(srv).authorize(last["authorize"])
                assert r.status_code == 303, r.text[:500]
                proc.stdin.write(r.headers["Location"] + "\n")
                proc.stdin.flush()
            else:
                break
        proc.stdin.close()
        code = proc.wait(timeout=60)
    finally:
        timer.cancel()
    assert code == 0 and "result" in last, (last, proc.stderr.read()[-3000:])
    res = last["result"]
    assert res["registration_endpoint"] == srv.url + "/register"
    assert res["without_token"]["status"] == 401
    reg = res["registered"]
    assert reg["client_secret"] == "string" and reg["registration_access_token"] == "string"
    assert reg["grant_types"] == ["authorization_code", "refresh_token"]
    assert res["token_scope"] == "profile" and res["has_refresh_token"]
    assert res["userinfo"]["username"] == "alice"


def test_per_issuer_a_tenant_turns_it_on_alone(make_server, tmp_path):
    """registration is an issuer's setting: a tenant's profile turns it on for that issuer
    only, its clients are that tenant's, and RFC 7592 works under the issuer's prefix."""
    srv = make_server(SCOPES, defer_start=True)
    profile = tmp_path / "t1.conf"
    profile.write_text('registration = { mode = "open"; };\n'
                       'scopes = ( { name = "orders"; description = "Your orders"; } );\n')
    srv.cli("migrate")
    srv.cli("tenant", "create", "t1", "--issuer", "/t1", "--profile", str(profile))
    srv.start()
    assert register(srv, {"redirect_uris": [CB]}).status_code == 404
    assert "registration_endpoint" not in discovery(srv)
    meta = requests.get(srv.url + "/.well-known/oauth-authorization-server/t1", timeout=10).json()
    assert meta["registration_endpoint"] == srv.url + "/t1/register"
    r = requests.post(srv.url + "/t1/register", json={"redirect_uris": [CB]}, timeout=10)
    assert r.status_code == 201, r.text
    c = r.json()
    assert c["scope"] == "orders"  # the tenant's scopes, not the default issuer's
    assert c["registration_client_uri"] == f"{srv.url}/t1/register/{c['client_id']}"
    listed = json.loads(srv.cli("client", "list", "--json", "--tenant", "t1").stdout)
    assert [x["client_id"] for x in listed] == [c["client_id"]]
    assert client_ids(srv) == []
    r = requests.get(c["registration_client_uri"], headers=bearer(c["registration_access_token"]),
                     timeout=10)
    assert r.status_code == 200 and r.json()["client_id"] == c["client_id"]
    # the same client id under the default issuer is nobody's
    assert requests.get(f"{srv.url}/register/{c['client_id']}",
                        headers=bearer(r.json()["registration_access_token"]),
                        timeout=10).status_code == 404
