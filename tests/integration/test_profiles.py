"""The shipped profiles (examples/profiles/), each proven by the requests its provider's guide
(summarised in docs/profiles.md) tells integrators to send, sent literally: the guide's paths, parameter
names and values, body format and client authentication, and every response member the
guide names. Only the origin changes (this server instead of the provider's host), and
where a guide shows a placeholder the test puts the real value in (a client secret grantd
generated, the code the redirect carried).

Login and consent go through grantd's own pages with the form-following user agent of
flow.py (Chromium covers the pages in test_browser.py). Also here: what a profile must not
change (standard paths and behaviour stay), and the configuration errors."""
import json
import re
from urllib.parse import urlsplit

import jwt
import pytest
import requests

from conftest import ROOT, create_client, run_cli
from flow import PASSWORD, Agent, make_user, redirect_params

PROFILES = ROOT / "examples" / "profiles"


def profile(name):
    return (PROFILES / f"{name}.conf").read_text()


def form_post(srv, path, body, headers=None):
    """POST a form body given as the literal string a guide shows."""
    h = {"Content-Type": "application/x-www-form-urlencoded"}
    h.update(headers or {})
    return requests.post(srv.url + path, data=body.encode(), headers=h, timeout=10)


def json_post(srv, path, obj, content_type="application/json"):
    return requests.post(srv.url + path, data=json.dumps(obj).encode(),
                         headers={"Content-Type": content_type}, timeout=10)


def oob_code(page):
    m = re.search(r'id="code"[^>]*>([^<]+)</p>', page)
    assert m, page[:2000]
    return m.group(1)


# ---- Apruve (000) -----------------------------------------------------------------------------

APRUVE_CLIENT = "5fd4dc5ce8c2d76f817c0b7b98d5fc0b3e06384b83fa7f2fdfe1f962bf92093a"
APRUVE_STATE = "fa0424cef2f9350a6a53deb6baeed643c0a82365d1132113450e53e51f063103"


def test_apruve_guide(make_server):
    srv = make_server(config_text=profile("apruve"))
    make_user(srv, "buyer@spacelysprockets.com", account="corp-7741")
    c = create_client(srv, "--id", APRUVE_CLIENT, "--name", "Spacely Sprockets",
                      "--redirect-uri", "https://spacelysprockets.com/oauth_callback")
    # "The url must also have the following query parameters" — the guide's example URL
    url = (srv.url + "/oauth2/authorize?client_id=" + APRUVE_CLIENT +
           "&redirect_uri=https%3A%2F%2Fspacelysprockets.com%2Foauth_callback"
           "&response_type=code&state=" + APRUVE_STATE)
    # "a page with options to Authorize or Cancel the request". Cancel: "we will send the
    # client back to the Redirect URI" with error, error_description and state, and no
    # code; the description is the guide's text (grantd encodes its spaces as %20)
    r = Agent(srv).authorize(url, decision="cancel", username="buyer@spacelysprockets.com")
    q = redirect_params(r)
    assert "code" not in q and q["state"] == APRUVE_STATE
    assert q["error"] == "access_denied"
    assert q["error_description"] == ("The resource owner or authorization server denied the "
                                      "request.")
    # Authorize
    r = Agent(srv).authorize(url, username="buyer@spacelysprockets.com")
    assert r.headers["Location"].startswith("https://spacelysprockets.com/oauth_callback?")
    q = redirect_params(r)
    assert q["state"] == APRUVE_STATE and q["code"]

    # "POST to the following url" with client_id, client_secret, code, grant_type,
    # redirect_uri and state
    r = form_post(srv, "/oauth2/token",
                  f"client_id={APRUVE_CLIENT}&client_secret={c['client_secret']}"
                  f"&code={q['code']}&grant_type=authorization_code"
                  "&redirect_uri=https%3A%2F%2Fspacelysprockets.com%2Foauth_callback"
                  f"&state={APRUVE_STATE}")
    assert r.status_code == 200, r.text
    first = r.json()
    # "Response From Apruve": token, refresh_token, expires_in, corporate_account_id
    assert first["token"] == first["access_token"]
    assert first["expires_in"] == 7200  # "This lasts for 120 min"
    assert first["corporate_account_id"] == "corp-7741"
    assert first["refresh_token"]
    assert requests.get(srv.url + "/userinfo", timeout=10,
                        headers={"Authorization": "Bearer " + first["token"]}).status_code == 200

    # "make a post to the same endpoint used to get the token originally"
    r = form_post(srv, "/oauth2/token",
                  f"client_id={APRUVE_CLIENT}&client_secret={c['client_secret']}"
                  f"&refresh_token={first['refresh_token']}&grant_type=refresh_token")
    assert r.status_code == 200, r.text
    again = r.json()
    # "Refresh Token Response From Apruve": access_token, expires_in, refresh_token,
    # corporate_account_id — new ones, to be stored
    assert again["access_token"] != first["access_token"]
    assert again["refresh_token"] != first["refresh_token"]
    assert again["expires_in"] == 7200 and again["corporate_account_id"] == "corp-7741"
    # "The last refresh_token that you've received": the previous one no longer works
    r = form_post(srv, "/oauth2/token",
                  f"client_id={APRUVE_CLIENT}&client_secret={c['client_secret']}"
                  f"&refresh_token={first['refresh_token']}&grant_type=refresh_token")
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"



