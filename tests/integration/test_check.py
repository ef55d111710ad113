"""The admin listener and /check (issue: admin listener, /check for proxies, API error bodies).

/check answers a proxy in front of an API (nginx auth_request, Traefik ForwardAuth, ...):
200 with the token's facts in X-Grantd-* headers, or 401/403 with an RFC 6750 challenge and
X-Grantd-Reason (missing, invalid, expired, revoked, insufficient_scope).
/check/error/REASON answers the body the API must send for a reason, as the issuer's profile
says. Both live on the admin listener only, which is off unless configured."""
import json
import re
from pathlib import Path

import requests

from conftest import create_client, serve_first_line
from flow import make_client, make_user
from test_introspect_revoke import revoke
from test_tokens import client_credentials, grant, introspect_json, observer, start

ROOT = Path(__file__).resolve().parents[2]
ADMIN = ("--admin-listen", "127.0.0.1:0")


def admin_server(make_server, **kw):
    kw["extra_args"] = tuple(kw.get("extra_args", ())) + ADMIN
    srv = make_server(**kw)
    assert srv.admin_url, "no admin URL on the listening line"
    return srv


def check(srv, token=None, method="GET", **headers):
    h = {k.replace("_", "-"): v for k, v in headers.items()}
    if token is not None:
        h["Authorization"] = "Bearer " + token
    return requests.request(method, srv.admin_url + "/check", headers=h, timeout=10)


def assert_refused(r, status, reason, realm):
    assert r.status_code == status, (r.status_code, r.headers, r.text)
    assert r.headers["X-Grantd-Reason"] == reason
    challenge = r.headers["WWW-Authenticate"]
    assert challenge.startswith(f'Bearer realm="{realm}"'), challenge
    if reason == "missing":
        assert "error=" not in challenge
    elif reason == "insufficient_scope":
        assert 'error="insufficient_scope"' in challenge and 'scope="' in challenge
    else:
        assert 'error="invalid_token"' in challenge and "error_description=" in challenge
    assert not any(k.lower().startswith("x-grantd-s") for k in r.headers)  # no identity
    return challenge


def cc_client(srv, *args):
    return create_client(srv, "--name", "Service", "--grant", "client_credentials",
                         "--scope", "orders read", *args)


def cc_token(srv, client, scope="orders"):
    r = client_credentials(srv, client, scope)
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


# ---- the listener --------------------------------------------------------------------------

def test_the_admin_listener_is_off_unless_set(server):
    assert server.admin_url is None
    assert server.wait_event("listening")["admin_url"] is None
    assert requests.get(server.url + "/check", timeout=10).status_code == 404


def test_check_is_not_reachable_on_the_public_listener(make_server):
    srv = admin_server(make_server)
    client = cc_client(srv)
    token = cc_token(srv, client)
    for path in ("/check", "/check/error/invalid", "/check/error/expired"):
        for method in ("GET", "POST", "HEAD"):
            r = requests.request(method, srv.url + path, timeout=10,
                                 headers={"Authorization": "Bearer " + token})
            assert r.status_code == 404, (path, method, r.status_code)
            assert "X-Grantd-Reason" not in r.headers
    # and the admin listener serves none of the public endpoints
    assert requests.post(srv.admin_url + "/token", timeout=10,
                         data={"grant_type": "client_credentials"}).status_code == 404
    assert requests.get(srv.admin_url + "/.well-known/oauth-authorization-server",
                        timeout=10).status_code == 404
    assert requests.get(srv.admin_url + "/health/ready", timeout=10).status_code == 200
    assert srv.wait_event("listening")["admin_url"] == srv.admin_url


def test_the_listening_line_names_the_admin_address(tmp_path):
    # the public part keeps its shape (test_serve_output.py); the admin address follows it
    line, err = serve_first_line(tmp_path, "--admin-listen", "127.0.0.1:0")
    m = re.fullmatch(r"grantd listening on http://127\.0\.0\.1:(\d+), issuer "
                     r"http://127\.0\.0\.1:(\d+), admin http://127\.0\.0\.1:(\d+)\n", line)
    assert m and m.group(1) == m.group(2) and m.group(3) not in ("0", m.group(1)), line
    event = [json.loads(x) for x in err.splitlines() if '"listening"' in x][0]
    assert event["admin_url"] == f"http://127.0.0.1:{m.group(3)}"


def test_flag_over_environment_over_file(make_server):
    host = lambda srv: re.match(r"http://([\d.]+):\d+$", srv.admin_url).group(1)
    conf = 'admin_listen = "127.0.0.3:0";\n'
    srv = make_server(config_text=conf)
    assert host(srv) == "127.0.0.3"
    srv = make_server(config_text=conf, env={"GRANTD_ADMIN_LISTEN": "127.0.0.2:0"})
    assert host(srv) == "127.0.0.2"
    srv = make_server(config_text=conf, env={"GRANTD_ADMIN_LISTEN": "127.0.0.2:0"},
                      extra_args=ADMIN)
    assert host(srv) == "127.0.0.1"
    assert requests.get(srv.admin_url + "/health/live", timeout=10).status_code == 200


