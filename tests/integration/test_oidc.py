"""OpenID Connect sign-in (issue 14): the ID token of the code flow and of refresh, and the
authorization request's OpenID parameters (nonce, prompt, max_age, id_token_hint,
login_hint, request objects), with their refusals. Tokens are checked the way a relying
party checks them: signature against the published JWKS (authlib's JOSE), then claims."""
import base64
import hashlib
import json
from urllib.parse import urlencode

import requests
from authlib.jose import JsonWebKey, jwt

from conftest import create_client
from flow import (Agent, authorize_url, exchange, make_client, make_user, pkce_pair,
                  redirect_params)

CB = "http://127.0.0.1:9/cb"


def oidc_client(srv, *args, scope="openid profile email"):
    return make_client(srv, "--grant", "authorization_code", "--grant", "refresh_token", *args,
                       scope=scope)


def start(srv, client, agent=None, **params):
    """An authorization request; returns (agent, first response, pkce verifier)."""
    verifier, challenge = pkce_pair()
    agent = agent or Agent(srv)
    q = dict(response_type="code", client_id=client["client_id"], redirect_uri=CB,
             scope="openid profile", code_challenge=challenge, code_challenge_method="S256",
             state="st-1")
    q.update(params)
    return agent, agent.get(authorize_url(srv, **q)), verifier


def signed_in(srv, client, **params):
    """Runs the whole browser flow; returns (agent, token answer)."""
    verifier, challenge = pkce_pair()
    agent = Agent(srv)
    q = dict(response_type="code", client_id=client["client_id"], redirect_uri=CB,
             scope="openid profile", code_challenge=challenge, code_challenge_method="S256")
    q.update(params)
    r = agent.authorize(authorize_url(srv, **q))
    tok = exchange(srv, client, redirect_params(r)["code"], CB, verifier)
    assert tok.status_code == 200, tok.text
    return agent, tok.json()


def claims_of(srv, id_token):
    """The claims of an ID token whose signature the issuer's JWKS verifies."""
    keys = JsonWebKey.import_key_set(requests.get(srv.url + "/jwks.json", timeout=10).json())
    c = jwt.decode(id_token, keys)
    header = json.loads(base64.urlsafe_b64decode(id_token.split(".")[0] + "=="))
    return header, dict(c)


def at_hash(access):
    d = hashlib.sha256(access.encode()).digest()[:16]
    return base64.urlsafe_b64encode(d).rstrip(b"=").decode()


def test_code_exchange_returns_a_signed_id_token(server, clock):
    make_user(server)
    client = oidc_client(server)
    _, tok = signed_in(server, client, nonce="n-0S6_WzA2Mj")
    header, c = claims_of(server, tok["id_token"])
    assert header["alg"] == "RS256" and header["typ"] == "JWT" and header["kid"]
    users = {u["username"]: u for u in json.loads(server.cli("user", "list", "--json").stdout)}
    assert c["iss"] == server.url and c["aud"] == client["client_id"]
    assert c["sub"] == users["alice"]["id"]
    assert c["nonce"] == "n-0S6_WzA2Mj"
    assert c["at_hash"] == at_hash(tok["access_token"])
    assert c["iat"] <= c["auth_time"] + 5 and c["exp"] > c["iat"]
    assert c["amr"] == ["pwd"]
    # the profile claims are /userinfo's (Core 1.0 §5.4), not the ID token's
    assert "name" not in c and "email" not in c


def test_a_client_registered_for_es256_gets_es256(server):
    make_user(server)
    client = oidc_client(server, "--id-token-signed-response-alg", "ES256")
    _, tok = signed_in(server, client, nonce="x")
    header, c = claims_of(server, tok["id_token"])
    assert header["alg"] == "ES256" and c["nonce"] == "x"
    # the issuer publishes both keys now: RS256 for the others, ES256 for this one
    rs = oidc_client(server)
    _, tok = signed_in(server, rs)
    assert claims_of(server, tok["id_token"])[0]["alg"] == "RS256"
    algs = sorted(k["alg"] for k in requests.get(server.url + "/jwks.json", timeout=10)
                  .json()["keys"])
    assert algs == ["ES256", "RS256"]


