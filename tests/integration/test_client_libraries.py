"""Real OAuth client libraries run the authorization-code flow against grantd: Debian's
python3-requests-oauthlib (oauthlib underneath) and python3-authlib. The libraries build
the authorization URL, parse the redirect (state, error) and make the token request; the
Agent plays the user's browser at the login and consent pages."""
import json
import re
from urllib.parse import parse_qsl

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session as AuthlibSession
from oauthlib.oauth2.rfc6749.errors import AccessDeniedError
from requests_oauthlib import OAuth2Session as OAuthlibSession

from flow import Agent, make_client, make_user, pkce_pair

CB = "http://127.0.0.1:9/cb"


@pytest.fixture(autouse=True)
def plain_http_on_loopback(monkeypatch):
    # oauthlib refuses http:// unless told; grantd here is on loopback without TLS
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


def browser_redirect(server, url, decision="authorize"):
    r = Agent(server).authorize(url, decision=decision)
    assert r.status_code == 303, (r.status_code, r.text[:300])
    return r.headers["Location"]


@pytest.mark.parametrize("auth", ["basic", "post"])
def test_requests_oauthlib_confidential_client(server, auth):
    make_user(server)
    client = make_client(server)
    oauth = OAuthlibSession(client["client_id"], redirect_uri=CB, scope=["profile", "email"])
    url, state = oauth.authorization_url(server.url + "/authorize")
    location = browser_redirect(server, url)
    kw = {"include_client_id": True} if auth == "post" else {}
    token = oauth.fetch_token(server.url + "/token", authorization_response=location,
                              client_secret=client["client_secret"], **kw)
    assert token["token_type"] == "Bearer" and token["refresh_token"]
    assert sorted(token["scope"]) == ["email", "profile"]
    me = oauth.get(server.url + "/userinfo")
    assert me.status_code == 200 and me.json()["username"] == "alice"


def test_requests_oauthlib_cancel_raises_access_denied(server):
    make_user(server)
    client = make_client(server)
    oauth = OAuthlibSession(client["client_id"], redirect_uri=CB, scope=["profile"])
    url, state = oauth.authorization_url(server.url + "/authorize")
    location = browser_redirect(server, url, decision="cancel")
    with pytest.raises(AccessDeniedError):
        oauth.fetch_token(server.url + "/token", authorization_response=location,
                          client_secret=client["client_secret"])


def test_authlib_public_client_with_pkce(server):
    make_user(server)
    client = make_client(server, "--public")
    verifier, _ = pkce_pair()
    oauth = AuthlibSession(client["client_id"], scope="profile", redirect_uri=CB,
                           code_challenge_method="S256", token_endpoint_auth_method="none")
    url, state = oauth.create_authorization_url(server.url + "/authorize",
                                                code_verifier=verifier)
    assert "code_challenge=" in url
    location = browser_redirect(server, url)
    token = oauth.fetch_token(server.url + "/token", authorization_response=location,
                              code_verifier=verifier)
    assert token["access_token"] and token["scope"] == "profile"
    assert oauth.get(server.url + "/userinfo").json()["username"] == "alice"


class JsonTokenAdapter(requests.adapters.HTTPAdapter):
    """Sends the token request's form body as a JSON object instead, as integrators of
    Billit and OroCommerce do; everything else goes out unchanged."""

    sent = 0

    def send(self, request, **kw):
        if request.url.endswith("/token") and request.body:
            body = request.body.decode() if isinstance(request.body, bytes) else request.body
            request.body = json.dumps(dict(parse_qsl(body))).encode()
            request.headers["Content-Type"] = "application/json"
            request.headers["Content-Length"] = str(len(request.body))
            JsonTokenAdapter.sent += 1
        return super().send(request, **kw)


def test_authlib_confidential_client_with_json_body(server):
    make_user(server)
    client = make_client(server)
    oauth = AuthlibSession(client["client_id"], client["client_secret"], scope="profile email",
                           redirect_uri=CB, token_endpoint_auth_method="client_secret_post")
    oauth.mount(server.url, JsonTokenAdapter())
    url, state = oauth.create_authorization_url(server.url + "/authorize")
    location = browser_redirect(server, url)
    token = oauth.fetch_token(server.url + "/token", authorization_response=location)
    assert JsonTokenAdapter.sent == 1 and token["refresh_token"]
    assert oauth.get(server.url + "/userinfo").status_code == 200


def test_authlib_out_of_band_client(server):
    make_user(server)
    client = make_client(server, redirect=None)
    oob = "urn:ietf:wg:oauth:2.0:oob"
    oauth = AuthlibSession(client["client_id"], client["client_secret"], scope="profile",
                           redirect_uri=oob)
    url, state = oauth.create_authorization_url(server.url + "/authorize")
    page = Agent(server).authorize(url)
    assert page.status_code == 200
    code = re.search(r'id="code"[^>]*>([A-Za-z0-9_-]{43})</p>', page.text).group(1)
    token = oauth.fetch_token(server.url + "/token", code=code)
    assert token["access_token"]


def test_requests_oauthlib_sees_no_token_in_logs(server):
    make_user(server)
    client = make_client(server)
    oauth = OAuthlibSession(client["client_id"], redirect_uri=CB, scope=["profile"])
    url, _ = oauth.authorization_url(server.url + "/authorize")
    location = browser_redirect(server, url)
    token = oauth.fetch_token(server.url + "/token", authorization_response=location,
                              client_secret=client["client_secret"])
    code = re.search(r"code=([^&]+)", location).group(1)
    server.wait_request("/token")
    log = server.log_text()
    for secret in (code, token["access_token"], token["refresh_token"],
                   client["client_secret"]):
        assert secret not in log