def test_a_bad_admin_address_is_refused(make_server):
    srv = make_server(defer_start=True)
    r = srv.cli("serve", "--listen", "127.0.0.1:0", "--admin-listen", "nowhere", check=False)
    assert r.returncode != 0 and "--admin-listen" in r.stderr and "listening" not in r.stdout


# ---- /check: tokens that pass --------------------------------------------------------------

def test_a_users_opaque_token_passes_with_its_identity(make_server):
    srv = admin_server(make_server)
    client = start(srv)  # alice, account acct-42
    body = grant(srv, client)
    info = introspect_json(srv, observer(srv), body["access_token"])
    for method in ("GET", "POST", "PUT", "DELETE", "HEAD"):
        r = check(srv, body["access_token"], method=method)
        assert r.status_code == 200, (method, r.status_code, r.text)
        assert r.headers["X-Grantd-Subject"] == info["sub"]
        assert r.headers["X-Grantd-Client-Id"] == client["client_id"]
        assert r.headers["X-Grantd-Scope"] == "profile email"
        assert r.headers["X-Grantd-Username"] == "alice"
        assert r.headers["X-Grantd-Account"] == "acct-42"
        assert "X-Grantd-Reason" not in r.headers and "WWW-Authenticate" not in r.headers
    assert check(srv, body["access_token"], X_Grantd_Scope="profile").status_code == 200
    assert check(srv, body["access_token"], X_Grantd_Scope="email  profile").status_code == 200


def test_jwt_access_tokens_pass_and_carry_their_audience(make_server):
    srv = admin_server(make_server)
    make_user(srv)
    client = make_client(srv, "--access-token-format", "jwt")
    token = grant(srv, client)["access_token"]
    assert token.count(".") == 2
    r = check(srv, token, X_Grantd_Audience=srv.url, X_Grantd_Scope="profile")
    assert r.status_code == 200 and r.headers["X-Grantd-Username"] == "alice"
    assert_refused(check(srv, token, X_Grantd_Audience="https://other.example"), 401,
                   "invalid", srv.url)


def test_an_opaque_token_meets_no_audience(make_server):
    srv = admin_server(make_server)
    token = cc_token(srv, cc_client(srv))
    assert check(srv, token).status_code == 200
    assert_refused(check(srv, token, X_Grantd_Audience=srv.url), 401, "invalid", srv.url)


def test_self_contained_client_credentials_jwts(make_server):
    srv = admin_server(make_server)
    client = cc_client(srv, "--access-token-format", "jwt")
    token = cc_token(srv, client, "orders read")
    r = check(srv, token, X_Grantd_Scope="read orders", X_Grantd_Audience=srv.url)
    assert r.status_code == 200, r.text
    assert r.headers["X-Grantd-Subject"] == client["client_id"]
    assert r.headers["X-Grantd-Client-Id"] == client["client_id"]
    assert r.headers["X-Grantd-Scope"] == "orders read"
    assert "X-Grantd-Username" not in r.headers and "X-Grantd-Account" not in r.headers
    # a forged signature is no token of ours
    head, claims, sig = token.split(".")
    forged = ".".join((head, claims, ("A" if sig[0] != "A" else "B") + sig[1:]))
    assert_refused(check(srv, forged), 401, "invalid", srv.url)
    srv.cli("client", "disable", client["client_id"])
    assert_refused(check(srv, token), 401, "revoked", srv.url)


def test_a_cached_self_contained_jwt_is_revoked_at_once(make_server):
    """A self-contained JWT's verdict is kept in the token cache (no store read, no
    signature check); its revocation row moves the store's generation, so the very next
    /check and /introspect after POST /revoke refuse it, and its neighbours stay good."""
    srv = admin_server(make_server)
    client = cc_client(srv, "--access-token-format", "jwt")
    watcher = observer(srv)
    token, other = cc_token(srv, client), cc_token(srv, client)
    for _ in range(3):  # the first answer caches the verdict, the others come from it
        assert check(srv, token).status_code == 200
        assert check(srv, other).status_code == 200
        assert introspect_json(srv, watcher, token)["active"] is True
    assert revoke(srv, client, token).status_code == 200
    assert_refused(check(srv, token), 401, "revoked", srv.url)
    assert introspect_json(srv, watcher, token) == {"active": False}
    assert introspect_json(srv, client, token) == {"active": False}
    assert_refused(check(srv, token), 401, "revoked", srv.url)
    assert check(srv, other).status_code == 200
    assert introspect_json(srv, watcher, other)["active"] is True
    # revoking it again changes nothing
    assert revoke(srv, client, token).status_code == 200
    assert_refused(check(srv, token), 401, "revoked", srv.url)
    assert check(srv, other).status_code == 200


