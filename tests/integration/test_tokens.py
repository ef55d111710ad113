"""POST /token beyond the code exchange (grantd issue 4): refresh-token rotation, reuse
detection and its grace window, scope narrowing, lifetimes (global and per client), disabled
users and clients, client credentials, the account member, real client libraries (oauthlib,
authlib) doing refresh and client credentials, JWT access tokens checked with PyJWT against
/jwks.json before and after `grantd key rotate`, a SIGTERM under client-credentials load
(deferred /token answers: every token answered 200 is stored), and the discovery document."""
import concurrent.futures
import json
import signal
import subprocess
import threading
import time

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import ec
from authlib.integrations.requests_client import OAuth2Session as AuthlibSession
from oauthlib.oauth2 import BackendApplicationClient
from requests_oauthlib import OAuth2Session as OAuthlibSession

from conftest import ON_PG, create_client
from flow import (Agent, authorize_url, exchange, is_public, make_client, make_user, pkce_pair,
                  redirect_params, userinfo, with_client_auth)

CB = "http://127.0.0.1:9/cb"
INACTIVE = {"active": False}


# ---- helpers ----------------------------------------------------------------------------------

def token_post(server, client, data, auth=None, json_body=False):
    data, kw = with_client_auth(client, data, auth)
    if json_body:
        kw["json"] = data
    else:
        kw["data"] = data
    return requests.post(server.url + "/token", timeout=15, **kw)


def refresh(server, client, rt, scope=None, auth=None, json_body=False):
    data = {"grant_type": "refresh_token", "refresh_token": rt}
    if scope is not None:
        data["scope"] = scope
    return token_post(server, client, data, auth, json_body)


def client_credentials(server, client, scope=None, auth=None):
    data = {"grant_type": "client_credentials"}
    if scope is not None:
        data["scope"] = scope
    return token_post(server, client, data, auth)


def introspect(server, caller, token, hint=None):
    data = {"token": token}
    if hint:
        data["token_type_hint"] = hint
    data, kw = with_client_auth(caller, data)
    return requests.post(server.url + "/introspect", data=data, timeout=15, **kw)


def introspect_json(server, caller, token, hint=None):
    r = introspect(server, caller, token, hint)
    assert r.status_code == 200, r.text
    return r.json()


def grant(server, client, agent=None, scope=None, username="alice"):
    """The authorization-code flow with PKCE for client; the token endpoint's JSON answer."""
    agent = agent or Agent(server)
    verifier, challenge = pkce_pair()
    params = {"response_type": "code", "client_id": client["client_id"], "redirect_uri": CB,
              "code_challenge": challenge, "code_challenge_method": "S256"}
    if scope is not None:
        params["scope"] = scope
    q = redirect_params(agent.authorize(authorize_url(server, **params), username=username))
    r = exchange(server, client, q["code"], CB, verifier,
                 auth="none" if is_public(client) else "basic")
    assert r.status_code == 200, r.text
    return r.json()


def assert_error(r, status, error):
    assert r.status_code == status, (r.status_code, r.text)
    assert r.json()["error"] == error, r.text


def assert_refresh_answer(r, scope="profile email"):
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "Bearer"
    assert isinstance(body["expires_in"], int) and body["expires_in"] > 0
    if scope is not None:
        assert body["scope"] == scope
    assert body["access_token"] and body["refresh_token"]
    assert r.headers["Cache-Control"] == "no-store"
    return body


def wait_until(predicate, timeout=3.0, step=0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)


def start(server, *client_args, **kw):
    make_user(server)
    return make_client(server, *client_args, **kw)


def observer(server):
    """A client that may introspect every token of the issuer."""
    return create_client(server, "--name", "Observer", "--grant", "client_credentials",
                         "--introspect-any")


# ---- rotation -------------------------------------------------------------------------------

def test_refresh_rotates_both_tokens(server):
    client = start(server)
    first = grant(server, client)
    seen_at, seen_rt = {first["access_token"]}, {first["refresh_token"]}
    rt = first["refresh_token"]
    for _ in range(3):
        body = assert_refresh_answer(refresh(server, client, rt))
        assert body["access_token"] not in seen_at and body["refresh_token"] not in seen_rt
        seen_at.add(body["access_token"])
        seen_rt.add(body["refresh_token"])
        assert body["expires_in"] == 3600
        me = userinfo(server, body["access_token"])
        assert me.status_code == 200 and me.json()["username"] == "alice"
        rt = body["refresh_token"]
    # the newest refresh token is the only live one of the chain
    assert introspect_json(server, client, rt)["active"] is True
    for old in seen_rt - {rt}:
        assert introspect(server, client, old).json() == INACTIVE


@pytest.mark.parametrize("auth", ["basic", "post"])
def test_refresh_with_both_secret_methods(server, auth):
    client = start(server)
    rt = grant(server, client)["refresh_token"]
    assert_refresh_answer(refresh(server, client, rt, auth=auth))


def test_refresh_public_client_without_secret(server):
    client = start(server, "--public")
    rt = grant(server, client)["refresh_token"]
    body = assert_refresh_answer(refresh(server, client, rt, auth="none"))
    assert userinfo(server, body["access_token"]).status_code == 200
    # a public client still has to say who it is
    r = requests.post(server.url + "/token", data={"grant_type": "refresh_token",
                                                   "refresh_token": body["refresh_token"]},
                      timeout=10)
    assert r.status_code in (400, 401) and r.json()["error"] in ("invalid_client",
                                                                 "invalid_request")


