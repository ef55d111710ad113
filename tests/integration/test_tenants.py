"""Several issuers in one grantd (`grantd tenant ...`): the CLI, routing by path prefix and by
Host, and isolation: nothing one issuer issued (code, token, session, key) is accepted by
another, even where client ids and usernames are the same."""
import json
import re

import jwt
import requests

from conftest import ROOT, create_client, run_cli
from flow import PASSWORD, Agent, exchange, redirect_params, userinfo

INACTIVE = {"active": False}
PROFILES = ROOT / "examples" / "profiles"


def tenant_cli(srv, *args, check=True):
    return srv.cli("tenant", *args, check=check)


def user(srv, tenant=None, username="alice", password=PASSWORD):
    scope = ("--tenant", tenant) if tenant else ()
    srv.cli("user", "create", "--username", username, *scope, input=password + "\n")


def client(srv, tenant=None, *args):
    scope = ("--tenant", tenant) if tenant else ()
    return create_client(srv, "--id", "shared-app", "--name", "App", "--scope", "profile",
                         "--redirect-uri", "http://127.0.0.1:9/cb", "--grant",
                         "authorization_code", "--grant", "refresh_token", "--grant", "client_credentials",
                         *scope, *args)


def introspect(srv, prefix, caller, token, host=None):
    r = requests.post(srv.url + prefix + "/introspect", data={"token": token}, timeout=10,
                      auth=(caller["client_id"], caller["client_secret"]),
                      headers={"Host": host} if host else {})
    assert r.status_code == 200, r.text
    return r.json()


def test_tenant_commands(make_server):
    srv = make_server(defer_start=True)
    out = json.loads(tenant_cli(srv, "create", "shop2", "--issuer", "/shop2", "--json").stdout)
    assert out["name"] == "shop2" and out["issuer"] == "/shop2" and out["profile"] is None
    out = json.loads(tenant_cli(srv, "create", "apruve-test", "--issuer",
                                "https://test.apruve.com", "--profile",
                                str(PROFILES / "apruve.conf"), "--json").stdout)
    assert out["profile"] == "apruve"
    listed = json.loads(tenant_cli(srv, "list", "--json").stdout)
    assert [t["name"] for t in listed] == ["default", "shop2", "apruve-test"]
    shown = json.loads(tenant_cli(srv, "show", "apruve-test", "--json").stdout)
    assert shown["profile_text"] == (PROFILES / "apruve.conf").read_text()
    assert "apruve" in tenant_cli(srv, "list").stdout
    made = tenant_cli(srv, "create", "quiet", "--issuer", "/quiet")
    assert made.stderr == ""  # a command that worked writes no log lines
    # refusals, each with nothing written
    for args, message in (
        (("create", "shop2", "--issuer", "/other"), "exists"),
        (("create", "x", "--issuer", "/shop2"), "already has issuer /shop2"),
        (("create", "x", "--issuer", "/x/"), "must not end with a slash"),
        (("create", "x", "--issuer", "shop"), "--issuer"),
        (("create", "x"), "--issuer is required"),
        (("create", "bad name", "--issuer", "/b"), "NAME must be"),
        (("create", "x", "--issuer", "/x", "--profile", str(ROOT / "examples" / "grantd.conf")),
         "unknown setting 'listen'"),
        (("show", "nobody"), "no tenant named 'nobody'"),
    ):
        r = tenant_cli(srv, *args, check=False)
        assert r.returncode != 0 and message in r.stderr, (args, r.stderr)
    assert len(json.loads(tenant_cli(srv, "list", "--json").stdout)) == 4
    r = srv.cli("client", "list", "--tenant", "nobody", check=False)
    assert r.returncode != 0 and "no tenant named 'nobody'" in r.stderr
    # clients, users and keys are per tenant
    client(srv, "shop2")
    assert "shared-app" in srv.cli("client", "list", "--tenant", "shop2").stdout
    assert "shared-app" not in srv.cli("client", "list").stdout
    srv.start()
    # the default issuer's key is made at start; a tenant's on its first request
    assert json.loads(srv.cli("key", "list", "--json", "--tenant", "shop2").stdout) == []
    published = requests.get(srv.url + "/shop2/jwks.json", timeout=10).json()["keys"]
    keys = {t: json.loads(srv.cli("key", "list", "--json", *(("--tenant", t) if t else ()))
                          .stdout) for t in (None, "shop2")}
    assert [k["kid"] for k in keys["shop2"]] == [published[0]["kid"]]
    assert keys[None][0]["kid"] != published[0]["kid"]
    # rotating one issuer's keys leaves the other's alone
    srv.cli("key", "rotate", "--tenant", "shop2", "--alg", "RS256")
    assert len(json.loads(srv.cli("key", "list", "--json", "--tenant", "shop2").stdout)) == 2
    assert len(json.loads(srv.cli("key", "list", "--json").stdout)) == 1


