"""authlib's OpenID Connect client (Debian's python3-authlib 1.2) against a real grantd
(issue 14): Discovery 1.0, the code flow with PKCE and a nonce through
authlib.integrations.requests_client.OAuth2Session, the ID token checked with authlib's JOSE
module (authlib.jose JsonWebToken.decode against grantd's JWKS, RS256 only, then
authlib.oidc.core.CodeIDToken's validate: iss, aud, exp, iat, nonce, azp and at_hash against
the access token), /userinfo (GET and POST) for the same subject, a refresh that brings a
new ID token for the same user, and RP-Initiated Logout 1.0 with id_token_hint,
post_logout_redirect_uri and state. flow.Agent is the browser (grantd's login and consent
pages)."""
from urllib.parse import urlencode

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, JsonWebToken
from authlib.jose.errors import InvalidClaimError
from authlib.oidc.core import CodeIDToken

from conftest import create_client
from flow import PASSWORD, Agent, authorize_url, pkce_pair

CB = "http://127.0.0.1:9/cb"
SIGNED_OUT = "http://127.0.0.1:9/signed-out"
SCOPE = "openid profile email"


def discover(srv):
    r = requests.get(srv.url + "/.well-known/openid-configuration", timeout=10)
    assert r.status_code == 200, (r.status_code, r.text[:300])
    meta = r.json()
    assert meta["issuer"] == srv.url
    return meta


def id_token_claims(meta, client, token, nonce=None):
    """The ID token of a token answer, its signature checked against the JWKS (RS256 only)
    and its claims validated the way authlib's OpenID Connect client does."""
    keys = JsonWebKey.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
    claims = JsonWebToken(["RS256"]).decode(
        token["id_token"], keys, claims_cls=CodeIDToken,
        claims_options={"iss": {"essential": True, "value": meta["issuer"]},
                        "aud": {"essential": True, "value": client["client_id"]}},
        claims_params={"nonce": nonce, "client_id": client["client_id"],
                       "access_token": token["access_token"]})
    claims.validate()
    return claims


def refused(claims, claim, **params):
    """Whether claims.validate() with other params (nonce, client_id, access_token) refuses
    claim."""
    other = CodeIDToken(dict(claims), claims.header, options=claims.options,
                        params=dict(claims.params, **params))
    try:
        other.validate()
    except InvalidClaimError as e:
        return e.description == f'Invalid claim "{claim}"'
    return False


@pytest.fixture
def setup(make_server):
    srv = make_server()
    srv.cli("user", "create", "--username", "alice", "--email", "alice@example.com",
            "--name", "Alice Liddell", input=PASSWORD + "\n")
    client = create_client(srv, "--name", "Python app", "--scope", SCOPE, "--redirect-uri", CB,
                           "--post-logout-redirect-uri", SIGNED_OUT)
    return srv, client


def sign_in(srv, meta, client, browser):
    """The code flow with PKCE and a nonce: (session, token answer, nonce)."""
    sess = OAuth2Session(client["client_id"], client["client_secret"], scope=SCOPE,
                         redirect_uri=CB, code_challenge_method="S256")
    verifier, nonce = generate_token(48), generate_token(20)
    url, state = sess.create_authorization_url(meta["authorization_endpoint"],
                                               code_verifier=verifier, nonce=nonce)
    r = browser.authorize(url)
    assert r.status_code == 303, (r.status_code, r.text[:500])
    token = sess.fetch_token(meta["token_endpoint"], authorization_response=r.headers["Location"],
                             state=state, code_verifier=verifier)
    return sess, token, nonce


def test_sign_in_id_token_userinfo_refresh(setup):
    srv, client = setup
    meta = discover(srv)
    sess, token, nonce = sign_in(srv, meta, client, Agent(srv))
    assert set(token["scope"].split()) == set(SCOPE.split())
    claims = id_token_claims(meta, client, token, nonce)
    assert claims.header["alg"] == "RS256" and claims["nonce"] == nonce
    assert claims["at_hash"] and claims["auth_time"] <= claims["iat"] < claims["exp"]
    # the checks bite: another nonce, another client, another access token
    assert refused(claims, "nonce", nonce="not-" + nonce)
    assert refused(claims, "at_hash", access_token=token["access_token"] + "x")
    other = CodeIDToken(dict(claims), claims.header, params=claims.params,
                        options=dict(claims.options, aud={"essential": True, "value": "other"}))
    with pytest.raises(InvalidClaimError):
        other.validate()
    # /userinfo speaks of the same user, with the claims of the granted scopes
    info = sess.get(meta["userinfo_endpoint"], timeout=10)
    assert info.status_code == 200, info.text
    assert info.json()["sub"] == claims["sub"]
    assert info.json()["email"] == "alice@example.com" and info.json()["name"] == "Alice Liddell"
    # and by POST (OpenID Connect Core 1.0 §5.3: the endpoint MUST support GET and POST)
    posted = sess.post(meta["userinfo_endpoint"], timeout=10)
    assert posted.status_code == 200 and posted.json() == info.json(), posted.text
    # a refresh brings a new ID token for the same sign-in (OpenID Connect Core 12.2)
    new = sess.refresh_token(meta["token_endpoint"])
    assert new["access_token"] != token["access_token"] and "id_token" in new, new.keys()
    again = id_token_claims(meta, client, new)
    for claim in ("iss", "sub", "aud", "auth_time"):
        assert again[claim] == claims[claim], claim
    assert again["iat"] >= claims["iat"]


def test_logout_ends_grantds_session(setup):
    srv, client = setup
    meta = discover(srv)
    browser = Agent(srv)
    _, token, _ = sign_in(srv, meta, client, browser)
    r = browser.get(meta["end_session_endpoint"] + "?" + urlencode({
        "id_token_hint": token["id_token"], "post_logout_redirect_uri": SIGNED_OUT,
        "state": "bye"}))
    assert r.status_code in (302, 303), (r.status_code, r.text[:500])
    assert r.headers["Location"] == SIGNED_OUT + "?state=bye"
    # the next sign-in asks for the password again
    _, challenge = pkce_pair()
    r = browser.get(authorize_url(srv, response_type="code", client_id=client["client_id"],
                                  redirect_uri=CB, scope=SCOPE, nonce="n2",
                                  code_challenge=challenge, code_challenge_method="S256"))
    assert r.status_code == 200 and 'name="password"' in r.text, (r.status_code, r.text[:300])