def test_nonce_only_when_sent_and_no_id_token_without_openid(server):
    make_user(server)
    client = oidc_client(server)
    _, tok = signed_in(server, client)
    assert "nonce" not in claims_of(server, tok["id_token"])[1]
    _, tok = signed_in(server, client, scope="profile")
    assert "id_token" not in tok and tok["scope"] == "profile"


def test_refresh_gives_a_new_id_token_naming_the_original_sign_in(server, clock):
    make_user(server)
    client = oidc_client(server)
    _, tok = signed_in(server, client, nonce="abc")
    first = claims_of(server, tok["id_token"])[1]
    clock.advance(600)
    r = requests.post(server.url + "/token", auth=(client["client_id"], client["client_secret"]),
                      data={"grant_type": "refresh_token",
                            "refresh_token": tok["refresh_token"]}, timeout=10)
    assert r.status_code == 200, r.text
    again = claims_of(server, r.json()["id_token"])[1]
    assert again["auth_time"] == first["auth_time"] and again["iat"] >= first["iat"] + 600
    assert again["sub"] == first["sub"] and again["aud"] == client["client_id"]
    assert "nonce" not in again and again["at_hash"] == at_hash(r.json()["access_token"])
    # narrowed to a scope without openid: no ID token
    r = requests.post(server.url + "/token", auth=(client["client_id"], client["client_secret"]),
                      data={"grant_type": "refresh_token", "scope": "profile",
                            "refresh_token": r.json()["refresh_token"]}, timeout=10)
    assert r.status_code == 200 and "id_token" not in r.json()


def test_openid_without_redirect_uri_is_refused_even_with_one_registered(server):
    client = oidc_client(server)
    verifier, challenge = pkce_pair()
    r = Agent(server).get(authorize_url(server, response_type="code",
                                        client_id=client["client_id"], scope="openid",
                                        code_challenge=challenge, code_challenge_method="S256"))
    assert r.status_code == 400 and "Location" not in r.headers
    assert "redirect_uri" in r.text
    # plain OAuth keeps RFC 6749's rule: the one registered URI is used
    r = Agent(server).get(authorize_url(server, response_type="code",
                                        client_id=client["client_id"], scope="profile",
                                        code_challenge=challenge, code_challenge_method="S256"))
    assert r.status_code == 200 and 'name="password"' in r.text


def test_prompt_none(server):
    make_user(server)
    client = oidc_client(server)
    # nobody signed in: login_required, at once, with state and no page
    _, r, _ = start(server, client, prompt="none")
    p = redirect_params(r)
    assert (p["error"], p["state"]) == ("login_required", "st-1") and r.status_code == 302
    # signed in, but no consent yet: consent_required
    agent = Agent(server)
    _, r, _ = start(server, client, agent=agent, scope="profile")
    r = agent.login(r)
    _, r, _ = start(server, client, agent=agent, prompt="none")
    assert redirect_params(r)["error"] == "consent_required"
    # consented: the code comes without a page
    signed_agent, _ = signed_in(server, client)
    _, r, _ = start(server, client, agent=signed_agent, prompt="none")
    assert "code" in redirect_params(r)
    # none with anything else is malformed
    _, r, _ = start(server, client, agent=signed_agent, prompt="none login")
    assert redirect_params(r)["error"] == "invalid_request"
    _, r, _ = start(server, client, prompt="select_account")
    assert redirect_params(r)["error"] == "invalid_request"