# ---- Apicbase (001) ---------------------------------------------------------------------------

def test_apicbase_guide(make_server, clock):
    srv = make_server(config_text=profile("apicbase"))
    make_user(srv, "chef@restaurant.example")
    # "If your application has no redirect URL configured, you'll be redirected to an
    # Apicbase page from where you can copy the authorization code."
    c = create_client(srv, "--id", "MY_CLIENT_ID", "--name", "Kitchen App", "--scope",
                      "library sales accounts procurement")
    # "A sample URL therefore looks like this" (the page's trailing '>' is markup)
    url = (srv.url + "/oauth/authorize/?response_type=code"
           "&client_id=MY_CLIENT_ID&scope=library+sales")
    r = Agent(srv).authorize(url, username="chef@restaurant.example")
    assert r.status_code == 200
    code = oob_code(r.text)
    # "The authorization code expires after one minute.": still good 55 s later (and
    # refused after 61 s, at the end)
    clock.advance(55)

    # "Make your authorization requests with the following payload": the client has no
    # redirect URL, so YOUR_REDIRECT_URI is the out-of-band value the code page used
    def redeem(code):
        return form_post(srv, "/oauth/token/",
                         "grant_type=authorization_code&code=" + code +
                         "&redirect_uri=urn%3Aietf%3Awg%3Aoauth%3A2.0%3Aoob"
                         "&client_id=MY_CLIENT_ID&client_secret=" + c["client_secret"])
    r = redeem(code)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["expires_in"] == 604800  # "Access tokens expire one week after"
    assert body["scope"] == "library sales"
    # the guide's introspection call, refresh_token parameter included
    # (curl -d "token=MY_ACCESS_TOKEN&client_id=MY_CLIENT_ID&client_secret=MY_CLIENT_SECRET
    # &refresh_token=MY_REFRESH_TOKEN")
    r = form_post(srv, "/oauth/introspect/",
                  f"token={body['access_token']}&client_id=MY_CLIENT_ID"
                  f"&client_secret={c['client_secret']}&refresh_token={body['refresh_token']}")
    assert r.status_code == 200, r.text
    info = r.json()
    assert info["active"] is True
    assert info["scope"] == "library sales"
    assert isinstance(info["exp"], int) and info["exp"] - info["iat"] == 604800
    assert info["client_id"] == "MY_CLIENT_ID"
    assert info["username"] == "chef@restaurant.example"
    # "The refresh tokens don't expire automatically": no exp
    r = form_post(srv, "/oauth/introspect/",
                  f"token={body['refresh_token']}&client_id=MY_CLIENT_ID"
                  f"&client_secret={c['client_secret']}")
    assert r.json()["active"] is True and "exp" not in r.json()
    # "belongs to the authenticated client": another client's answer is {"active": false}
    other = create_client(srv, "--name", "Other", "--scope", "library")
    r = form_post(srv, "/oauth/introspect/",
                  f"token={body['access_token']}&client_id={other['client_id']}"
                  f"&client_secret={other['client_secret']}")
    assert r.json() == {"active": False}
    # a refresh with the standard grant and the same client authentication
    r = form_post(srv, "/oauth/token/",
                  f"grant_type=refresh_token&refresh_token={body['refresh_token']}"
                  f"&client_id=MY_CLIENT_ID&client_secret={c['client_secret']}")
    assert r.status_code == 200 and r.json()["expires_in"] == 604800
    # "The authorization code expires after one minute.": a code a minute and a second old
    r = Agent(srv).authorize(url, username="chef@restaurant.example")
    late = oob_code(r.text)
    clock.advance(61)
    r = redeem(late)
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant", r.text


