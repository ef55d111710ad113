"""Tokens for one API: RFC 8707 resource indicators (issue 12 item 6).

A client registered with `--resource URI` may ask for tokens for that API with `resource=`
at /authorize and /token; the token then names it: the JWT's aud, introspection's aud, and
/check's X-Grantd-Audience and libgrantd-verify's audience accept it, for JWT and opaque
tokens alike. A resource the client may not ask for is invalid_target. Without resource
nothing changes: a JWT's aud is the issuer."""
import json

import jwt
import requests
from authlib.integrations.requests_client import OAuth2Session as AuthlibSession

from conftest import create_client
from flow import Agent, authorize_url, make_client, make_user, pkce_pair, redirect_params
from test_check import admin_server, assert_refused, check
from test_tokens import introspect_json, observer
from test_verify_lib import Verifier

ORDERS = "https://api.example/orders"
BILLING = "https://api.example/billing"
OTHER = "https://other.example/api"
CB = "http://127.0.0.1:9/cb"


def claims(token):
    return jwt.decode(token, options={"verify_signature": False})


def cc_client(srv, *args):
    return create_client(srv, "--name", "Service", "--grant", "client_credentials",
                         "--scope", "orders", "--resource", ORDERS, "--resource", BILLING,
                         *args)


def cc_token(srv, client, *resources, status=200):
    data = [("grant_type", "client_credentials")] + [("resource", r) for r in resources]
    r = requests.post(srv.url + "/token", data=data, timeout=10,
                      auth=(client["client_id"], client["client_secret"]))
    assert r.status_code == status, r.text
    return r.json() if status != 200 else r.json()["access_token"]


def token_post(srv, client, data):
    return requests.post(srv.url + "/token", data=data, timeout=10,
                         auth=(client["client_id"], client["client_secret"]))


def code_for(srv, client, *resources, state="st"):
    """/authorize with PKCE and the resources -> (code, verifier)."""
    verifier, challenge = pkce_pair()
    url = authorize_url(srv, response_type="code", client_id=client["client_id"],
                        redirect_uri=CB, code_challenge=challenge, code_challenge_method="S256",
                        state=state)
    url += "".join("&resource=" + requests.utils.quote(r, safe="") for r in resources)
    q = redirect_params(Agent(srv).authorize(url))
    return q, verifier


# ---- registration --------------------------------------------------------------------------

def test_client_create_registers_resources_and_shows_them(server):
    c = cc_client(server, "--resource", ORDERS)  # the same one twice registers it once
    assert c["resources"] == [ORDERS, BILLING]
    shown = json.loads(server.cli("client", "show", c["client_id"], "--json").stdout)
    assert shown["resources"] == [ORDERS, BILLING]
    assert ORDERS in server.cli("client", "show", c["client_id"]).stdout
    listed = json.loads(server.cli("client", "list", "--json").stdout)
    assert [x["resources"] for x in listed if x["client_id"] == c["client_id"]] == \
        [[ORDERS, BILLING]]
    assert make_client(server)["resources"] == []
    for bad, why in (("/orders", "absolute URI"), (ORDERS + "#x", "fragment"),
                     ("https://a.example/a b", "no spaces")):
        r = server.cli("client", "create", "--name", "x", "--resource", bad, check=False)
        assert r.returncode == 2 and why in r.stderr, (bad, r.returncode, r.stderr)


# ---- authorization code flow ---------------------------------------------------------------

def test_authorize_then_token_selects_the_audience_and_refresh_narrows(server):
    make_user(server)
    client = make_client(server, "--access-token-format", "jwt", "--resource", ORDERS,
                         "--resource", BILLING, redirect=CB)
    q, verifier = code_for(server, client, ORDERS, BILLING)
    r = token_post(server, client, [("grant_type", "authorization_code"), ("code", q["code"]),
                                    ("redirect_uri", CB), ("code_verifier", verifier),
                                    ("resource", ORDERS)])
    assert r.status_code == 200, r.text
    first = r.json()
    assert claims(first["access_token"])["aud"] == ORDERS
    obs = observer(server)
    assert introspect_json(server, obs, first["access_token"])["aud"] == ORDERS
    # the refresh token keeps both; a refresh without resource gets both, one narrows
    r = token_post(server, client, {"grant_type": "refresh_token",
                                    "refresh_token": first["refresh_token"]})
    assert r.status_code == 200, r.text
    both = r.json()
    assert claims(both["access_token"])["aud"] == [ORDERS, BILLING]
    assert introspect_json(server, obs, both["access_token"])["aud"] == [ORDERS, BILLING]
    r = token_post(server, client, {"grant_type": "refresh_token", "resource": OTHER,
                                    "refresh_token": both["refresh_token"]})
    assert r.status_code == 400 and r.json()["error"] == "invalid_target", r.text
    r = token_post(server, client, {"grant_type": "refresh_token", "resource": BILLING,
                                    "refresh_token": both["refresh_token"]})
    assert r.status_code == 200, r.text
    assert claims(r.json()["access_token"])["aud"] == BILLING
    # the issuer's own endpoint still answers such a token (it is the user's token)
    info = requests.get(server.url + "/userinfo", timeout=10,
                        headers={"Authorization": "Bearer " + r.json()["access_token"]})
    assert info.status_code == 200 and info.json()["username"] == "alice"


def test_a_token_request_may_not_widen_what_authorize_named(server):
    make_user(server)
    client = make_client(server, "--resource", ORDERS, "--resource", BILLING, redirect=CB)
    q, verifier = code_for(server, client, ORDERS)
    r = token_post(server, client, [("grant_type", "authorization_code"), ("code", q["code"]),
                                    ("redirect_uri", CB), ("code_verifier", verifier),
                                    ("resource", BILLING)])
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "invalid_target" and BILLING in r.json()["error_description"]
    assert r.headers["Cache-Control"] == "no-store"


