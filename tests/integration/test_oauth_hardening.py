"""The OAuth-layer holes of issue 16: the login and consent forms act only on the request
their page showed (a MAC binding it to the session, with an expiry); forms posted from
another site are refused; /introspect and /revoke answer 401 with a challenge; a
self-contained JWT signed with the issuer's own key but naming another issuer, audience or a
time to come is not active; a form body in another charset than UTF-8 is refused; another
client's token is told apart from no token by nothing; and nothing a deleted client was
issued is accepted anywhere, after a restart too."""
import base64
import html
import json
import re
import secrets
from urllib.parse import parse_qsl, urlencode

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import load_der_private_key

from conftest import create_client, db_bytes, sqlite_only
from flow import (Agent, authorize_url, exchange, hidden, make_client, make_user, pkce_pair,
                  redirect_params, userinfo)
from test_check import admin_server, check
from test_introspect_revoke import revoke
from test_keys import sealed_blob
from test_revocation_feed import feed
from test_tokens import (cc_client, client_credentials, grant, introspect, introspect_json,
                         observer, refresh, start, token_post)

CB = "http://127.0.0.1:9/cb"
CB2 = "http://127.0.0.1:9/other"
INACTIVE = {"active": False}
FORM = "application/x-www-form-urlencoded"


def text_of(page):
    return " ".join(page.split())


# ---- the forms act on what their page showed ------------------------------------------------

def flow_setup(srv):
    make_user(srv)
    app = make_client(srv, "--redirect-uri", CB2, scope="openid profile email")
    other = make_client(srv, scope="openid profile email")
    return app, other


def request_of(srv, app, challenge):
    return authorize_url(srv, response_type="code", client_id=app["client_id"], redirect_uri=CB,
                         scope="openid profile", state="s-1", nonce="n-1",
                         code_challenge=challenge, code_challenge_method="S256")


def tampered(raw, field, value):
    pairs = [(k, value if k == field else v) for k, v in parse_qsl(raw, keep_blank_values=True)]
    return urlencode(pairs)


def tampers(other):
    return {"client_id": other["client_id"], "scope": "openid profile email",
            "redirect_uri": CB2, "code_challenge": pkce_pair()[1], "state": "s-2",
            "nonce": "n-2"}


def post_form(agent, page, request, **extra):
    fields = {"request": request, "csrf": hidden(page, "csrf"),
              "binding": hidden(page, "binding")}
    fields.update(extra)
    return agent.submit(page, fields)


def assert_changed(r):
    assert r.status_code == 400, (r.status_code, r.headers.get("Location"), r.text[:300])
    assert "Location" not in r.headers
    assert "This form was changed" in text_of(r.text)


def test_a_changed_consent_form_is_refused_and_the_shown_one_works(server):
    app, other = flow_setup(server)
    verifier, challenge = pkce_pair()
    agent = Agent(server)
    r = agent.login(agent.get(request_of(server, app, challenge)))
    assert r.status_code == 303, r.text[:300]
    page = agent.get(r.headers["Location"]).text
    assert 'value="authorize"' in page
    raw = hidden(page, "request")
    for field, value in tampers(other).items():
        changed = tampered(raw, field, value)
        assert changed != raw
        assert_changed(post_form(agent, page, changed, decision="authorize"))
    # the binding of another request does not fit this one either, nor none at all
    r = agent.submit(page, {"request": raw, "csrf": hidden(page, "csrf"),
                            "decision": "authorize"})
    assert_changed(r)
    # the form as shown still works, and state comes back unchanged
    q = redirect_params(post_form(agent, page, raw, decision="authorize"))
    assert q["state"] == "s-1"
    token = exchange(server, app, q["code"], CB, verifier)
    assert token.status_code == 200, token.text
    claims = jwt.decode(token.json()["id_token"], options={"verify_signature": False})
    assert claims["aud"] == app["client_id"] and claims["nonce"] == "n-1"
    assert token.json()["scope"] == "openid profile"