def test_refresh_with_json_body(server):
    client = start(server)
    rt = grant(server, client)["refresh_token"]
    body = assert_refresh_answer(refresh(server, client, rt, auth="post", json_body=True))
    body = assert_refresh_answer(refresh(server, client, body["refresh_token"], json_body=True))
    pub = make_client(server, "--public")
    rt = grant(server, pub)["refresh_token"]
    assert_refresh_answer(refresh(server, pub, rt, auth="none", json_body=True))


def test_refresh_without_or_with_unknown_token(server):
    client = start(server)
    r = token_post(server, client, {"grant_type": "refresh_token"})
    assert_error(r, 400, "invalid_request")
    assert_error(refresh(server, client, "A" * 43), 400, "invalid_grant")
    assert_error(refresh(server, client, "not a token!"), 400, "invalid_grant")


def test_access_and_refresh_tokens_are_not_interchangeable(server):
    client = start(server)
    body = grant(server, client)
    assert userinfo(server, body["refresh_token"]).status_code == 401
    assert_error(refresh(server, client, body["access_token"]), 400, "invalid_grant")
    # neither mistake cost the family anything
    assert userinfo(server, body["access_token"]).status_code == 200
    assert_refresh_answer(refresh(server, client, body["refresh_token"]))


def test_reuse_of_a_rotated_token_revokes_the_family(server):
    client = start(server)
    agent = Agent(server)
    first = grant(server, client, agent)
    second = assert_refresh_answer(refresh(server, client, first["refresh_token"]))
    third = assert_refresh_answer(refresh(server, client, second["refresh_token"]))
    other_family = grant(server, client, agent)  # a separate authorization, same user+client
    assert userinfo(server, third["access_token"]).status_code == 200

    assert_error(refresh(server, client, first["refresh_token"]), 400, "invalid_grant")

    # every token of the family is dead, the newest ones included
    assert userinfo(server, third["access_token"]).status_code == 401
    for tok in (first["access_token"], second["access_token"], third["access_token"],
                second["refresh_token"], third["refresh_token"]):
        assert introspect(server, client, tok).json() == INACTIVE
    assert_error(refresh(server, client, third["refresh_token"]), 400, "invalid_grant")
    # the other authorization of the same user and client is untouched
    assert userinfo(server, other_family["access_token"]).status_code == 200
    assert_refresh_answer(refresh(server, client, other_family["refresh_token"]))


def test_refresh_token_is_bound_to_its_client(server):
    client = start(server)
    other = make_client(server)
    public = make_client(server, "--public")
    rt = grant(server, client)["refresh_token"]
    assert_error(refresh(server, other, rt), 400, "invalid_grant")
    assert_error(refresh(server, other, rt, auth="post"), 400, "invalid_grant")
    assert_error(refresh(server, public, rt, auth="none"), 400, "invalid_grant")
    assert_error(refresh(server, other, rt, json_body=True), 400, "invalid_grant")


def test_scope_may_narrow_but_never_widen(server):
    client = start(server, scope="profile email phone")
    first = grant(server, client, scope="profile email")
    r = refresh(server, client, first["refresh_token"], scope="profile")
    narrowed = assert_refresh_answer(r, scope="profile")
    assert introspect_json(server, client, narrowed["access_token"])["scope"] == "profile"
    # wider than the grant: a scope the client has but the user did not grant, or unknown
    for scope in ("profile email phone", "phone", "profile admin"):
        assert_error(refresh(server, client, narrowed["refresh_token"], scope=scope), 400,
                     "invalid_scope")
    # a refused request does not consume the refresh token, which keeps the original grant
    again = assert_refresh_answer(refresh(server, client, narrowed["refresh_token"],
                                          scope="email profile"),
                                  scope=None)
    assert sorted(again["scope"].split()) == ["email", "profile"]
    plain = assert_refresh_answer(refresh(server, client, again["refresh_token"]), scope=None)
    assert sorted(plain["scope"].split()) == ["email", "profile"]


def test_refresh_works_after_the_access_token_expired(server, clock):
    client = start(server)
    first = grant(server, client)
    assert first["expires_in"] == 3600
    clock.advance(3601)
    assert userinfo(server, first["access_token"]).status_code == 401
    assert introspect(server, client, first["access_token"]).json() == INACTIVE
    body = assert_refresh_answer(refresh(server, client, first["refresh_token"]))
    assert body["expires_in"] == 3600
    assert userinfo(server, body["access_token"]).status_code == 200


# ---- the grace window -------------------------------------------------------------------------

def test_grace_window_replay_gets_the_same_answer(make_server):
    srv = make_server(config_text="lifetimes = { refresh_grace = 30; };\n")
    client = start(srv)
    other = make_client(srv)
    rt = grant(srv, client)["refresh_token"]
    r1 = refresh(srv, client, rt)
    assert_refresh_answer(r1)
    r2 = refresh(srv, client, rt)
    assert r2.status_code == 200, r2.text
    assert r2.content == r1.content
    # the grace answer is the client's alone
    assert_error(refresh(srv, other, rt), 400, "invalid_grant")
    # nothing was revoked: the tokens handed out work
    body = r1.json()
    assert userinfo(srv, body["access_token"]).status_code == 200
    assert_refresh_answer(refresh(srv, client, body["refresh_token"]))


def test_grace_window_gives_nothing_once_the_family_is_revoked(make_server):
    srv = make_server(config_text="lifetimes = { refresh_grace = 30; };\n")
    client = start(srv)
    rt = grant(srv, client)["refresh_token"]
    body = assert_refresh_answer(refresh(srv, client, rt))
    data, kw = with_client_auth(client, {"token": body["refresh_token"]})
    assert requests.post(srv.url + "/revoke", data=data, timeout=10, **kw).status_code == 200
    assert_error(refresh(srv, client, rt), 400, "invalid_grant")
    assert introspect(srv, client, body["access_token"]).json() == INACTIVE