def test_issuers_are_isolated(make_server):
    srv = make_server(defer_start=True)
    tenant_cli(srv, "create", "shop2", "--issuer", "/shop2")
    srv.start()
    # the same client id and username in both, with their own secrets and passwords
    user(srv)
    user(srv, "shop2", password="another password entirely")
    one, two = client(srv), client(srv, "shop2")
    assert one["client_secret"] != two["client_secret"]

    # discovery names each issuer and its endpoints
    m2 = requests.get(srv.url + "/shop2/.well-known/oauth-authorization-server",
                      timeout=10).json()
    assert m2["issuer"] == srv.url + "/shop2" and m2["token_endpoint"] == srv.url + "/shop2/token"
    assert requests.get(srv.url + "/.well-known/oauth-authorization-server",
                        timeout=10).json()["issuer"] == srv.url

    # a code flow at shop2: its login page posts to shop2, its redirect carries shop2's iss
    agent = Agent(srv)
    url = (srv.url + "/shop2/authorize?response_type=code&client_id=shared-app&state=s"
           "&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb")
    page = agent.get(url)
    assert re.search(r'action="' + re.escape(srv.url) + '/shop2/login"', page.text)
    r = agent.authorize(url, password="another password entirely")
    q = redirect_params(r)
    assert q["iss"] == srv.url + "/shop2"
    # the shop2 session is no session at the default issuer: it asks for a login there
    r = agent.get(srv.url + "/authorize?response_type=code&client_id=shared-app&state=s")
    assert r.status_code == 200 and 'name="password"' in r.text
    # shop2's code at the default issuer: invalid_grant (the client authenticates there)
    r = exchange(srv, one, q["code"], "http://127.0.0.1:9/cb")
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    # the default issuer has no such code, so nothing was burnt: shop2 still redeems it
    r = requests.post(srv.url + "/shop2/token", timeout=10, auth=("shared-app",
                                                                  two["client_secret"]),
                      data={"grant_type": "authorization_code", "code": q["code"],
                            "redirect_uri": "http://127.0.0.1:9/cb"})
    assert r.status_code == 200, r.text
    t2 = r.json()
    # shop2's tokens: active at shop2, unknown at the default issuer
    assert introspect(srv, "/shop2", two, t2["access_token"])["active"] is True
    assert introspect(srv, "", one, t2["access_token"]) == INACTIVE
    assert introspect(srv, "", one, t2["refresh_token"]) == INACTIVE
    assert userinfo(srv, t2["access_token"]).status_code == 401
    assert requests.get(srv.url + "/shop2/userinfo", timeout=10, headers={
        "Authorization": "Bearer " + t2["access_token"]}).status_code == 200
    r = requests.post(srv.url + "/token", timeout=10, auth=("shared-app", one["client_secret"]),
                      data={"grant_type": "refresh_token", "refresh_token": t2["refresh_token"]})
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    # a secret of one issuer is no secret at the other
    r = requests.post(srv.url + "/token", timeout=10, auth=("shared-app", two["client_secret"]),
                      data={"grant_type": "client_credentials"})
    assert r.status_code == 401
    # self-contained JWTs: signed with shop2's key, refused by the default issuer's
    srv_jwt = create_client(srv, "--name", "svc", "--grant", "client_credentials",
                            "--access-token-format", "jwt", "--tenant", "shop2")
    token = requests.post(srv.url + "/shop2/token", timeout=10,
                          auth=(srv_jwt["client_id"], srv_jwt["client_secret"]),
                          data={"grant_type": "client_credentials"}).json()["access_token"]
    assert jwt.decode(token, options={"verify_signature": False})["iss"] == srv.url + "/shop2"
    assert introspect(srv, "/shop2", srv_jwt, token)["active"] is True
    observer = create_client(srv, "--name", "obs", "--grant", "client_credentials",
                             "--introspect-any")
    assert introspect(srv, "", observer, token) == INACTIVE
    # revoking at the wrong issuer changes nothing
    requests.post(srv.url + "/revoke", data={"token": t2["access_token"]}, timeout=10,
                  auth=("shared-app", one["client_secret"]))
    assert introspect(srv, "/shop2", two, t2["access_token"])["active"] is True
    # paths outside every prefix still reach the default issuer; /shop2x is not /shop2
    assert requests.get(srv.url + "/shop2x/jwks.json", timeout=10).status_code == 404
    # each request's log line names the issuer that answered it
    srv.wait_request("/shop2x/jwks.json")
    logged = {}
    for e in srv.log_events():
        if e.get("event") == "request":
            logged.setdefault(e["path"], set()).add(e["tenant"])
    assert logged["/shop2/token"] == {2} and logged["/token"] == {1}
    assert logged["/shop2x/jwks.json"] == {1}