def test_prompt_login_and_max_age_ask_for_a_fresh_sign_in(server, clock):
    make_user(server)
    client = oidc_client(server)
    agent, tok = signed_in(server, client)
    first = claims_of(server, tok["id_token"])[1]
    clock.advance(120)
    for extra in ({"prompt": "login"}, {"max_age": "0"}, {"max_age": "60"}):
        _, r, verifier = start(server, client, agent=agent, **extra)
        assert r.status_code == 200 and 'name="password"' in r.text, extra
        # the form is prefilled with who is signed in; leaving it keeps them signed in
        assert 'value="alice"' in r.text
        r = agent.login(r)
        assert r.status_code == 303
        r = agent.get(r.headers["Location"])  # no loop: the login was for this request
        code = redirect_params(r)["code"]
        t = exchange(server, client, code, CB, verifier).json()
        assert claims_of(server, t["id_token"])[1]["auth_time"] >= first["auth_time"] + 120
        clock.advance(120)
    # a login young enough for max_age is taken as it is
    _, r, _ = start(server, client, agent=agent, max_age="3600")
    assert "code" in redirect_params(r)
    # prompt=none cannot sign in again
    _, r, _ = start(server, client, agent=agent, prompt="none", max_age="1")
    assert redirect_params(r)["error"] == "login_required"
    _, r, _ = start(server, client, agent=agent, max_age="soon")
    assert redirect_params(r)["error"] == "invalid_request"


def test_prompt_consent_asks_again(server):
    make_user(server)
    client = oidc_client(server)
    agent, _ = signed_in(server, client)
    _, r, _ = start(server, client, agent=agent)
    assert "code" in redirect_params(r)  # remembered
    _, r, _ = start(server, client, agent=agent, prompt="consent")
    assert r.status_code == 200 and 'value="authorize"' in r.text


def test_id_token_hint(server, clock):
    make_user(server)
    make_user(server, username="bob", account="acct-7")
    client = oidc_client(server)
    other = oidc_client(server)
    agent, tok = signed_in(server, client)
    hint = tok["id_token"]
    # the signed-in user's hint: prompt=none goes straight through
    _, r, _ = start(server, client, agent=agent, prompt="none", id_token_hint=hint)
    assert "code" in redirect_params(r)
    # another client's ID token is no hint for this one (aud of another client), told in the
    # words a forged one gets: nothing confirms it is a real ID token (issue 16)
    _, r, _ = start(server, other, agent=agent, id_token_hint=hint)
    p = redirect_params(r)
    assert p["error"] == "invalid_request"
    assert p["error_description"] == "id_token_hint is not an ID token of this issuer"
    # forged: the payload changed
    head, body, sig = hint.split(".")
    forged = json.loads(base64.urlsafe_b64decode(body + "=="))
    forged["sub"] = "someone-else"
    body2 = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    _, r, _ = start(server, client, agent=agent, id_token_hint=f"{head}.{body2}.{sig}")
    assert redirect_params(r)["error"] == "invalid_request"
    # an access token is no ID token
    jwt_client = oidc_client(server, "--access-token-format", "jwt")
    _, jt = signed_in(server, jwt_client)
    _, r, _ = start(server, jwt_client, agent=agent, id_token_hint=jt["access_token"])
    assert redirect_params(r)["error"] == "invalid_request"
    # bob signs in on another browser; alice's hint there: prompt=none says login_required
    bob_agent = Agent(server)
    _, r, _ = start(server, client, agent=bob_agent, scope="profile")
    r = bob_agent.login(r, username="bob")
    _, r, _ = start(server, client, agent=bob_agent, prompt="none", id_token_hint=hint)
    assert redirect_params(r)["error"] == "login_required"
    # ...and without prompt=none, the login page to sign in as the hinted user
    _, r, _ = start(server, client, agent=bob_agent, id_token_hint=hint)
    assert r.status_code == 200 and 'name="password"' in r.text
    # an expired hint is still a hint (a relying party keeps the one it got)...
    clock.advance(3600 + 60)
    _, r, _ = start(server, client, agent=agent, id_token_hint=hint)
    assert r.status_code == 302 and "code" in redirect_params(r)
    # ...until no session it could name can be alive
    clock.advance(30 * 86400)
    _, r, _ = start(server, client, agent=Agent(server), id_token_hint=hint)
    p = redirect_params(r)
    assert p["error"] == "invalid_request" and "expired" in p["error_description"]