def test_reuse_after_the_grace_window_revokes_the_family(make_server, clock):
    srv = make_server(config_text="lifetimes = { refresh_grace = 30; };\n")
    client = start(srv)
    rt = grant(srv, client)["refresh_token"]
    r1 = refresh(srv, client, rt)
    body = assert_refresh_answer(r1)
    # late in the window (5 s of it left for this machine's own slowness): the same answer
    clock.advance(25)
    again = refresh(srv, client, rt)
    assert again.status_code == 200 and again.content == r1.content, again.text
    clock.advance(6)
    assert_error(refresh(srv, client, rt), 400, "invalid_grant")
    assert userinfo(srv, body["access_token"]).status_code == 401
    assert introspect(srv, client, body["access_token"]).json() == INACTIVE
    assert_error(refresh(srv, client, body["refresh_token"]), 400, "invalid_grant")


def parallel_refresh(srv, client, rt, n=32):
    barrier_session = [requests.Session() for _ in range(n)]

    def one(i):
        data, kw = with_client_auth(client, {"grant_type": "refresh_token", "refresh_token": rt})
        return barrier_session[i].post(srv.url + "/token", data=data, timeout=30, **kw)

    with concurrent.futures.ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))


def test_32_parallel_refreshes_without_grace_one_wins_then_family_revoked(server):
    client = start(server)
    rt = grant(server, client)["refresh_token"]
    answers = parallel_refresh(server, client, rt)
    ok = [r for r in answers if r.status_code == 200]
    assert len(ok) == 1, [(r.status_code, r.text[:80]) for r in answers]
    for r in answers:
        if r.status_code != 200:
            assert_error(r, 400, "invalid_grant")
    winner = ok[0].json()
    assert introspect(server, client, winner["access_token"]).json() == INACTIVE
    assert userinfo(server, winner["access_token"]).status_code == 401
    assert_error(refresh(server, client, winner["refresh_token"]), 400, "invalid_grant")


def test_32_parallel_refreshes_with_grace_all_get_the_same_answer(make_server):
    srv = make_server(config_text="lifetimes = { refresh_grace = 30; };\n")
    client = start(srv)
    rt = grant(srv, client)["refresh_token"]
    answers = parallel_refresh(srv, client, rt)
    assert all(r.status_code == 200 for r in answers), \
        [(r.status_code, r.text[:80]) for r in answers if r.status_code != 200]
    bodies = {r.content for r in answers}
    assert len(bodies) == 1, bodies
    body = answers[0].json()
    assert len({(r.json()["access_token"], r.json()["refresh_token"]) for r in answers}) == 1
    assert introspect_json(srv, client, body["access_token"])["active"] is True
    assert userinfo(srv, body["access_token"]).status_code == 200
    assert_refresh_answer(refresh(srv, client, body["refresh_token"]))


# ---- lifetimes --------------------------------------------------------------------------------

def test_refresh_lifetime_in_seconds(make_server, clock):
    srv = make_server(config_text="lifetimes = { refresh_token = 600; };\n")
    client = start(srv)
    agent = Agent(srv)
    unused = grant(srv, client, agent)
    info = introspect_json(srv, client, unused["refresh_token"])
    assert info["active"] is True and info["exp"] - info["iat"] == 600
    used = grant(srv, client, agent)
    rotated = assert_refresh_answer(refresh(srv, client, used["refresh_token"]))
    clock.advance(590)
    assert introspect_json(srv, client, unused["refresh_token"])["active"] is True
    clock.advance(11)
    assert_error(refresh(srv, client, unused["refresh_token"]), 400, "invalid_grant")
    assert_error(refresh(srv, client, rotated["refresh_token"]), 400, "invalid_grant")
    assert introspect(srv, client, unused["refresh_token"]).json() == INACTIVE


@pytest.mark.parametrize("config", [None, 'lifetimes = { refresh_token = "never"; };\n'])
def test_refresh_lifetime_never(make_server, config):
    srv = make_server(config_text=config)
    client = start(srv)
    body = grant(srv, client)
    info = introspect_json(srv, client, body["refresh_token"])
    assert info["active"] is True and info["token_type"] == "refresh_token"
    assert "exp" not in info
    assert_refresh_answer(refresh(srv, client, body["refresh_token"]))


def test_per_client_lifetimes(make_server, clock):
    srv = make_server(config_text="lifetimes = { refresh_token = 60; };\n")
    make_user(srv)
    short = make_client(srv, "--access-ttl", "300", "--refresh-ttl", "120", "--code-ttl", "30")
    forever = make_client(srv, "--refresh-ttl", "never")
    agent = Agent(srv)

    body = grant(srv, short, agent)
    assert body["expires_in"] == 300
    info = introspect_json(srv, short, body["access_token"])
    assert info["exp"] - info["iat"] == 300
    info = introspect_json(srv, short, body["refresh_token"])
    assert info["exp"] - info["iat"] == 120
    assert assert_refresh_answer(refresh(srv, short, body["refresh_token"]))["expires_in"] == 300
    short_rt = grant(srv, short, agent)["refresh_token"]
    long_rt = grant(srv, forever, agent)["refresh_token"]
    assert "exp" not in introspect_json(srv, forever, long_rt)
    # the code lifetime: a code older than --code-ttl is refused
    verifier, challenge = pkce_pair()
    q = redirect_params(agent.authorize(authorize_url(
        srv, response_type="code", client_id=short["client_id"], redirect_uri=CB,
        code_challenge=challenge, code_challenge_method="S256")))
    # past the code's 30 s and the short refresh token's 120 s, and past the server's 60 s
    # that the client's "never" overrides
    clock.advance(121)
    assert_error(exchange(srv, short, q["code"], CB, verifier), 400, "invalid_grant")
    assert_error(refresh(srv, short, short_rt), 400, "invalid_grant")
    assert_refresh_answer(refresh(srv, forever, long_rt))