def test_authorize_refuses_a_target_by_redirect(server):
    make_user(server)
    client = make_client(server, "--resource", ORDERS, redirect=CB)
    for bad in (OTHER, "orders", ORDERS + "#frag"):
        q, _ = code_for(server, client, bad, state="s1")
        assert q["error"] == "invalid_target", q
        assert q["state"] == "s1" and q["iss"] == server.url and "code" not in q


def test_without_resource_nothing_changes(server):
    make_user(server)
    client = make_client(server, "--access-token-format", "jwt", "--resource", ORDERS,
                         redirect=CB)
    q, verifier = code_for(server, client)
    r = token_post(server, client, {"grant_type": "authorization_code", "code": q["code"],
                                    "redirect_uri": CB, "code_verifier": verifier})
    assert r.status_code == 200, r.text
    assert claims(r.json()["access_token"])["aud"] == server.url


# ---- client credentials, introspection, /check ------------------------------------------

def test_client_credentials_jwt_and_opaque_name_their_api(make_server):
    srv = admin_server(make_server)
    jwt_c = cc_client(srv, "--access-token-format", "jwt")
    opaque_c = cc_client(srv)
    obs = observer(srv)
    t = cc_token(srv, jwt_c, ORDERS)
    assert claims(t)["aud"] == ORDERS
    assert introspect_json(srv, obs, t)["aud"] == ORDERS
    o = cc_token(srv, opaque_c, ORDERS, BILLING)
    assert introspect_json(srv, obs, o)["aud"] == [ORDERS, BILLING]
    plain = cc_token(srv, opaque_c)
    assert "aud" not in introspect_json(srv, obs, plain)
    # /check: the audience must be one the token is for, JWT and opaque alike
    for token in (t, o):
        r = check(srv, token, X_Grantd_Audience=ORDERS, X_Grantd_Scope="orders")
        assert r.status_code == 200, (r.status_code, r.headers)
        assert r.headers["X-Grantd-Client-Id"] in (jwt_c["client_id"], opaque_c["client_id"])
        assert_refused(check(srv, token, X_Grantd_Audience=OTHER), 401, "invalid", srv.url)
        assert_refused(check(srv, token, X_Grantd_Audience=srv.url), 401, "invalid", srv.url)
    assert check(srv, o, X_Grantd_Audience=BILLING).status_code == 200
    assert_refused(check(srv, t, X_Grantd_Audience=BILLING), 401, "invalid", srv.url)
    assert_refused(check(srv, plain, X_Grantd_Audience=ORDERS), 401, "invalid", srv.url)
    # the issuer's audience still admits a JWT issued for no resource
    assert check(srv, cc_token(srv, jwt_c), X_Grantd_Audience=srv.url).status_code == 200


def test_client_credentials_invalid_target(server):
    c = cc_client(server)
    for resources in ((OTHER,), (ORDERS, OTHER), ("urn",), (ORDERS + "#x",)):
        body = cc_token(server, c, *resources, status=400)
        assert body["error"] == "invalid_target", (resources, body)
    bare = create_client(server, "--name", "bare", "--grant", "client_credentials")
    assert cc_token(server, bare, ORDERS, status=400)["error"] == "invalid_target"
    # a repeated parameter other than resource is still refused
    r = requests.post(server.url + "/token", timeout=10, auth=(c["client_id"],
                      c["client_secret"]), data=[("grant_type", "client_credentials"),
                                                 ("scope", "orders"), ("scope", "orders")])
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"


# ---- libgrantd-verify's audience ----------------------------------------------------------

def test_library_audience_for_jwt_and_introspection(server, clock):
    jwt_c = cc_client(server, "--access-token-format", "jwt")
    opaque_c = cc_client(server)
    obs = observer(server)
    creds = ("--client", obs["client_id"], obs["client_secret"])
    orders = Verifier(server, "--audience", ORDERS, *creds)
    billing = Verifier(server, "--audience", BILLING, *creds)
    try:
        for c in (jwt_c, opaque_c):
            for_orders, for_both = cc_token(server, c, ORDERS), cc_token(server, c, ORDERS, BILLING)
            assert orders.ask(for_orders)[:2] == (200, "ok"), c
            assert billing.ask(for_orders)[:2] == (401, "invalid"), c
            assert billing.ask(for_both)[:2] == (200, "ok"), c  # an aud array holds it
            assert orders.ask(cc_token(server, c))[:2] == (401, "invalid"), c
    finally:
        orders.close()
        billing.close()


# ---- a real client library ----------------------------------------------------------------

def test_authlib_asks_for_a_resource(server):
    c = cc_client(server, "--access-token-format", "jwt")
    oauth = AuthlibSession(c["client_id"], c["client_secret"],
                           token_endpoint_auth_method="client_secret_basic")
    token = oauth.fetch_token(server.url + "/token", grant_type="client_credentials",
                              resource=BILLING)
    assert claims(token["access_token"])["aud"] == BILLING


def test_a_json_token_request_carries_one_resource(server):
    c = cc_client(server, "--access-token-format", "jwt")
    r = requests.post(server.url + "/token", json={"grant_type": "client_credentials",
                                                   "resource": BILLING},
                      auth=(c["client_id"], c["client_secret"]), timeout=10)
    assert r.status_code == 200, r.text
    assert claims(r.json()["access_token"])["aud"] == BILLING
    r = requests.post(server.url + "/token", json={"grant_type": "client_credentials",
                                                   "resource": OTHER},
                      auth=(c["client_id"], c["client_secret"]), timeout=10)
    assert r.status_code == 400 and r.json()["error"] == "invalid_target", r.text