# ---- Procurios (002) --------------------------------------------------------------------------

def test_procurios_guide(make_server):
    srv = make_server(config_text=profile("procurios"))
    make_user(srv)
    # "A list of allowed redirect urls"
    c = create_client(srv, "--id", "abc123", "--name", "Procurios app", "--scope", "profile",
                      "--redirect-uri", "https://example.com", "--redirect-uri",
                      "https://example.com/other", "--grant", "authorization_code",
                      "--grant", "client_credentials")
    for url in (
        # the guide's example
        "/l/oauth2/authorize?response_type=code&scope=profile&client_id=abc123"
        "&redirect_url=example.com",
        # the guide's template, with grant_type=code and no response_type
        "/l/oauth2/authorize?grant_type=code&scope=profile&client_id=abc123"
        "&redirect_url=example.com",
    ):
        r = Agent(srv).authorize(srv.url + url)
        # "Receive the user with his or her access code": https://example.com?code=X
        loc = urlsplit(r.headers["Location"])
        assert (loc.scheme, loc.netloc, loc.path) == ("https", "example.com", "")
        code = redirect_params(r)["code"]
        # "POST {tokenRequestEndpointUrl} grant_type=code&client_id=...&code=...&client_secret=..."
        r = form_post(srv, "/l/oauth2/token",
                      f"grant_type=code&client_id=abc123&code={code}"
                      f"&client_secret={c['client_secret']}")
        assert r.status_code == 200, r.text
        assert r.json()["access_token"]
        assert r.json()["token_type"] == "bearer"
    # the second registered URL is chosen the same way; an unregistered one is refused
    r = Agent(srv).get(srv.url + "/l/oauth2/authorize?response_type=code&scope=profile"
                       "&client_id=abc123&redirect_url=example.com/other")
    assert r.status_code == 200 and 'name="password"' in r.text
    r = Agent(srv).get(srv.url + "/l/oauth2/authorize?response_type=code&scope=profile"
                       "&client_id=abc123&redirect_url=evil.example")
    assert r.status_code == 400 and "Location" not in r.headers

    # client credentials, the guide's request with its headers
    r = form_post(srv, "/l/oauth2/token",
                  f"grant_type=client_credentials&client_id=abc123"
                  f"&client_secret={c['client_secret']}&scope=profile",
                  headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    assert body["scope"] == "profile" and body["access_token"]


# ---- Billit (003) -----------------------------------------------------------------------------

def test_billit_guide(make_server):
    srv = make_server(config_text=profile("billit"))
    make_user(srv)
    redirect = "https://app.example.be/billit/callback"
    c = create_client(srv, "--name", "Billit integration", "--redirect-uri", redirect)
    other = create_client(srv, "--name", "Another integration", "--redirect-uri", redirect)
    state = "6f1c1f0e-3b2a-4d6e-9a55-0c7e3d1b2a90|customer-12"
    # the guide's login URL: client_id, redirect_uri and state, no response_type
    url = (f"{srv.url}/Account/Logon?client_id={c['client_id']}"
           f"&redirect_uri={redirect}&state={state}")
    # denied: "the redirectURI will contain a query param -> "error=access_denied""
    r = Agent(srv).authorize(url, decision="cancel")
    assert redirect_params(r)["error"] == "access_denied"
    r = Agent(srv).authorize(url)
    q = redirect_params(r)
    assert q["state"] == state  # "present in the redirectURI ... as the state query param"
    code = q["code"]
    # "set body type to Application/json"
    r = json_post(srv, "/OAuth2/token", {"client_id": c["client_id"],
                                         "client_secret": c["client_secret"], "code": code,
                                         "grant_type": "authorization_code",
                                         "redirect_uri": redirect},
                  content_type="Application/json")
    assert r.status_code == 200, r.text
    first = r.json()
    assert first["token_type"] == "Bearer" and first["expires_in"] == 3600
    assert first["access_token"] and first["refresh_token"]
    # "trying to refresh an access token using another client will fail"
    r = json_post(srv, "/OAuth2/token", {"client_id": other["client_id"],
                                         "client_secret": other["client_secret"],
                                         "grant_type": "refresh_token",
                                         "refresh_token": first["refresh_token"]},
                  content_type="Application/json")
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    # "The result will have the same content as the initial token request, except with
    # different values."
    r = json_post(srv, "/OAuth2/token", {"client_id": c["client_id"],
                                         "client_secret": c["client_secret"],
                                         "grant_type": "refresh_token",
                                         "refresh_token": first["refresh_token"]},
                  content_type="Application/json")
    assert r.status_code == 200, r.text
    again = r.json()
    assert set(again) == set(first)
    assert again["access_token"] != first["access_token"]
    assert again["refresh_token"] != first["refresh_token"]


# ---- OroCommerce (004) ------------------------------------------------------------------------

def oro_flow(srv, prefix, redirect, tenant=None):
    scope = ("--tenant", tenant) if tenant else ()
    srv.cli("user", "create", "--username", "alice", *scope, input=PASSWORD + "\n")
    c = create_client(srv, "--name", "Oro integration", "--redirect-uri", redirect,
                      "--grant", "authorization_code", *scope)
    r = Agent(srv).authorize(f"{srv.url}{prefix}/oauth2-token/authorize?response_type=code"
                             f"&client_id={c['client_id']}&redirect_uri={redirect}")
    code = redirect_params(r)["code"]
    r = json_post(srv, f"{prefix}/oauth2-token", {
        "grant_type": "authorization_code", "client_id": c["client_id"],
        "client_secret": c["client_secret"], "redirect_uri": redirect, "code": code})
    assert r.status_code == 200, r.text
    return c, r.json()


def verify_with_jwks(srv, prefix, token):
    keys = {k["kid"]: k for k in
            requests.get(srv.url + prefix + "/jwks.json", timeout=10).json()["keys"]}
    kid = jwt.get_unverified_header(token)["kid"]
    if kid not in keys:
        raise jwt.InvalidSignatureError("kid not published")
    return jwt.decode(token, jwt.PyJWK(keys[kid]).key, algorithms=["RS256"],
                      audience=srv.url + prefix)


def test_orocommerce_guide(make_server):
    # the storefront is the server's issuer; the back-office a tenant under /admin, as
    # examples/profiles/orocommerce-backoffice.conf describes
    srv = make_server(config_text=profile("orocommerce-storefront"), defer_start=True)
    srv.cli("tenant", "create", "backoffice", "--issuer", "/admin", "--profile",
            str(PROFILES / "orocommerce-backoffice.conf"))
    srv.start()
    c, body = oro_flow(srv, "", "https://shop.example.com/oauth/callback")
    # token_type, expires_in and a JWT "signed with the authorization server's private key"
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert "refresh_token" not in body
    assert jwt.get_unverified_header(body["access_token"])["alg"] == "RS256"
    claims = verify_with_jwks(srv, "", body["access_token"])
    assert claims["client_id"] == c["client_id"] and claims["exp"] - claims["iat"] == 3600
    # "can be used multiple times within this time limit"
    for _ in range(2):
        assert requests.get(srv.url + "/userinfo", timeout=10, headers={
            "Authorization": "Bearer " + body["access_token"],
            "Accept": "application/vnd.api+json"}).status_code == 200
    # the guide sends JSON; this profile takes nothing else
    r = form_post(srv, "/oauth2-token", "grant_type=authorization_code&code=x")
    assert r.status_code == 400 and "application/json" in r.json()["error_description"]

    # the back-office: "Access tokens for back-office and storefront API are not
    # interchangeable"
    oc, obody = oro_flow(srv, "/admin", "https://erp.example.com/oauth/callback",
                         tenant="backoffice")
    assert verify_with_jwks(srv, "/admin", obody["access_token"])["iss"] == srv.url + "/admin"
    with pytest.raises(jwt.InvalidTokenError):
        verify_with_jwks(srv, "/admin", body["access_token"])
    with pytest.raises(jwt.InvalidTokenError):
        verify_with_jwks(srv, "", obody["access_token"])
    for prefix, token in (("/admin", body["access_token"]), ("", obody["access_token"])):
        assert requests.get(srv.url + prefix + "/userinfo", timeout=10, headers={
            "Authorization": "Bearer " + token}).status_code == 401
    r = requests.post(srv.url + "/admin/introspect", timeout=10, auth=(
        oc["client_id"], oc["client_secret"]), json={"token": body["access_token"]})
    assert r.json() == {"active": False}
    r = requests.post(srv.url + "/admin/introspect", timeout=10, auth=(
        oc["client_id"], oc["client_secret"]), json={"token": obody["access_token"]})
    assert r.json()["active"] is True


# ---- what a profile does not change, and bad profiles -----------------------------------------

def test_standard_behaviour_is_the_default_and_stays(make_server):
    # without a profile: no aliases
    plain = make_server()
    make_user(plain)
    c = create_client(plain, "--name", "x", "--redirect-uri", "https://example.com",
                      "--scope", "profile")
    r = Agent(plain).authorize(plain.url + f"/authorize?client_id={c['client_id']}&scope=profile")
    assert redirect_params(r)["error"] == "invalid_request"  # response_type is required
    r = form_post(plain, "/token", f"grant_type=code&client_id={c['client_id']}&code=x"
                                   f"&client_secret={c['client_secret']}")
    assert r.json()["error"] == "unsupported_grant_type"
    assert form_post(plain, "/l/oauth2/token", "grant_type=code").status_code == 404

    # with the Procurios profile the standard paths and spellings still work
    (plain.workdir / "p").mkdir()
    srv = make_server(config_text=profile("procurios"), workdir=plain.workdir / "p")
    make_user(srv)
    c = create_client(srv, "--name", "y", "--redirect-uri", "https://example.com",
                      "--scope", "profile", "--grant", "client_credentials")
    r = requests.post(srv.url + "/token", data={"grant_type": "client_credentials"},
                      auth=(c["client_id"], c["client_secret"]), timeout=10)
    assert r.status_code == 200 and r.json()["token_type"] == "bearer"
    # a wrong response_type is still refused
    r = Agent(srv).get(srv.url + f"/authorize?response_type=token&client_id={c['client_id']}"
                                 "&redirect_url=example.com")
    assert redirect_params(r)["error"] == "unsupported_response_type"


@pytest.mark.parametrize("text,message", [
    ('profile = { paths = { token = ["/authorize"]; }; };', "already /authorize"),
    ('profile = { paths = { token = ["/x"]; authorize = ["/x"]; }; };', "already"),
    ('profile = { paths = { token = ["oauth/token"]; }; };', "must be a path"),
    ('profile = { paths = { token = ["/a?b"]; }; };', "must be a path"),
    ('profile = { paths = { token = ["/a", "/a"]; }; };', "listed twice"),
    ('profile = { token_type = "mac"; };', "spelling of Bearer"),
    ('profile = { token_body = "xml"; };', "form, json or both"),
    ('profile = { access_token_aliases = ["access_token"]; };', "standard token-response"),
    ('profile = { out_of_band = 1; };', "true or false"),
    ('profile = { aliases = { grant_type_kode = true; }; };', "unknown setting"),
])
def test_bad_profiles_are_refused_with_the_line(tmp_path, db_url, text, message):
    conf = tmp_path / "bad.conf"
    conf.write_text("\n" + text + "\n")
    proc = run_cli(db_url(), "serve", "--config", str(conf), "--listen",
                   "127.0.0.1:0", check=False)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr, proc.stderr