def test_per_client_refresh_ttl_under_the_default_never(server, clock):
    make_user(server)
    client = make_client(server, "--refresh-ttl", "600")
    rt = grant(server, client)["refresh_token"]
    clock.advance(601)
    assert_error(refresh(server, client, rt), 400, "invalid_grant")


# ---- disabled users and clients -----------------------------------------------------------------

def test_disabled_user_cannot_refresh(server):
    client = start(server)
    body = grant(server, client)
    server.cli("user", "disable", "alice")
    assert_error(refresh(server, client, body["refresh_token"]), 400, "invalid_grant")


def parse_secret(text):
    for line in text.splitlines():
        if line.strip().startswith("client_secret:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"no client_secret line in {text!r}")


def test_client_disable_kills_tokens_and_enable_starts_over(server):
    client = start(server)
    obs = observer(server)
    agent = Agent(server)
    body = grant(server, client, agent)
    # consent is remembered: a second authorization redirects at once
    url = authorize_url(server, response_type="code", client_id=client["client_id"],
                        redirect_uri=CB, scope="profile email")
    assert agent.get(url).status_code in (302, 303)
    server.cli("client", "disable", client["client_id"])

    # its tokens are inactive at once
    assert introspect(server, obs, body["access_token"]).json() == INACTIVE
    assert introspect(server, obs, body["refresh_token"]).json() == INACTIVE
    assert userinfo(server, body["access_token"]).status_code == 401
    # and the client cannot authenticate (within the 1 s client cache)
    refused = wait_until(lambda: refresh(server, client, body["refresh_token"]).status_code == 401)
    assert refused
    assert_error(refresh(server, client, body["refresh_token"]), 401, "invalid_client")
    assert introspect(server, client, body["access_token"]).status_code == 401

    out = server.cli("client", "enable", client["client_id"]).stdout
    new_secret = parse_secret(out)
    assert new_secret and new_secret != client["client_secret"]
    renewed = dict(client, client_secret=new_secret)
    # the new secret works (within the client cache's second), the old one does not
    assert wait_until(lambda: refresh(server, renewed, "x" * 43).status_code == 400)
    assert_error(refresh(server, renewed, "x" * 43), 400, "invalid_grant")
    assert_error(refresh(server, client, "x" * 43), 401, "invalid_client")
    # old tokens stay dead
    assert_error(refresh(server, renewed, body["refresh_token"]), 400, "invalid_grant")
    assert userinfo(server, body["access_token"]).status_code == 401
    assert introspect(server, renewed, body["access_token"]).json() == INACTIVE
    assert introspect(server, obs, body["refresh_token"]).json() == INACTIVE
    # the user is asked for consent again
    r = agent.get(url)
    assert r.status_code == 200 and 'value="authorize"' in r.text, (r.status_code,
                                                                   r.headers.get("Location"))
    fresh = grant(server, renewed, agent)
    assert userinfo(server, fresh["access_token"]).status_code == 200
    assert_refresh_answer(refresh(server, renewed, fresh["refresh_token"]))


def test_client_enable_json_prints_the_new_secret(server):
    c = create_client(server, "--name", "svc", "--grant", "client_credentials",
                      "--scope", "orders")
    tok = client_credentials(server, c).json()["access_token"]
    server.cli("client", "disable", c["client_id"])
    out = json.loads(server.cli("client", "enable", c["client_id"], "--json").stdout)
    assert out["client_secret"] and out["client_secret"] != c["client_secret"]
    renewed = dict(c, client_secret=out["client_secret"])
    assert wait_until(lambda: client_credentials(server, renewed).status_code == 200)
    assert introspect(server, renewed, tok).json() == INACTIVE
    assert wait_until(lambda: client_credentials(server, c).status_code == 401)


# ---- client credentials -----------------------------------------------------------------------

def cc_client(server, *args, scope="orders inventory"):
    return create_client(server, "--name", "Service", "--grant", "client_credentials",
                         "--scope", scope, *args)


def test_client_credentials_with_json_body(server):
    c = cc_client(server)
    r = token_post(server, c, {"grant_type": "client_credentials", "scope": "inventory"},
                   auth="post", json_body=True)
    assert r.status_code == 200 and r.json()["scope"] == "inventory", r.text


@pytest.mark.parametrize("auth", ["basic", "post"])
def test_client_credentials_answer(server, auth):
    c = cc_client(server)
    r = client_credentials(server, c, auth=auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}, body
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert sorted(body["scope"].split()) == ["inventory", "orders"]
    assert r.headers["Cache-Control"] == "no-store"
    narrow = client_credentials(server, c, scope="orders", auth=auth)
    assert narrow.status_code == 200 and narrow.json()["scope"] == "orders"
    assert "refresh_token" not in narrow.json()
    # no user behind it: /userinfo refuses with 403
    assert userinfo(server, body["access_token"]).status_code == 403
    info = introspect_json(server, c, body["access_token"])
    assert info["active"] is True and info["client_id"] == c["client_id"]
    assert "username" not in info


def test_client_credentials_scope_is_limited_to_the_registration(server):
    c = cc_client(server)
    for scope in ("orders admin", "admin", "profile"):
        assert_error(client_credentials(server, c, scope=scope), 400, "invalid_scope")


def test_client_credentials_only_for_clients_registered_for_it(server):
    make_user(server)
    plain = make_client(server)  # authorization_code + refresh_token
    assert_error(client_credentials(server, plain), 400, "unauthorized_client")
    public = make_client(server, "--public")
    r = client_credentials(server, public, auth="none")
    assert (r.status_code, r.json()["error"]) in ((400, "unauthorized_client"),
                                                  (401, "invalid_client")), r.text
    assert "access_token" not in r.json()
    r = client_credentials(server, dict(plain, client_secret="wrong"))
    assert_error(r, 401, "invalid_client")


# ---- shutdown under load ------------------------------------------------------------------------

LOAD_THREADS = 16


def _token_load(srv, client, signalled, stop):
    """LOAD_THREADS threads posting client_credentials on keep-alive sessions until stop is
    set or the server goes away. Returns (threads, answers, early_errors): answers are
    (status, body text) of every response, early_errors the exceptions raised before
    signalled was set (a connection error is only allowed once the server was told to stop)."""
    answers, early_errors, lock = [], [], threading.Lock()

    def run():
        http = requests.Session()
        http.auth = (client["client_id"], client["client_secret"])
        while not stop.is_set():
            try:
                r = http.post(srv.url + "/token", data={"grant_type": "client_credentials"},
                              timeout=10)
            except requests.RequestException as e:
                if not signalled.is_set():
                    with lock:
                        early_errors.append(repr(e))
                return
            with lock:
                answers.append((r.status_code, r.text))

    threads = [threading.Thread(target=run, daemon=True) for _ in range(LOAD_THREADS)]
    for t in threads:
        t.start()
    return threads, answers, early_errors


@pytest.mark.parametrize("fmt", ["opaque", "jwt"])
def test_sigterm_under_token_load_loses_no_issued_token(make_server, tmp_path, fmt):
    """POST /token answers only once its tokens are committed (the connection waits,
    suspended, for the store's writer thread). A SIGTERM while 16 clients keep asking must
    still exit 0 within a few seconds, with every suspended answer either sent as a 200 or
    dropped with the connection, and every token that was answered 200 must be in the
    database: a server restarted on it says active for each one (the writer drains its
    queue before the store closes). Client-credentials JWTs are stored nowhere: they are
    answered at once, and the restarted server must still find each one active by its
    signature. Both servers have one issuer URL: a self-contained token names its issuer,
    and a server listening on another port with no issuer configured is another issuer."""
    issuer = ("--issuer", "http://grantd.test")
    srv = make_server(extra_args=issuer)
    c = cc_client(srv, "--access-token-format", fmt)
    at_rest = srv.stored_bytes()
    signalled, stop = threading.Event(), threading.Event()
    threads, answers, early_errors = _token_load(srv, c, signalled, stop)
    try:
        assert wait_until(lambda: len(answers) >= 200, timeout=5, step=0.05), \
            f"only {len(answers)} answers in 5 s"
        time.sleep(0.5)
        before = len(answers)
        # hundreds of JWTs answered and not one byte of the database changed
        assert fmt != "jwt" or srv.stored_bytes() == at_rest
        signalled.set()
        t0 = time.monotonic()
        srv.proc.send_signal(signal.SIGTERM)
        try:
            code = srv.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            raise AssertionError("grantd still running 5 s after SIGTERM under /token load:\n"
                                 + srv.log_text()[-4000:])
        took = time.monotonic() - t0
    finally:
        stop.set()
        for t in threads:
            t.join(15)
    assert code == 0, f"grantd exited {code}:\n{srv.log_text()[-4000:]}"
    assert took < 5
    assert not early_errors, early_errors[:5]
    assert not any(t.is_alive() for t in threads)
    bad = [(status, text[:200]) for status, text in answers
           if status != 200 or "access_token" not in json.loads(text)]
    assert not bad, f"{len(bad)} answers were not 200 with a token, e.g. {bad[:5]}"
    tokens = [json.loads(text)["access_token"] for _, text in answers]
    assert len(set(tokens)) == len(tokens)
    # the writer thread committed them (and logged its batches when the store closed);
    # JWTs took no write at all
    stats = srv.wait_event("store_writer_stats", timeout=2)
    if fmt == "opaque" and ON_PG:
        # PostgreSQL commits each token before its answer; no writer batches them (yet)
        assert not stats or stats["jobs"] >= len(tokens), stats
    elif fmt == "opaque":
        assert stats and stats["jobs"] >= len(tokens), stats
    else:
        assert not stats or stats["jobs"] < 10, stats

    # the check introspects every token at once, well over one client's default rate
    # (rate_limits.introspect: 1,000 a second, test_rate_limits.py): off for it
    again = make_server("rate_limits = { introspect = { rate = 0; }; };\n", workdir=tmp_path,
                        extra_args=issuer)

    def active(token):
        r = introspect(again, c, token)
        return token if r.status_code != 200 or r.json().get("active") is not True else None

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        missing = [t for t in pool.map(active, tokens) if t]
    assert not missing, (f"{len(missing)} of {len(tokens)} tokens answered 200 before SIGTERM "
                         f"({before} before the signal) are not in the database")


# ---- the account member ---------------------------------------------------------------------

def test_account_member_in_code_and_refresh_answers(make_server):
    srv = make_server(config_text='account_member = "corporate_account_id";\n')
    client = start(srv)
    body = grant(srv, client)
    assert body["corporate_account_id"] == "acct-42"
    again = assert_refresh_answer(refresh(srv, client, body["refresh_token"]))
    assert again["corporate_account_id"] == "acct-42"
    svc = cc_client(srv)
    assert "corporate_account_id" not in client_credentials(srv, svc).json()


def test_no_account_member_without_the_setting(server):
    client = start(server)
    body = grant(server, client)
    again = assert_refresh_answer(refresh(server, client, body["refresh_token"]))
    assert "corporate_account_id" not in body and "corporate_account_id" not in again
    assert "acct-42" not in json.dumps(again)


# ---- client libraries -------------------------------------------------------------------------

@pytest.fixture
def insecure_oauthlib(monkeypatch):
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


def test_requests_oauthlib_refresh_token(server, insecure_oauthlib):
    client = start(server)
    token = grant(server, client)
    oauth = OAuthlibSession(client["client_id"], token=token)
    new = oauth.refresh_token(server.url + "/token", refresh_token=token["refresh_token"],
                              auth=(client["client_id"], client["client_secret"]))
    assert new["access_token"] != token["access_token"]
    assert new["refresh_token"] != token["refresh_token"]
    me = oauth.get(server.url + "/userinfo")
    assert me.status_code == 200 and me.json()["username"] == "alice"
    # the library's second refresh uses the rotated token it now holds
    newer = oauth.refresh_token(server.url + "/token", refresh_token=new["refresh_token"],
                                auth=(client["client_id"], client["client_secret"]))
    assert newer["refresh_token"] != new["refresh_token"]


def test_authlib_refresh_token(server):
    client = start(server)
    token = grant(server, client)
    oauth = AuthlibSession(client["client_id"], client["client_secret"], token=token)
    new = oauth.refresh_token(server.url + "/token", refresh_token=token["refresh_token"])
    assert new["access_token"] != token["access_token"]
    assert oauth.get(server.url + "/userinfo").json()["username"] == "alice"
    pub = make_client(server, "--public")
    token = grant(server, pub)
    oauth = AuthlibSession(pub["client_id"], token=token, token_endpoint_auth_method="none")
    new = oauth.refresh_token(server.url + "/token", refresh_token=token["refresh_token"])
    assert new["refresh_token"] != token["refresh_token"]
    assert oauth.get(server.url + "/userinfo").status_code == 200


def test_authlib_automatic_refresh_of_an_expired_token(server, clock):
    # authlib decides that the token expired with its own clock, which conftest moves too
    client = start(server)
    token = grant(server, client)
    updates = []
    oauth = AuthlibSession(client["client_id"], client["client_secret"], token=token,
                           token_endpoint=server.url + "/token",
                           update_token=lambda t, **kw: updates.append(t))
    assert oauth.get(server.url + "/userinfo").status_code == 200 and not updates
    clock.advance(3601)
    assert userinfo(server, token["access_token"]).status_code == 401
    assert oauth.get(server.url + "/userinfo").status_code == 200
    assert len(updates) == 1 and updates[0]["refresh_token"] != token["refresh_token"]


def test_authlib_client_credentials(server):
    c = cc_client(server)
    oauth = AuthlibSession(c["client_id"], c["client_secret"], scope="orders")
    token = oauth.fetch_token(server.url + "/token", grant_type="client_credentials")
    assert token["scope"] == "orders" and "refresh_token" not in token
    assert introspect_json(server, c, token["access_token"])["active"] is True


def test_requests_oauthlib_backend_application_client(server, insecure_oauthlib):
    c = cc_client(server)
    backend = BackendApplicationClient(client_id=c["client_id"], scope=["orders"])
    oauth = OAuthlibSession(client=backend, scope=["orders"])
    token = oauth.fetch_token(server.url + "/token", client_id=c["client_id"],
                              client_secret=c["client_secret"])
    assert token["token_type"] == "Bearer" and token["scope"] == ["orders"]
    assert "refresh_token" not in token
    assert oauth.get(server.url + "/userinfo").status_code == 403


# ---- JWT access tokens ------------------------------------------------------------------------

def jwks(server):
    r = requests.get(server.url + "/jwks.json", timeout=10)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/")
    keys = r.json()["keys"]
    for k in keys:
        assert "d" not in k and "p" not in k and "q" not in k, "private key material published"
    return {k["kid"]: k for k in keys}


def verify_jwt(server, token, alg="ES256"):
    header = jwt.get_unverified_header(token)
    assert header["typ"] == "at+jwt" and header["alg"] == alg and header["kid"]
    keys = jwks(server)
    assert header["kid"] in keys, (header["kid"], list(keys))
    key = jwt.PyJWK(keys[header["kid"]], algorithm=alg)
    claims = jwt.decode(token, key.key, algorithms=[alg], audience=server.url,
                        issuer=server.url,
                        options={"require": ["iss", "sub", "aud", "exp", "iat", "jti"]})
    return header, claims


def test_jwt_access_token_for_a_user(server):
    client = start(server, "--access-token-format", "jwt")
    body = grant(server, client)
    header, claims = verify_jwt(server, body["access_token"])
    me = userinfo(server, body["access_token"])
    assert me.status_code == 200
    assert claims["sub"] == me.json()["sub"]
    assert claims["aud"] == server.url
    assert claims["client_id"] == client["client_id"]
    assert claims["scope"] == "profile email"
    assert claims["exp"] - claims["iat"] == 3600
    # PyJWKClient, as a resource server would use it
    signing = jwt.PyJWKClient(server.url + "/jwks.json").get_signing_key_from_jwt(
        body["access_token"])
    jwt.decode(body["access_token"], signing.key, algorithms=["ES256"], audience=server.url)
    # refreshed tokens are JWTs too, each with its own jti; the refresh token is not
    new = assert_refresh_answer(refresh(server, client, body["refresh_token"]))
    _, claims2 = verify_jwt(server, new["access_token"])
    assert claims2["jti"] != claims["jti"]
    assert new["refresh_token"].count(".") != 2
    # introspection and revocation work as for opaque tokens
    info = introspect_json(server, client, new["access_token"])
    assert info["active"] is True and info["sub"] == claims["sub"]
    assert info["token_type"] == "Bearer"
    assert info["aud"] == claims2["aud"] == server.url  # RFC 7662: the JWT's audience
    assert "aud" not in introspect_json(server, client, new["refresh_token"])
    data, kw = with_client_auth(client, {"token": new["access_token"]})
    assert requests.post(server.url + "/revoke", data=data, timeout=10, **kw).status_code == 200
    assert introspect(server, client, new["access_token"]).json() == INACTIVE
    assert userinfo(server, new["access_token"]).status_code == 401


def test_tampered_or_unsigned_jwt_is_refused(server):
    client = start(server, "--access-token-format", "jwt")
    body = grant(server, client)
    token = body["access_token"]
    header, payload, sig = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False})
    forged_claims = dict(claims, scope="profile email admin")
    forged_payload = jwt.utils.base64url_encode(
        json.dumps(forged_claims, separators=(",", ":")).encode()).decode()
    unsigned = jwt.encode(claims, None, algorithm="none", headers={"typ": "at+jwt"})
    # the signature's last two characters changed (to AA, or BB when they are AA already)
    other_end = "BB" if sig.endswith("AA") else "AA"
    for bad in (f"{header}.{forged_payload}.{sig}", f"{header}.{payload}.", unsigned,
                f"{header}.{payload}.{sig[:-2]}{other_end}"):
        assert userinfo(server, bad).status_code == 401, bad
        assert introspect(server, client, bad).json() == INACTIVE
    assert userinfo(server, token).status_code == 200