def test_issuers_by_host(make_server):
    """Apruve's test and production environments: same paths, told apart by Host."""
    srv = make_server(defer_start=True)
    for name, host in (("apruve-test", "test.apruve.com"), ("apruve-prod", "app.apruve.com")):
        tenant_cli(srv, "create", name, "--issuer", "https://" + host, "--profile",
                   str(PROFILES / "apruve.conf"))
    srv.start()
    svc = {h: create_client(srv, "--name", "svc", "--grant", "client_credentials",
                            "--tenant", n)
           for n, h in (("apruve-test", "test.apruve.com"), ("apruve-prod", "app.apruve.com"))}
    tokens = {}
    for host, c in svc.items():
        r = requests.post(srv.url + "/oauth2/token", timeout=10, headers={"Host": host},
                          data={"grant_type": "client_credentials", "client_id": c["client_id"],
                                "client_secret": c["client_secret"]})
        assert r.status_code == 200, r.text
        assert r.json()["expires_in"] == 7200 and r.json()["token"] == r.json()["access_token"]
        tokens[host] = r.json()["access_token"]
        m = requests.get(srv.url + "/.well-known/oauth-authorization-server", timeout=10,
                         headers={"Host": host}).json()
        assert m["issuer"] == "https://" + host
    test, prod = "test.apruve.com", "app.apruve.com"
    assert introspect(srv, "", svc[test], tokens[test], host=test)["active"] is True
    # the test environment's client is unknown to production, and its token too
    r = requests.post(srv.url + "/introspect", data={"token": tokens[test]}, timeout=10,
                      auth=(svc[test]["client_id"], svc[test]["client_secret"]),
                      headers={"Host": prod})
    assert r.status_code == 401
    assert introspect(srv, "", svc[prod], tokens[test], host=prod) == INACTIVE
    # no Host of either: the default issuer, which has no such client or path
    r = requests.post(srv.url + "/oauth2/token", timeout=10,
                      data={"grant_type": "client_credentials"})
    assert r.status_code == 404


def test_a_bad_tenant_profile_is_refused(make_server, tmp_path):
    srv = make_server(defer_start=True)
    profile = tmp_path / "p.conf"
    # a profile path that is another endpoint's standard path: refused when created...
    profile.write_text('profile = { paths = { token = ["/authorize"]; }; };\n')
    r = tenant_cli(srv, "create", "t2", "--issuer", "/t2", "--profile", str(profile),
                   check=False)
    assert r.returncode == 2 and "/authorize" in r.stderr, r.stderr
    assert [t["name"] for t in json.loads(tenant_cli(srv, "list", "--json").stdout)] == \
        ["default"]
    # ... and when a database holds one anyway (written by hand, or by an older grantd),
    # serve stops at start naming the tenant
    profile.write_text('profile = { paths = { token = ["/t"]; }; };\n')
    tenant_cli(srv, "create", "t2", "--issuer", "/t2", "--profile", str(profile))
    srv.tamper_sql("UPDATE tenants SET profile = ? WHERE name = 't2'",
                   ('profile = { paths = { token = ["/authorize"]; }; };\n',))
    r = run_cli(srv.db_url, "serve", "--listen", "127.0.0.1:0", check=False)
    assert r.returncode == 2 and "tenant t2" in r.stderr and "/authorize" in r.stderr, r.stderr
