"""What discovery publishes and how refusals are told: the answers an OAuth library reads
before and after it sends a request (RFC 8414, RFC 6749 §5, RFC 6750 §3)."""
import requests

from conftest import create_client
from flow import Agent, authorize_url, exchange, make_client, make_user, redirect_params

WK = "/.well-known/oauth-authorization-server"


def metadata(srv, path=WK):
    r = requests.get(srv.url + path, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def cc_token(srv, client, scope=None):
    data = {"grant_type": "client_credentials"}
    if scope is not None:
        data["scope"] = scope
    return requests.post(srv.url + "/token", data=data, timeout=10,
                         auth=(client["client_id"], client["client_secret"]))


def test_no_scopes_configured_means_no_scopes_supported_member(server):
    # clients hold scopes, but the issuer lists none: an empty list would claim "no scope
    # exists", so the member is left out (RFC 8414 §2: RECOMMENDED, not REQUIRED)
    create_client(server, "--name", "API", "--scope", "orders", "--grant", "client_credentials")
    m = metadata(server)
    assert "scopes_supported" not in m
    assert m["issuer"] == server.url


def test_every_published_endpoint_is_routed(server):
    m = metadata(server)
    endpoints = {k: v for k, v in m.items() if k.endswith("_endpoint") or k == "jwks_uri"}
    assert set(endpoints) == {"authorization_endpoint", "token_endpoint", "userinfo_endpoint",
                              "introspection_endpoint", "revocation_endpoint", "jwks_uri",
                              "end_session_endpoint"}
    for name, url in endpoints.items():
        assert url.startswith(server.url + "/"), (name, url)
        get = requests.get(url, timeout=10, allow_redirects=False)
        post = requests.post(url, timeout=10, allow_redirects=False)
        # routed: some method is answered by its handler (never the router's 404)
        assert get.status_code != 404 or post.status_code != 404, name


def test_path_issuer_metadata_at_the_rfc8414_location(make_server):
    srv = make_server(defer_start=True)
    srv.cli("tenant", "create", "t1", "--issuer", "/t1")
    srv.start()
    # RFC 8414 §3.1: /.well-known/oauth-authorization-server + the issuer's path
    inserted = metadata(srv, WK + "/t1")
    appended = metadata(srv, "/t1" + WK)
    assert inserted == appended
    assert inserted["issuer"] == srv.url + "/t1"
    assert inserted["token_endpoint"] == srv.url + "/t1/token"
    # the default issuer has no path: nothing is served for an unknown one
    assert requests.get(srv.url + WK + "/t2", timeout=10).status_code == 404
    assert metadata(srv)["issuer"] == srv.url


def test_client_credentials_token_without_scopes_has_no_scope_member(server):
    c = create_client(server, "--name", "Bare", "--grant", "client_credentials")
    r = cc_token(server, c)
    assert r.status_code == 200, r.text
    body = r.json()
    assert "scope" not in body  # never "scope": ""
    assert body["access_token"] and body["token_type"] == "Bearer"


def test_invalid_scope_names_the_scope(server):
    c = create_client(server, "--name", "API", "--scope", "orders",
                      "--grant", "client_credentials")
    r = cc_token(server, c, scope="orders admin")
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_scope"
    assert "'admin'" in r.json()["error_description"]


def test_invalid_scope_at_authorize_names_the_scope(server):
    make_user(server)
    c = make_client(server)
    r = requests.get(authorize_url(server, response_type="code", client_id=c["client_id"],
                                   redirect_uri="http://127.0.0.1:9/cb", scope="profile wallet",
                                   state="s1"), allow_redirects=False, timeout=10)
    p = redirect_params(r)
    assert p["error"] == "invalid_scope" and "'wallet'" in p["error_description"]
    assert p["state"] == "s1"


def test_userinfo_insufficient_scope_has_bearer_challenge(server):
    # a client-credentials token is valid but speaks for no user (RFC 6750 §3.1)
    c = create_client(server, "--name", "API", "--grant", "client_credentials")
    at = cc_token(server, c).json()["access_token"]
    r = requests.get(server.url + "/userinfo", headers={"Authorization": "Bearer " + at},
                     timeout=10)
    assert r.status_code == 403
    assert r.json()["error"] == "insufficient_scope"
    challenge = r.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer ")
    assert f'realm="{server.url}"' in challenge
    assert 'error="insufficient_scope"' in challenge


def test_refusals_keep_their_status_and_challenge(server):
    c = make_client(server)
    # invalid_client after Basic: 401 with a Basic challenge (RFC 6749 §5.2)
    r = requests.post(server.url + "/token", data={"grant_type": "client_credentials"},
                      auth=(c["client_id"], "wrong"), timeout=10)
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    assert r.headers["WWW-Authenticate"].startswith("Basic ")
    # no token at a bearer resource: 401 with a bare challenge, no error attribute
    r = requests.get(server.url + "/userinfo", timeout=10)
    assert r.status_code == 401 and r.headers["WWW-Authenticate"] == \
        f'Bearer realm="{server.url}"'
    assert "error" not in r.json()
    # an unknown token: invalid_token in body and challenge
    r = requests.get(server.url + "/userinfo", headers={"Authorization": "Bearer nope"},
                     timeout=10)
    assert r.status_code == 401 and r.json()["error"] == "invalid_token"
    assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]
    # a code flow still works end to end through the same answers
    make_user(server)
    code = redirect_params(Agent(server).authorize(
        authorize_url(server, response_type="code", client_id=c["client_id"],
                      redirect_uri="http://127.0.0.1:9/cb", scope="profile", state="z")))["code"]
    r = exchange(server, c, code, redirect_uri="http://127.0.0.1:9/cb")
    assert r.status_code == 200 and r.json()["scope"] == "profile"


def test_userinfo_takes_the_token_from_a_post_form_body_once(server):
    # RFC 6750 §2.2, as the OpenID conformance suite's oidcc-userinfo-post-body sends it
    c = make_client(server)
    make_user(server)
    code = redirect_params(Agent(server).authorize(
        authorize_url(server, response_type="code", client_id=c["client_id"],
                      redirect_uri="http://127.0.0.1:9/cb", scope="profile", state="z")))["code"]
    at = exchange(server, c, code, redirect_uri="http://127.0.0.1:9/cb").json()["access_token"]
    url = server.url + "/userinfo"
    by_header = requests.get(url, headers={"Authorization": "Bearer " + at}, timeout=10)
    assert by_header.status_code == 200
    r = requests.post(url, data={"access_token": at}, timeout=10)
    assert r.status_code == 200, r.text
    assert r.json() == by_header.json()
    # an unknown token in the body: the header's answer
    r = requests.post(url, data={"access_token": "nope"}, timeout=10)
    assert r.status_code == 401 and r.json()["error"] == "invalid_token"
    assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]
    # one method per request (RFC 6750 §2), and one token
    for kw in ({"headers": {"Authorization": "Bearer " + at}, "data": {"access_token": at}},
               {"data": [("access_token", at), ("access_token", at)]}):
        r = requests.post(url, timeout=10, **kw)
        assert r.status_code == 400 and r.json()["error"] == "invalid_request", r.text
        assert 'error="invalid_request"' in r.headers["WWW-Authenticate"]
    # never from the query string (§2.3), of a GET or a POST
    r = requests.get(url, params={"access_token": at}, timeout=10)
    assert r.status_code == 401 and "error" not in r.json()
    r = requests.post(url, params={"access_token": at}, timeout=10)
    assert r.status_code == 401 and "error" not in r.json()