def test_jwt_access_token_for_client_credentials(server):
    c = cc_client(server, "--access-token-format", "jwt")
    token = client_credentials(server, c, scope="orders").json()["access_token"]
    _, claims = verify_jwt(server, token)
    assert claims["sub"] == c["client_id"] and claims["client_id"] == c["client_id"]
    assert claims["scope"] == "orders"


# ---- self-contained client-credentials JWTs ----------------------------------------------------
# grantd stores nothing when it issues one (src/oauth/token_issue.h); introspection, /revoke,
# /userinfo and client disable must still treat it like any other token.

P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def revoke(server, client, token):
    data, kw = with_client_auth(client, {"token": token})
    r = requests.post(server.url + "/revoke", data=data, timeout=10, **kw)
    assert r.status_code == 200, r.text


def malleate(token):
    """The same ES256 token with the other valid signature, (r, n - s)."""
    head, body, sig = token.split(".")
    raw = jwt.utils.base64url_decode(sig)
    s = int.from_bytes(raw[32:], "big")
    other = raw[:32] + (P256_ORDER - s).to_bytes(32, "big")
    return f"{head}.{body}.{jwt.utils.base64url_encode(other).decode()}"


def test_client_credentials_jwt_is_stored_nowhere_and_introspects(server):
    c = cc_client(server, "--access-token-format", "jwt")
    before = server.stored_bytes()
    token = client_credentials(server, c, scope="orders").json()["access_token"]
    _, claims = verify_jwt(server, token)
    assert claims["jti"].startswith("sc.")
    assert server.stored_bytes() == before, "issuing a self-contained JWT wrote to the database"
    # the same check sees an opaque token being stored (answered once it is committed)
    svc = cc_client(server)
    before = server.stored_bytes()
    assert client_credentials(server, svc).status_code == 200
    assert server.stored_bytes() != before
    assert introspect_json(server, c, token) == {
        "active": True, "scope": "orders", "client_id": c["client_id"], "sub": c["client_id"],
        "token_type": "Bearer", "iat": claims["iat"], "exp": claims["exp"], "iss": server.url,
        "aud": server.url}
    # visibility as for stored tokens: not to another client, yes to an --introspect-any one
    assert introspect_json(server, cc_client(server), token) == INACTIVE
    assert introspect_json(server, observer(server), token)["active"] is True
    # a valid token without a user: /userinfo says 403 as for an opaque one, not 401
    assert userinfo(server, token).status_code == 403
    # altered claims, another signature, or a token of another server: inactive
    head, body, sig = token.split(".")
    forged = dict(claims, scope="orders inventory")
    forged_body = jwt.utils.base64url_encode(
        json.dumps(forged, separators=(",", ":")).encode()).decode()
    stranger = jwt.encode(claims, ec.generate_private_key(ec.SECP256R1()), algorithm="ES256",
                          headers={"typ": "at+jwt", "kid": jwt.get_unverified_header(token)["kid"]})
    for bad in (f"{head}.{forged_body}.{sig}", f"{head}.{body}.{sig[:-4]}AAAA", stranger,
                f"{head}.{body}."):
        assert introspect_json(server, c, bad) == INACTIVE, bad
        assert userinfo(server, bad).status_code == 401