def test_a_cached_self_contained_jwt_of_a_client_disabled_by_the_cli(make_server):
    """`grantd client disable` is another process: once it has returned, the cached verdict
    is gone (the change watcher moved the generation), and re-enabling the client does not
    bring its old tokens back."""
    srv = admin_server(make_server)
    client = cc_client(srv, "--access-token-format", "jwt")
    watcher = observer(srv)
    token = cc_token(srv, client)
    for _ in range(3):
        assert check(srv, token).status_code == 200
        assert introspect_json(srv, watcher, token)["active"] is True
    srv.cli("client", "disable", client["client_id"])
    assert_refused(check(srv, token), 401, "revoked", srv.url)
    assert introspect_json(srv, watcher, token) == {"active": False}
    enabled = json.loads(srv.cli("client", "enable", client["client_id"], "--json").stdout)
    assert_refused(check(srv, token), 401, "revoked", srv.url)
    assert introspect_json(srv, watcher, token) == {"active": False}
    fresh = cc_token(srv, dict(client, client_secret=enabled["client_secret"]))
    assert check(srv, fresh).status_code == 200
    assert check(srv, fresh).status_code == 200


# ---- /check: every reason ------------------------------------------------------------------

def test_missing_and_invalid_tokens(make_server):
    srv = admin_server(make_server)
    client = start(srv)
    body = grant(srv, client)
    assert_refused(check(srv), 401, "missing", srv.url)
    r = requests.get(srv.admin_url + "/check", timeout=10,
                     headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert_refused(r, 401, "missing", srv.url)
    assert r.json() == {"error_description":
                        "an access token is required in the Authorization header"}
    for bad in ("x" * 43, "not a token", "a.b.c", "eyJhbGciOiJFUzI1NiJ9.e30.AAAA",
                body["refresh_token"]):
        r = check(srv, bad)
        assert_refused(r, 401, "invalid", srv.url)
        assert r.headers["Content-Type"] == "application/json"
        assert r.json()["error"] == "invalid_token"


def test_expired_by_the_clock(make_server, clock):
    srv = admin_server(make_server)
    opaque = cc_token(srv, cc_client(srv))
    jwt = cc_token(srv, cc_client(srv, "--access-token-format", "jwt"))
    assert check(srv, opaque).status_code == 200 and check(srv, jwt).status_code == 200
    clock.advance(3 * 24 * 3600)
    for token in (opaque, jwt):
        r = check(srv, token)
        assert_refused(r, 401, "expired", srv.url)
        assert r.json() == {"error": "invalid_token",
                            "error_description": "the access token has expired"}


def test_revoked_by_revoke_and_by_a_disabled_client(make_server):
    srv = admin_server(make_server)
    client = start(srv)
    one, two = grant(srv, client), grant(srv, client)
    assert check(srv, one["access_token"]).status_code == 200  # and now in the token cache
    assert revoke(srv, client, one["access_token"]).status_code == 200
    assert_refused(check(srv, one["access_token"]), 401, "revoked", srv.url)
    assert check(srv, two["access_token"]).status_code == 200
    srv.cli("client", "disable", client["client_id"])
    assert_refused(check(srv, two["access_token"]), 401, "revoked", srv.url)


def test_a_disabled_user_is_revoked(make_server):
    srv = admin_server(make_server)
    client = start(srv)
    token = grant(srv, client)["access_token"]
    assert check(srv, token).status_code == 200
    srv.cli("user", "disable", "alice")
    assert_refused(check(srv, token), 401, "revoked", srv.url)


def test_insufficient_scope(make_server):
    srv = admin_server(make_server)
    token = cc_token(srv, cc_client(srv), "orders")
    r = check(srv, token, X_Grantd_Scope="orders read")
    challenge = assert_refused(r, 403, "insufficient_scope", srv.url)
    assert 'scope="orders read"' in challenge
    assert r.json()["error"] == "insufficient_scope"
    # a bad scope list is the proxy's mistake, not the token's
    assert check(srv, token, X_Grantd_Scope='or"ders').status_code == 400


def test_the_issuer_header_chooses_the_tenant(make_server):
    srv = make_server(defer_start=True, extra_args=ADMIN)
    srv.cli("tenant", "create", "shop2", "--issuer", "/shop2")
    srv.start()
    two = create_client(srv, "--name", "S", "--grant", "client_credentials", "--scope", "orders",
                        "--tenant", "shop2")
    one = cc_client(srv)
    r = requests.post(srv.url + "/shop2/token", data={"grant_type": "client_credentials"},
                      auth=(two["client_id"], two["client_secret"]), timeout=10)
    t2 = r.json()["access_token"]
    t1 = cc_token(srv, one)
    shop2 = srv.url + "/shop2"
    assert check(srv, t2, X_Grantd_Issuer=shop2).status_code == 200
    assert check(srv, t1, X_Grantd_Issuer=srv.url).status_code == 200
    assert check(srv, t1).status_code == 200  # the default issuer
    # another issuer's token is invalid, with the realm of the issuer asked
    assert_refused(check(srv, t2), 401, "invalid", srv.url)
    assert_refused(check(srv, t1, X_Grantd_Issuer=shop2), 401, "invalid", shop2)
    # an issuer the server does not have is the proxy's mistake
    assert check(srv, t1, X_Grantd_Issuer="https://nowhere.example").status_code == 400


# ---- API error bodies ----------------------------------------------------------------------

REASONS = ("missing", "invalid", "expired", "revoked", "insufficient_scope")


def error_page(srv, reason, issuer=None):
    return requests.get(srv.admin_url + "/check/error/" + reason, timeout=10,
                        headers={"X-Grantd-Issuer": issuer} if issuer else {})


def test_default_api_errors_are_rfc_6750_json(make_server):
    srv = admin_server(make_server)
    for reason in REASONS:
        r = error_page(srv, reason)
        assert r.status_code == (403 if reason == "insufficient_scope" else 401), reason
        assert r.headers["Content-Type"] == "application/json"
        if reason == "missing":
            assert set(r.json()) == {"error_description"}
        else:
            assert r.json()["error"] == ("insufficient_scope" if reason == "insufficient_scope"
                                         else "invalid_token")
    assert error_page(srv, "unknown").status_code == 404
    assert requests.post(srv.admin_url + "/check/error/invalid", timeout=10).status_code == 405


APRUVE = b'[{"message":"Invalid authentication token."}]'
BILLIT = {"missing": b'{"errors":[{"Code":"InvalidAccessToken"}]}',
          "invalid": b'{"errors":[{"Code":"InvalidAccessToken"}]}',
          "expired": b'{"errors":[{"Code":"AccessTokenExpired"}]}',
          "revoked": b'{"errors":[{"Code":"AccessTokenRevoked"}]}'}


def test_apruve_api_errors(make_server):
    srv = admin_server(make_server, config_text=(ROOT / "examples/profiles/apruve.conf")
                       .read_text())
    for reason in ("missing", "invalid", "expired", "revoked"):
        r = error_page(srv, reason)
        assert (r.status_code, r.headers["Content-Type"], r.content) == \
            (401, "application/json", APRUVE), reason
    r = error_page(srv, "insufficient_scope")
    assert r.status_code == 403 and r.json()["error"] == "insufficient_scope"
    # /check's own refusal carries the same body
    r = check(srv, "x" * 43)
    assert r.status_code == 401 and r.content == APRUVE


def test_billit_api_errors(make_server, clock):
    srv = admin_server(make_server, config_text=(ROOT / "examples/profiles/billit.conf")
                       .read_text())
    for reason, body in BILLIT.items():
        r = error_page(srv, reason)
        assert (r.status_code, r.headers["Content-Type"], r.content) == \
            (401, "application/json", body), reason
    client = cc_client(srv)
    token = cc_token(srv, client)
    revoked = cc_token(srv, client)
    assert revoke(srv, client, revoked).status_code == 200
    assert check(srv, revoked).content == BILLIT["revoked"]
    clock.advance(2 * 3600)
    r = check(srv, token)
    assert r.headers["X-Grantd-Reason"] == "expired" and r.content == BILLIT["expired"]


def test_a_tenants_profile_gives_its_own_bodies(make_server, tmp_path):
    srv = make_server(defer_start=True, extra_args=ADMIN)
    profile = tmp_path / "billit.conf"
    profile.write_text((ROOT / "examples/profiles/billit.conf").read_text())
    srv.cli("tenant", "create", "billit", "--issuer", "/billit", "--profile", str(profile))
    srv.start()
    assert error_page(srv, "expired", srv.url + "/billit").content == BILLIT["expired"]
    assert error_page(srv, "expired").json()["error"] == "invalid_token"


def test_api_error_settings_are_checked(make_server):
    srv = make_server(defer_start=True)
    for bad in ('profile = { api_errors = { invalid = { status = 600; }; }; };',
                'profile = { api_errors = { invalid = { content_type = "a\\nb"; }; }; };',
                'profile = { api_errors = { nope = { status = 401; }; }; };'):
        cfg = srv.workdir / "bad.conf"
        cfg.write_text(bad + "\n")
        r = srv.cli("serve", "--listen", "127.0.0.1:0", "--config", str(cfg), check=False)
        assert r.returncode != 0 and "listening" not in r.stdout, (bad, r.stderr)