def test_login_hint_prefills_and_ui_locales_is_harmless(server):
    make_user(server)
    client = oidc_client(server)
    _, r, _ = start(server, client, login_hint="alice", ui_locales="xx-YY fr")
    assert r.status_code == 200 and 'value="alice"' in r.text
    assert "Not you?" not in r.text


def test_request_objects_are_refused_as_unsupported(server):
    client = oidc_client(server)
    _, r, _ = start(server, client, request="eyJhbGciOiJub25lIn0.e30.")
    assert redirect_params(r)["error"] == "request_not_supported"
    _, r, _ = start(server, client, request_uri="https://rp.example/req/1")
    assert redirect_params(r)["error"] == "request_uri_not_supported"


def test_each_issuer_signs_in_on_its_own(make_server):
    """Two issuers, the same client id and username in both: each has its own keys, sessions
    and subjects, and neither takes the other's ID token as a hint."""
    srv = make_server(defer_start=True)
    srv.cli("tenant", "create", "shop2", "--issuer", "/shop2")
    srv.start()
    srv.cli("user", "create", "--username", "alice", input="pw-one-one-one\n")
    srv.cli("user", "create", "--username", "alice", "--tenant", "shop2",
            input="pw-two-two-two\n")
    args = ["--id", "app", "--name", "App", "--scope", "openid profile", "--redirect-uri", CB]
    one = create_client(srv, *args)
    two = create_client(srv, *args, "--tenant", "shop2")

    def sign_in(prefix, client, password, agent):
        verifier, challenge = pkce_pair()
        url = (srv.url + prefix + "/authorize?" +
               urlencode(dict(response_type="code", client_id="app", redirect_uri=CB,
                              scope="openid", nonce="n", code_challenge=challenge,
                              code_challenge_method="S256")))
        code = redirect_params(agent.authorize(url, password=password))["code"]
        r = requests.post(srv.url + prefix + "/token", timeout=10,
                          auth=("app", client["client_secret"]),
                          data={"grant_type": "authorization_code", "code": code,
                                "redirect_uri": CB, "code_verifier": verifier})
        assert r.status_code == 200, r.text
        return r.json()["id_token"]

    agent = Agent(srv)
    id1 = sign_in("", one, "pw-one-one-one", agent)
    id2 = sign_in("/shop2", two, "pw-two-two-two", Agent(srv))
    h1, c1 = claims_of(srv, id1)
    jwks2 = requests.get(srv.url + "/shop2/jwks.json", timeout=10).json()
    c2 = dict(jwt.decode(id2, JsonWebKey.import_key_set(jwks2)))
    assert (c1["iss"], c2["iss"]) == (srv.url, srv.url + "/shop2")
    assert c1["sub"] != c2["sub"]  # the same username, another user
    assert h1["kid"] not in [k["kid"] for k in jwks2["keys"]]  # keys of its own
    # issuer one's ID token is no hint at shop2, and its session no session there
    q = dict(response_type="code", client_id="app", redirect_uri=CB, scope="openid",
             code_challenge=pkce_pair()[1], code_challenge_method="S256", prompt="none")
    r = agent.get(srv.url + "/shop2/authorize?" + urlencode(dict(q, id_token_hint=id1)))
    assert redirect_params(r)["error"] == "invalid_request"
    r = agent.get(srv.url + "/shop2/authorize?" + urlencode(q))
    assert redirect_params(r)["error"] == "login_required"
    r = agent.get(srv.url + "/authorize?" + urlencode(dict(q, id_token_hint=id1)))
    assert "code" in redirect_params(r)