def test_client_credentials_jwt_expires(server, clock):
    c = cc_client(server, "--access-token-format", "jwt")
    token = client_credentials(server, c).json()["access_token"]
    assert introspect_json(server, c, token)["active"] is True
    clock.advance(3590)
    assert introspect_json(server, c, token)["active"] is True
    clock.advance(11)
    assert introspect_json(server, c, token) == INACTIVE
    assert userinfo(server, token).status_code == 401


def test_revoking_a_self_contained_jwt(server):
    c = cc_client(server, "--access-token-format", "jwt")
    token = client_credentials(server, c).json()["access_token"]
    keep = client_credentials(server, c).json()["access_token"]
    twin = malleate(token)
    verify_jwt(server, twin)  # the twin is a valid token too: same claims, same jti
    revoke(server, cc_client(server, "--access-token-format", "jwt"), token)  # not its own
    assert introspect_json(server, c, token)["active"] is True
    revoke(server, c, token)
    for t in (token, twin):
        assert introspect_json(server, c, t) == INACTIVE
        assert userinfo(server, t).status_code == 401
    revoke(server, c, twin)  # revoking again answers 200 and changes nothing
    assert introspect_json(server, c, keep)["active"] is True


def test_disable_enable_delete_end_self_contained_jwts(server):
    c = cc_client(server, "--access-token-format", "jwt")
    watcher = observer(server)
    token = client_credentials(server, c).json()["access_token"]
    server.cli("client", "disable", c["client_id"])
    assert introspect_json(server, watcher, token) == INACTIVE
    enabled = json.loads(server.cli("client", "enable", c["client_id"], "--json").stdout)
    c = dict(c, client_secret=enabled["client_secret"])
    # re-enabled: its old tokens stay dead, new ones live
    assert introspect_json(server, watcher, token) == INACTIVE
    fresh = client_credentials(server, c).json()["access_token"]
    assert introspect_json(server, watcher, fresh)["active"] is True
    # deleted and created again under the same id: nothing of the old client lives on
    server.cli("client", "delete", c["client_id"])
    assert introspect_json(server, watcher, fresh) == INACTIVE
    create_client(server, "--id", c["client_id"], "--name", "Again", "--grant",
                  "client_credentials", "--scope", "orders inventory",
                  "--access-token-format", "jwt")
    assert introspect_json(server, watcher, fresh) == INACTIVE