def test_a_changed_login_form_is_refused(server):
    app, other = flow_setup(server)
    agent = Agent(server)
    login = agent.get(request_of(server, app, pkce_pair()[1]))
    page = login.text
    raw = hidden(page, "request")
    for field, value in tampers(other).items():
        r = post_form(agent, page, tampered(raw, field, value), username="alice",
                      password="correct horse battery staple")
        assert_changed(r)
    r = agent.login(login)
    assert r.status_code == 303 and r.headers["Location"].endswith("/authorize?" + raw)


def test_a_consent_form_expires(server, clock):
    app, _ = flow_setup(server)
    agent = Agent(server)
    r = agent.login(agent.get(request_of(server, app, pkce_pair()[1])))
    page = agent.get(r.headers["Location"]).text
    clock.advance(3601)
    r = post_form(agent, page, hidden(page, "request"), decision="authorize")
    assert r.status_code == 403 and "Location" not in r.headers
    assert "This page has expired" in text_of(r.text)


# ---- forms posted from another site ---------------------------------------------------------

CROSS = [{"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "cross-site"},
         {"Sec-Fetch-Site": "same-site"},
         {"Origin": "http://127.0.0.1:9", "Sec-Fetch-Site": "cross-site"}]


def test_forms_from_another_site_are_refused(server):
    app, _ = flow_setup(server)
    agent = Agent(server)
    login = agent.get(request_of(server, app, pkce_pair()[1]))
    fields = {"request": hidden(login.text, "request"), "csrf": hidden(login.text, "csrf"),
              "binding": hidden(login.text, "binding"), "username": "alice",
              "password": "correct horse battery staple"}
    for headers in CROSS:
        for path in ("/login", "/consent", "/account", "/console"):
            r = agent.http.post(server.url + path, data=fields, headers=headers,
                                allow_redirects=False, timeout=10)
            assert r.status_code == 403, (path, headers, r.status_code, r.text[:300])
            assert "Set-Cookie" not in r.headers and "Location" not in r.headers
            assert "sent from another site" in text_of(r.text), r.text[:300]
    # the issuer's own origin, with and without Fetch Metadata, and neither header: accepted
    for headers in ({"Origin": server.url, "Sec-Fetch-Site": "same-origin"},
                    {"Origin": server.url}, {"Origin": "null"}, {}):
        login = agent.get(request_of(server, app, pkce_pair()[1]))
        fields.update(request=hidden(login.text, "request"), csrf=hidden(login.text, "csrf"),
                      binding=hidden(login.text, "binding"))
        r = agent.http.post(server.url + "/login", data=fields, headers=headers,
                            allow_redirects=False, timeout=10)
        assert r.status_code == 303, (headers, r.status_code, r.text[:300])
        consent = agent.get(r.headers["Location"])
        r = agent.http.post(server.url + "/consent", headers=headers, allow_redirects=False,
                            data={"request": hidden(consent.text, "request"),
                                  "csrf": hidden(consent.text, "csrf"),
                                  "binding": hidden(consent.text, "binding"),
                                  "decision": "cancel"}, timeout=10)
        assert r.status_code == 303 and "error=access_denied" in r.headers["Location"]


def login_fields(agent, srv, app):
    login = agent.get(request_of(srv, app, pkce_pair()[1]))
    return {"request": hidden(login.text, "request"), "csrf": hidden(login.text, "csrf"),
            "binding": hidden(login.text, "binding"), "username": "alice",
            "password": "correct horse battery staple"}


def test_behind_a_proxy_the_origin_is_the_issuers(make_server):
    """The issuer URL names the public origin; the listener's own address is another site,
    and so is another port of the same host."""
    srv = make_server(extra_args=["--issuer", "http://auth.example:8080"])
    app, _ = flow_setup(srv)
    agent = Agent(srv)
    for origin in (srv.url, "http://auth.example:8081", "https://auth.example:8080",
                   "http://auth.example"):
        r = agent.http.post(srv.url + "/login", data=login_fields(agent, srv, app),
                            headers={"Origin": origin}, allow_redirects=False, timeout=10)
        assert r.status_code == 403, (origin, r.status_code)
        assert "sent from another site" in text_of(r.text)
    for origin in ("http://auth.example:8080", "HTTP://Auth.Example:8080"):
        r = agent.http.post(srv.url + "/login", data=login_fields(agent, srv, app),
                            headers={"Origin": origin}, allow_redirects=False, timeout=10)
        assert r.status_code == 303, (origin, r.status_code, r.text[:300])


# ---- /introspect and /revoke: 401 with a challenge ------------------------------------------

def test_introspect_and_revoke_401s_carry_a_basic_challenge(server):
    c = cc_client(server)
    public = make_client(server, "--public")
    token = client_credentials(server, c).json()["access_token"]
    for path in ("/introspect", "/revoke"):
        answers = [
            requests.post(server.url + path, data={"token": token}, timeout=10),
            requests.post(server.url + path, auth=(c["client_id"], "wrong"),
                          data={"token": token}, timeout=10),
            requests.post(server.url + path, data={"token": token, "client_id": c["client_id"],
                                                   "client_secret": "wrong"}, timeout=10),
        ]
        if path == "/introspect":
            answers.append(requests.post(server.url + path, timeout=10,
                                         data={"token": token,
                                               "client_id": public["client_id"]}))
        for r in answers:
            assert r.status_code == 401 and r.json()["error"] == "invalid_client", r.text
            assert r.headers["WWW-Authenticate"].startswith('Basic realm="grantd"'), path


# ---- JWTs signed with our key but not ours ---------------------------------------------------

def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def private_key(srv, kid):
    master = base64.b64decode((srv.db_path.parent / (srv.db_path.name + ".key"))
                              .read_text().strip())
    blob = sealed_blob(db_bytes(srv.db_path), master, kid)
    return load_der_private_key(AESGCM(master).decrypt(blob[:12], blob[12:], kid.encode()),
                                password=None)


def resign(token, key, claims):
    """The token's own header (the server compares it byte for byte) over other claims,
    signed with the server's own key (ES256: R || S)."""
    head = token.split(".")[0]
    body = b64url(json.dumps(claims, separators=(",", ":")).encode())
    der = key.sign(f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    return f"{head}.{body}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


@sqlite_only("the signing key is read out of the SQLite file with its key file")
def test_jwts_signed_with_our_key_but_not_ours_are_refused(make_server, clock):
    srv = admin_server(make_server)
    c = cc_client(srv, "--access-token-format", "jwt")
    watcher = observer(srv)
    token = client_credentials(srv, c).json()["access_token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    key = private_key(srv, jwt.get_unverified_header(token)["kid"])
    now = claims["iat"]
    # the same claims signed again (another signature: ECDSA is randomized): active, so the
    # forgeries below fail for their claims alone
    same = resign(token, key, claims)
    assert same != token
    assert introspect_json(srv, watcher, same)["active"] is True
    forged = {
        "another iss": dict(claims, iss="https://evil.example"),
        "another aud": dict(claims, aud="https://evil.example/api"),
        "no aud": {k: v for k, v in claims.items() if k != "aud"},
        "a future nbf": dict(claims, nbf=now + 3600),
        "a future iat": dict(claims, iat=now + 3600, exp=now + 7200),
        "a non-numeric nbf": dict(claims, nbf="soon"),
        "another sub": dict(claims, sub="someone-else"),
    }
    for what, body in forged.items():
        bad = resign(token, key, body)
        assert introspect_json(srv, watcher, bad) == INACTIVE, what
        assert userinfo(srv, bad).status_code == 401, what
        assert check(srv, bad).status_code == 401, what
    # a small skew is allowed: nbf a few seconds ahead of this server's clock
    assert introspect_json(srv, watcher, resign(token, key, dict(claims, nbf=now + 30))
                           )["active"] is True


# ---- bodies in another charset ---------------------------------------------------------------

def test_a_body_in_another_charset_is_refused(server):
    c = cc_client(server)
    body = {"grant_type": "client_credentials"}
    for charset in ("ISO-8859-1", "windows-1252", '"latin1"', "utf-16"):
        r = requests.post(server.url + "/token", data=body, auth=(c["client_id"],
                          c["client_secret"]),
                          headers={"Content-Type": f"{FORM}; charset={charset}"}, timeout=10)
        assert r.status_code == 400 and r.json()["error"] == "invalid_request", charset
        assert "UTF-8" in r.json()["error_description"]
    # a second charset cannot smuggle another one in after a UTF-8 label
    r = requests.post(server.url + "/token", data=body, auth=(c["client_id"], c["client_secret"]),
                      headers={"Content-Type": f"{FORM}; charset=utf-8; charset=latin1"},
                      timeout=10)
    assert r.status_code == 400
    for charset in ("utf-8", "UTF-8", '"utf-8"', "Utf-8"):
        r = requests.post(server.url + "/token", data=body, auth=(c["client_id"],
                          c["client_secret"]),
                          headers={"Content-Type": f"{FORM}; charset={charset}"}, timeout=10)
        assert r.status_code == 200, (charset, r.text)
    token = r.json()["access_token"]
    r = requests.post(server.url + "/introspect", data={"token": token},
                      auth=(c["client_id"], c["client_secret"]),
                      headers={"Content-Type": f"{FORM}; charset=ISO-8859-1"}, timeout=10)
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
    # a Latin-1 "é" (one byte, E9) in a login form is refused, not read as UTF-8
    make_user(server)
    app = make_client(server)
    agent = Agent(server)
    login = agent.get(authorize_url(server, response_type="code", client_id=app["client_id"],
                                    redirect_uri=CB, code_challenge=pkce_pair()[1],
                                    code_challenge_method="S256"))
    raw = urlencode({"request": hidden(login.text, "request"), "csrf": hidden(login.text, "csrf"),
                     "binding": hidden(login.text, "binding"), "username": "alice",
                     "password": "caf\u00e9"}, encoding="latin-1")
    r = agent.http.post(server.url + "/login", data=raw, allow_redirects=False, timeout=10,
                        headers={"Content-Type": f"{FORM}; charset=ISO-8859-1"})
    assert r.status_code == 400 and "The form could not be read" in text_of(r.text)


# ---- another client's token: nothing tells it from no token ---------------------------------

def test_another_clients_tokens_read_as_not_valid(server):
    client = start(server)
    other = make_client(server)
    tokens = grant(server, client)
    unknown = secrets.token_urlsafe(32)
    # refresh: the same answer as for a token that does not exist
    mine, nothing = refresh(server, other, tokens["refresh_token"]), refresh(server, other, unknown)
    assert mine.status_code == nothing.status_code == 400
    assert mine.json() == nothing.json() == {"error": "invalid_grant",
                                             "error_description": "the refresh token is not valid"}
    # revoke (RFC 7009 §2.1 asks to refuse; decided: 200 and nothing revoked, as for an
    # unknown token, docs/endpoints.md): the token stays active for its client
    for t in (tokens["access_token"], tokens["refresh_token"]):
        a, b = revoke(server, other, t), revoke(server, other, unknown)
        assert (a.status_code, a.content) == (b.status_code, b.content) == (200, b"")
        assert introspect_json(server, client, t)["active"] is True
    assert refresh(server, client, tokens["refresh_token"]).status_code == 200
    # introspection: exactly inactive, as for an unknown token
    fresh = grant(server, client)
    assert introspect_json(server, other, fresh["access_token"]) == INACTIVE
    # a code: the same description as an unknown code's
    verifier, challenge = pkce_pair()
    q = redirect_params(Agent(server).authorize(authorize_url(
        server, response_type="code", client_id=client["client_id"], redirect_uri=CB,
        code_challenge=challenge, code_challenge_method="S256")))
    theirs = exchange(server, other, q["code"], CB, verifier)
    nothing = exchange(server, other, secrets.token_urlsafe(32), CB, verifier)
    assert theirs.json() == nothing.json(), (theirs.text, nothing.text)


# ---- a deleted client's tokens ---------------------------------------------------------------

ISSUER = "http://grantd.test"


class LoopbackAgent(Agent):
    """An agent for a server whose issuer URL is not its address: the pages' links and form
    actions name the issuer; the requests go to the server on loopback."""

    def _here(self, url):
        return self.srv.url + url[len(ISSUER):] if url.startswith(ISSUER) else url

    def get(self, url):
        return super().get(self._here(url))

    def submit(self, page, fields):
        action = re.search(r'<form[^>]*action="([^"]+)"', page).group(1)
        return self.http.post(self._here(html.unescape(action)), data=fields,
                              allow_redirects=False, timeout=10)


def issued(srv, app, svc, jwt_svc):
    """Tokens of every kind the three clients can have: code-flow access and refresh tokens
    (opaque and, for the jwt app, stored JWTs), opaque and self-contained JWT client
    credentials tokens."""
    out = {}
    for name, c in app.items():
        t = grant(srv, c, agent=LoopbackAgent(srv))
        out[name + " access"], out[name + " refresh"] = t["access_token"], t["refresh_token"]
    out["cc opaque"] = client_credentials(srv, svc).json()["access_token"]
    out["cc jwt"] = client_credentials(srv, jwt_svc).json()["access_token"]
    return out


def test_nothing_a_deleted_client_issued_is_accepted(make_server):
    # one issuer URL for both servers: the restarted one listens on another port, and would
    # refuse self-contained JWTs for their iss alone
    issuer = ("--issuer", ISSUER)
    srv = admin_server(make_server, extra_args=issuer)
    make_user(srv)
    grants = ("--grant", "authorization_code", "--grant", "refresh_token", "--grant",
              "client_credentials")
    both = {"opaque": make_client(srv, *grants),
            "jwt": make_client(srv, *grants, "--access-token-format", "jwt")}
    watcher = observer(srv)
    tokens = issued(srv, both, both["opaque"], both["jwt"])
    # a self-contained JWT of a client that stays: alive after the restart, so those of the
    # deleted clients are refused for their client alone
    keeper = cc_client(srv, "--access-token-format", "jwt")
    tokens_alive = client_credentials(srv, keeper).json()["access_token"]
    for name, t in tokens.items():
        assert introspect_json(srv, watcher, t)["active"] is True, name
    cursor = feed(srv)["cursor"]
    for c in both.values():
        srv.cli("client", "delete", c["client_id"])
    events = feed(srv, cursor)["events"]
    assert sorted({e["client_id"] for e in events if e["kind"] == "client"}) == \
        sorted(c["client_id"] for c in both.values())
    assert len([e for e in events if e["kind"] == "family"]) >= 2

    def dead(s):
        for name, t in tokens.items():
            assert introspect_json(s, watcher, t) == INACTIVE, name
            if "refresh" not in name:
                assert userinfo(s, t).status_code == 401, name
                assert check(s, t).status_code == 401, name
    dead(srv)
    assert srv.stop() == 0
    again = admin_server(make_server, extra_args=issuer)
    assert introspect_json(again, watcher, tokens_alive)["active"] is True
    dead(again)
    # created again under the same id, the client gets none of its old grants back
    create_client(again, "--id", both["opaque"]["client_id"], "--name", "Again", "--grant",
                  "client_credentials", "--grant", "refresh_token")
    dead(again)


def test_the_admin_api_delete_revokes_too(make_server):
    srv = admin_server(make_server)
    key = json.loads(srv.cli("admin-key", "create", "--name", "ops", "--json").stdout)["key"]
    svc = cc_client(srv)
    watcher = observer(srv)
    token = client_credentials(srv, svc).json()["access_token"]
    r = requests.delete(srv.admin_url + "/v1/tenants/default/clients/" + svc["client_id"],
                        headers={"Authorization": "Bearer " + key}, timeout=10)
    assert r.status_code == 204, r.text
    assert introspect_json(srv, watcher, token) == INACTIVE