def test_opaque_tokens_stay_the_default(server):
    c = cc_client(server)
    token = client_credentials(server, c).json()["access_token"]
    assert token.count(".") == 0


def test_rs256_keys_from_config(make_server):
    srv = make_server(config_text='keys = { alg = "RS256"; };\n')
    c = cc_client(srv, "--access-token-format", "jwt")
    token = client_credentials(srv, c).json()["access_token"]
    header, _ = verify_jwt(srv, token, alg="RS256")
    assert jwks(srv)[header["kid"]]["kty"] == "RSA"


def test_key_rotation_publishes_a_new_key_and_keeps_the_old(make_server, clock):
    srv = make_server(config_text="keys = { reload = 30; publish_ahead = 0; };\n")
    c = cc_client(srv, "--access-token-format", "jwt")
    old = client_credentials(srv, c).json()["access_token"]
    old_kid = verify_jwt(srv, old)[0]["kid"]
    assert list(jwks(srv)) == [old_kid]
    srv.cli("key", "rotate", "--config", str(srv.workdir / "grantd.conf"))
    clock.advance(31)  # keys.reload
    new = client_credentials(srv, c).json()["access_token"]
    new_kid = verify_jwt(srv, new)[0]["kid"]
    assert new_kid != old_kid
    assert set(jwks(srv)) == {old_kid, new_kid}
    # the old token still verifies: its key stays published while it lives
    verify_jwt(srv, old)
    assert introspect_json(srv, c, old)["active"] is True


def test_a_retired_key_leaves_the_jwks_once_its_tokens_expired(make_server, clock):
    srv = make_server(config_text="lifetimes = { access_token = 600; };\n"
                                  "keys = { reload = 30; publish_ahead = 0; };\n")
    c = cc_client(srv, "--access-token-format", "jwt")
    old = client_credentials(srv, c).json()["access_token"]
    old_kid = verify_jwt(srv, old)[0]["kid"]
    # the CLI reads the same config, so it knows how long the old key's tokens live
    srv.cli("key", "rotate", "--config", str(srv.workdir / "grantd.conf"))
    clock.advance(31)  # keys.reload
    new = client_credentials(srv, c).json()["access_token"]
    new_kid = verify_jwt(srv, new)[0]["kid"]
    assert set(jwks(srv)) == {old_kid, new_kid}
    # the old key's last token lives until 600 s after the rotation, and its key with it
    clock.advance(560)
    assert set(jwks(srv)) == {old_kid, new_kid}
    verify_jwt(srv, old)
    clock.advance(11)
    assert list(jwks(srv)) == [new_kid], "old key still published after its tokens expired"
    assert introspect_json(srv, c, old) == INACTIVE
    verify_jwt(srv, client_credentials(srv, c).json()["access_token"])


# ---- discovery --------------------------------------------------------------------------------

SCOPES_CONFIG = """
scopes = (
  { name = "profile"; description = "Your name and username"; },
  { name = "email"; description = "Your email address"; },
  { name = "orders"; description = "Your orders"; }
);
"""


def test_discovery_metadata(make_server):
    srv = make_server(config_text=SCOPES_CONFIG)
    r = requests.get(srv.url + "/.well-known/oauth-authorization-server", timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    m = r.json()
    u = srv.url
    assert m["issuer"] == u
    assert m["authorization_endpoint"] == u + "/authorize"
    assert m["token_endpoint"] == u + "/token"
    assert m["introspection_endpoint"] == u + "/introspect"
    assert m["revocation_endpoint"] == u + "/revoke"
    assert m["jwks_uri"] == u + "/jwks.json"
    assert m["userinfo_endpoint"] == u + "/userinfo"
    assert {"authorization_code", "refresh_token", "client_credentials"} <= \
        set(m["grant_types_supported"])
    assert m["response_types_supported"] == ["code"]
    assert {"client_secret_basic", "client_secret_post", "none"} <= \
        set(m["token_endpoint_auth_methods_supported"])
    assert m["code_challenge_methods_supported"] == ["S256"]
    assert m["scopes_supported"] == ["profile", "email", "orders"]
    assert m["authorization_response_iss_parameter_supported"] is True
    # every advertised endpoint exists
    assert requests.get(m["jwks_uri"], timeout=10).status_code == 200
    for ep in ("token_endpoint", "introspection_endpoint", "revocation_endpoint"):
        assert requests.post(m[ep], data={}, timeout=10).status_code in (400, 401)
