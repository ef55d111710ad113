"""The admin API (issue 13, item 1): JSON under /v1/tenants on the admin listener,
authenticated by admin API keys (`grantd admin-key create`), checked against its OpenAPI
document (docs/admin-api.yaml).

Every answer a test gets through `Api.call` is validated against the document: the path,
the method and the status must be listed there, and a JSON body must be valid against the
schema of that response (python3-jsonschema). The last test checks that every path and
method the document lists was answered with a 2xx by some test of this file."""
import json
import re
from pathlib import Path

import pytest
import requests
import yaml
from jsonschema import Draft202012Validator, RefResolver

from conftest import ROOT
from flow import Agent, authorize_url, pkce_pair
from test_check import admin_server
from test_tokens import client_credentials, introspect_json, observer, token_post

DOC = yaml.safe_load((ROOT / "docs" / "admin-api.yaml").read_text())
RESOLVER = RefResolver.from_schema(DOC)
EXERCISED = set()  # (path template, method) answered with a 2xx


def _templates():
    out = []
    for template in DOC["paths"]:
        rx = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        out.append((re.compile(rx), template))
    return out


TEMPLATES = _templates()


def _resolve(node):
    while isinstance(node, dict) and "$ref" in node and len(node) == 1:
        _, node = RESOLVER.resolve(node["$ref"])
    return node


def check_against_doc(method, path, r, sent=None):
    """The answer r to method path is one the document describes, body and all; a body
    the server accepted (sent) is one the document's request schema allows."""
    matches = [t for rx, t in TEMPLATES if rx.match(path)]
    if not matches:
        assert r.status_code == 404, (path, r.status_code, r.text)
        return
    assert len(matches) == 1, matches
    template = matches[0]
    op = DOC["paths"][template].get(method.lower())
    if op is None:
        assert r.status_code == 405, (method, path, r.status_code)
        assert r.headers["Allow"], r.headers
        return
    response = _resolve(op["responses"].get(str(r.status_code)))
    assert response, f"{method} {template} answered {r.status_code}, which the document " \
                     f"does not list: {r.text}"
    content = response.get("content")
    if content is None:
        assert r.content == b"", r.content
    else:
        assert r.headers["Content-Type"].startswith("application/json"), r.headers
        Draft202012Validator(content["application/json"]["schema"], resolver=RESOLVER) \
            .validate(r.json())
    assert r.headers.get("Cache-Control") == "no-store"
    if 200 <= r.status_code < 300:
        EXERCISED.add((template, method.lower()))
        request = op.get("requestBody")
        if sent is not None and request:
            Draft202012Validator(request["content"]["application/json"]["schema"],
                                 resolver=RESOLVER).validate(sent)


class Api:
    """The admin API of one server, with one admin key."""

    def __init__(self, srv, key):
        self.srv, self.key = srv, key

    def call(self, method, path, body=None, key=None, raw=None, headers=None, params=None):
        h = dict(headers or {})
        k = self.key if key is None else key
        if k:
            h["Authorization"] = "Bearer " + k
        kw = {"json": body} if body is not None else {}
        if raw is not None:
            kw = {"data": raw}
            h.setdefault("Content-Type", "application/json")
        r = requests.request(method, self.srv.admin_url + path, headers=h, params=params,
                             timeout=30, **kw)
        check_against_doc(method, path, r, body)
        return r

    def ok(self, method, path, body=None, status=200, **kw):
        r = self.call(method, path, body, **kw)
        assert r.status_code == status, (method, path, r.status_code, r.text)
        return r.json() if r.content else None

    def bad(self, method, path, body=None, status=400, error="invalid_request", **kw):
        r = self.call(method, path, body, **kw)
        assert r.status_code == status, (method, path, body, r.status_code, r.text)
        assert r.json()["error"] == error, r.text
        return r.json().get("error_description", "")


def admin_key(srv, *args):
    out = srv.cli("admin-key", "create", "--name", "ops", "--json", *args).stdout
    return json.loads(out)


@pytest.fixture
def api(make_server):
    srv = admin_server(make_server)
    return Api(srv, admin_key(srv)["key"])


CLIENTS = "/v1/tenants/default/clients"
USERS = "/v1/tenants/default/users"
NEW_CLIENT = {"client_name": "Shop", "redirect_uris": ["https://shop.example/cb"],
              "scope": "orders:read orders:write"}


def cc_client(api, **extra):
    body = {"client_name": "Backend", "grant_types": ["client_credentials"], **extra}
    return api.ok("POST", CLIENTS, body, status=201)


def token_works(srv, client):
    return client_credentials(srv, client).status_code == 200


# ---- authentication ---------------------------------------------------------------------

def test_a_key_is_required_and_shown_once(api):
    srv = api.srv
    r = api.call("GET", "/v1/tenants", key="")
    assert r.status_code == 401 and r.json()["error"] == "unauthorized"
    assert r.headers["WWW-Authenticate"] == 'Bearer realm="grantd-admin"'
    for bad in ("grantd_ak_" + "A" * 43, "not-a-key", api.key + "x"):
        r = api.call("GET", "/v1/tenants", key=bad)
        assert r.status_code == 401 and r.json()["error"] == "invalid_token", bad
        assert r.headers["WWW-Authenticate"].startswith('Bearer realm="grantd-admin"')
    assert re.fullmatch(r"grantd_ak_[A-Za-z0-9_-]{43}", api.key)
    # only a keyed hash is stored; the list never shows the key
    assert api.key.encode() not in srv.stored_bytes()
    listed = json.loads(srv.cli("admin-key", "list", "--json").stdout)
    assert [k["name"] for k in listed] == ["ops"] and "key" not in listed[0]
    assert api.key not in srv.cli("admin-key", "list").stdout
    # the API is on the admin listener only
    assert requests.get(srv.url + "/v1/tenants", headers={"Authorization": "Bearer " + api.key},
                        timeout=10).status_code == 404


def test_a_revoked_key_stops_at_once(api):
    api.ok("GET", "/v1/tenants")
    key_id = json.loads(api.srv.cli("admin-key", "list", "--json").stdout)[0]["id"]
    api.srv.cli("admin-key", "revoke", key_id)
    assert api.bad("GET", "/v1/tenants", status=401, error="invalid_token")
    listed = json.loads(api.srv.cli("admin-key", "list", "--json").stdout)
    assert listed[0]["revoked_at"]
    r = api.srv.cli("admin-key", "revoke", "nope", check=False)
    assert r.returncode == 1 and "no admin key" in r.stderr


def test_admin_key_create_checks_its_arguments(api):
    r = api.srv.cli("admin-key", "create", check=False)
    assert r.returncode == 2 and "--name is required" in r.stderr
    r = api.srv.cli("admin-key", "create", "--name", "x", "--tenant", "nope", check=False)
    assert r.returncode == 1 and "nope" in r.stderr
    r = api.srv.cli("admin-key", "list", "--tenant", "default", check=False)
    assert r.returncode == 2 and "--tenant applies to create only" in r.stderr
    assert len(json.loads(api.srv.cli("admin-key", "list", "--json").stdout)) == 1


# ---- tenant scoping ---------------------------------------------------------------------

@pytest.fixture
def two_tenants(make_server):
    srv = make_server(extra_args=("--admin-listen", "127.0.0.1:0"), defer_start=True)
    srv.cli("tenant", "create", "shop", "--issuer", "/shop")
    srv.start()
    return Api(srv, admin_key(srv)["key"]), Api(srv, admin_key(srv, "--tenant", "shop")["key"])


def test_a_tenant_key_sees_only_its_tenant(two_tenants):
    everyone, shop = two_tenants
    names = [t["name"] for t in everyone.ok("GET", "/v1/tenants")["tenants"]]
    assert names == ["default", "shop"]
    assert [t["name"] for t in shop.ok("GET", "/v1/tenants")["tenants"]] == ["shop"]
    t = shop.ok("GET", "/v1/tenants/shop")
    assert t["issuer"].endswith("/shop") and t["served"] is True
    theirs = everyone.ok("POST", CLIENTS, NEW_CLIENT, status=201)
    unknown = shop.call("GET", "/v1/tenants/nope/clients")
    for path in ("/v1/tenants/default", CLIENTS, f"{CLIENTS}/{theirs['client_id']}",
                 "/v1/tenants/default/keys", USERS):
        r = shop.call("GET", path)
        assert r.status_code == 404, path
        # the same answer as for a tenant that does not exist, save the name it repeats
        assert r.json()["error"] == unknown.json()["error"] == "not_found"
        assert r.json()["error_description"] == "no tenant 'default'"
    assert unknown.json()["error_description"] == "no tenant 'nope'"
    # nothing of another tenant can be changed either
    shop.bad("POST", CLIENTS, NEW_CLIENT, status=404, error="not_found")
    shop.bad("POST", f"{CLIENTS}/{theirs['client_id']}/disable", status=404, error="not_found")
    shop.bad("DELETE", f"{CLIENTS}/{theirs['client_id']}", status=404, error="not_found")
    assert everyone.ok("GET", f"{CLIENTS}/{theirs['client_id']}")["disabled"] is False
    assert len(everyone.ok("GET", CLIENTS)["clients"]) == 1
    # in its own tenant it works, and the records stay there
    mine = shop.ok("POST", "/v1/tenants/shop/clients", NEW_CLIENT, status=201)
    everyone.bad("GET", f"{CLIENTS}/{mine['client_id']}", status=404, error="not_found")
    assert everyone.ok("GET", f"/v1/tenants/shop/clients/{mine['client_id']}")


# ---- clients ----------------------------------------------------------------------------

def test_create_show_list_update_delete(api):
    created = api.ok("POST", CLIENTS, NEW_CLIENT, status=201)
    assert created["client_secret"] and created["client_secret_expires_at"] == 0
    assert created["grant_types"] == ["authorization_code", "refresh_token"]
    assert created["response_types"] == ["code"]
    assert created["token_endpoint_auth_method"] == "client_secret_basic"
    assert created["scope"] == "orders:read orders:write"
    cid = created["client_id"]
    shown = api.ok("GET", f"{CLIENTS}/{cid}")
    assert "client_secret" not in shown
    assert created["client_secret"].encode() not in api.srv.stored_bytes()
    # what the CLI shows is the same client
    cli = json.loads(api.srv.cli("client", "show", cid, "--json").stdout)
    assert cli["name"] == "Shop" and cli["redirect_uris"] == NEW_CLIENT["redirect_uris"]
    # update: only the members given change
    updated = api.ok("PATCH", f"{CLIENTS}/{cid}", {
        "client_name": "Shop 2", "redirect_uris": ["https://shop.example/a",
                                                   "https://shop.example/b"],
        "access_ttl": 600, "refresh_ttl": "never", "access_token_format": "jwt",
        "token_endpoint_auth_method": "client_secret_post"})
    assert updated["client_name"] == "Shop 2" and updated["scope"] == NEW_CLIENT["scope"]
    assert updated["redirect_uris"] == ["https://shop.example/a", "https://shop.example/b"]
    assert (updated["access_ttl"], updated["refresh_ttl"]) == (600, "never")
    assert updated["access_token_format"] == "jwt"
    assert updated["token_endpoint_auth_method"] == "client_secret_post"
    again = api.ok("PATCH", f"{CLIENTS}/{cid}", {"access_ttl": None})
    assert again["access_ttl"] is None and again["refresh_ttl"] == "never"
    assert api.ok("GET", f"{CLIENTS}/{cid}") == again
    # the secret from the create still works after the updates
    api.ok("PATCH", f"{CLIENTS}/{cid}", {"grant_types": ["client_credentials"],
                                         "response_types": []})
    assert token_works(api.srv, created)
    # delete
    assert api.call("DELETE", f"{CLIENTS}/{cid}").status_code == 204
    assert api.bad("GET", f"{CLIENTS}/{cid}", status=404, error="not_found") == \
        f"no client '{cid}'"
    api.bad("DELETE", f"{CLIENTS}/{cid}", status=404, error="not_found")
    assert not token_works(api.srv, created)


def test_resources_set_through_the_api_bind_the_tokens(api):
    """A client's resources (RFC 8707) set by create and PATCH are what /token lets it ask
    for, and what its tokens' audience becomes."""
    orders, billing = "https://api.shop.example/orders", "https://api.shop.example/billing"
    c = api.ok("POST", CLIENTS, {"client_name": "Orders bot",
                                 "grant_types": ["client_credentials"],
                                 "resources": [orders, orders]}, status=201)
    assert c["resources"] == [orders]
    cid = c["client_id"]
    assert json.loads(api.srv.cli("client", "show", cid, "--json").stdout)["resources"] == \
        [orders]

    def ask(resource):
        return token_post(api.srv, c, {"grant_type": "client_credentials",
                                       "resource": resource})

    r = ask(orders)
    assert r.status_code == 200, r.text
    assert introspect_json(api.srv, c, r.json()["access_token"])["aud"] == orders
    r = ask(billing)
    assert (r.status_code, r.json()["error"]) == (400, "invalid_target")

    assert api.ok("PATCH", f"{CLIENTS}/{cid}", {"resources": [billing, orders]})[
        "resources"] == [billing, orders]
    assert ask(billing).status_code == 200
    assert api.ok("PATCH", f"{CLIENTS}/{cid}", {"client_name": "Bot"})["resources"] == \
        [billing, orders]  # a PATCH without the member leaves them
    assert api.ok("PATCH", f"{CLIENTS}/{cid}", {"resources": []})["resources"] == []
    r = ask(orders)
    assert (r.status_code, r.json()["error"]) == (400, "invalid_target")
    assert client_credentials(api.srv, c).status_code == 200  # a token for the issuer


def test_openid_connect_client_members(api):
    """post_logout_redirect_uris and id_token_signed_response_alg (issue 14): set on create,
    read back by the API and the CLI, changed and cleared by PATCH, audited on create."""
    bye, out = "https://shop.example/bye", "http://127.0.0.1:8400/out"
    plain = api.ok("POST", CLIENTS, NEW_CLIENT, status=201)
    assert plain["post_logout_redirect_uris"] == []
    assert plain["id_token_signed_response_alg"] == "RS256"  # the default, answered
    c = api.ok("POST", CLIENTS, {**NEW_CLIENT, "post_logout_redirect_uris": [bye, out, bye],
                                 "id_token_signed_response_alg": "ES256"}, status=201)
    cid = c["client_id"]
    assert c["post_logout_redirect_uris"] == [bye, out]
    assert c["id_token_signed_response_alg"] == "ES256"
    assert api.ok("GET", f"{CLIENTS}/{cid}") == {k: v for k, v in c.items()
                                                  if k != "client_secret"}
    shown = json.loads(api.srv.cli("client", "show", cid, "--json").stdout)
    assert shown["post_logout_redirect_uris"] == [bye, out]
    assert shown["id_token_signed_response_alg"] == "ES256"
    listed = {x["client_id"]: x for x in api.ok("GET", CLIENTS)["clients"]}
    assert listed[cid]["post_logout_redirect_uris"] == [bye, out]
    entry = [e for e in api.ok("GET", "/v1/tenants/default/audit")["events"]
             if e["action"] == "client.create" and e["target"]["id"] == cid]
    assert entry[0]["details"] == {"client_name": "Shop", "public": False,
                                   "post_logout_redirect_uris": [bye, out],
                                   "id_token_signed_response_alg": "ES256"}

    p = api.ok("PATCH", f"{CLIENTS}/{cid}", {"post_logout_redirect_uris": [out],
                                             "id_token_signed_response_alg": "RS256"})
    assert (p["post_logout_redirect_uris"], p["id_token_signed_response_alg"]) == ([out], "RS256")
    p = api.ok("PATCH", f"{CLIENTS}/{cid}", {"client_name": "Shop 2"})  # others leave them
    assert (p["post_logout_redirect_uris"], p["id_token_signed_response_alg"]) == ([out], "RS256")
    p = api.ok("PATCH", f"{CLIENTS}/{cid}", {"id_token_signed_response_alg": "ES256",
                                             "post_logout_redirect_uris": []})
    assert (p["post_logout_redirect_uris"], p["id_token_signed_response_alg"]) == ([], "ES256")
    p = api.ok("PATCH", f"{CLIENTS}/{cid}", {"id_token_signed_response_alg": None,
                                             "post_logout_redirect_uris": [bye]})
    assert (p["post_logout_redirect_uris"], p["id_token_signed_response_alg"]) == ([bye], "RS256")
    p = api.ok("PATCH", f"{CLIENTS}/{cid}", {"post_logout_redirect_uris": None})
    assert p["post_logout_redirect_uris"] == []
    assert api.ok("GET", f"{CLIENTS}/{cid}") == p
    # a bad value is 400 and changes nothing
    assert "post_logout_redirect_uris[0]: http redirect URI" in api.bad(
        "PATCH", f"{CLIENTS}/{cid}", {"post_logout_redirect_uris": ["http://shop.example/x"]})
    assert "must be RS256 or ES256" in api.bad(
        "PATCH", f"{CLIENTS}/{cid}", {"id_token_signed_response_alg": "HS256"})
    assert api.ok("GET", f"{CLIENTS}/{cid}") == p
    # development: insecure http logout URIs only with allow_insecure_redirect
    dev = api.ok("POST", CLIENTS, {**NEW_CLIENT, "allow_insecure_redirect": True,
                                   "post_logout_redirect_uris": ["http://dev.test/out"]},
                 status=201)
    assert dev["post_logout_redirect_uris"] == ["http://dev.test/out"]


def test_public_clients_and_chosen_ids(api):
    pub = api.ok("POST", CLIENTS, {**NEW_CLIENT, "client_id": "mobile-app",
                                   "token_endpoint_auth_method": "none"}, status=201)
    assert pub["client_id"] == "mobile-app" and "client_secret" not in pub
    assert "client_secret_expires_at" not in pub
    assert api.bad("POST", f"{CLIENTS}/mobile-app/secret") == "public clients have no secret"
    assert "cannot change" in api.bad("PATCH", f"{CLIENTS}/mobile-app",
                                      {"token_endpoint_auth_method": "client_secret_basic"})
    assert api.bad("POST", CLIENTS, {**NEW_CLIENT, "client_id": "mobile-app"}, status=409,
                   error="conflict") == "client 'mobile-app' already exists"


def test_list_pages(api):
    ids = [api.ok("POST", CLIENTS, {**NEW_CLIENT, "client_id": f"c{i}"}, status=201)["client_id"]
           for i in range(5)]
    page = api.ok("GET", CLIENTS, params={"limit": 2})
    assert [c["client_id"] for c in page["clients"]] == ids[:2] and page["next"] == ids[1]
    page = api.ok("GET", CLIENTS, params={"limit": 2, "after": page["next"]})
    assert [c["client_id"] for c in page["clients"]] == ids[2:4]
    page = api.ok("GET", CLIENTS, params={"limit": 2, "after": page["next"]})
    assert [c["client_id"] for c in page["clients"]] == ids[4:] and page["next"] is None
    for params in ({"limit": 0}, {"limit": 501}, {"limit": "x"}, {"after": "nope"}):
        api.bad("GET", CLIENTS, params=params)
    assert api.bad("GET", CLIENTS, params={"after": "nope"}) == \
        "after names no client of this tenant"
    # users page the same way
    users = [api.ok("POST", USERS, {"username": f"u{i}", "password": "pw-long-enough"}, status=201)["id"]
             for i in range(3)]
    listed = [u["id"] for u in api.ok("GET", USERS)["users"]]
    page = api.ok("GET", USERS, params={"limit": 2})
    assert [u["id"] for u in page["users"]] == listed[:2] and page["next"] == listed[1]
    page = api.ok("GET", USERS, params={"after": page["next"]})
    assert [u["id"] for u in page["users"]] == listed[2:] and page["next"] is None
    assert sorted(listed) == sorted(users)
    assert api.bad("GET", USERS, params={"after": "nope"}) == \
        "after names no user of this tenant"


def test_disable_has_the_effects_of_the_cli(api):
    srv = api.srv
    client = cc_client(api)
    watcher = observer(srv)
    token = client_credentials(srv, client).json()["access_token"]
    assert introspect_json(srv, watcher, token)["active"] is True
    cursor = requests.get(srv.admin_url + "/v1/revocations", timeout=10).json()["cursor"]
    disabled = api.ok("POST", f"{CLIENTS}/{client['client_id']}/disable")
    assert disabled["disabled"] is True
    assert introspect_json(srv, watcher, token)["active"] is False
    assert not token_works(srv, client)
    events = requests.get(srv.admin_url + "/v1/revocations", params={"after": cursor},
                          timeout=10).json()["events"]
    assert any(e["kind"] == "client" and e["client_id"] == client["client_id"] for e in events)
    # enable: a new secret, the old one never works again
    enabled = api.ok("POST", f"{CLIENTS}/{client['client_id']}/enable")
    assert enabled["disabled"] is False and enabled["client_secret"] != client["client_secret"]
    assert token_works(srv, enabled) and not token_works(srv, client)
    assert introspect_json(srv, watcher, token)["active"] is False
    api.bad("POST", f"{CLIENTS}/nope/disable", status=404, error="not_found")
    api.bad("POST", f"{CLIENTS}/nope/enable", status=404, error="not_found")


def test_secret_rotation_with_and_without_overlap(api, clock):
    srv = api.srv
    client = cc_client(api)
    watcher = observer(srv)
    rotated = api.ok("POST", f"{CLIENTS}/{client['client_id']}/secret", {"overlap": 600})
    assert rotated["client_secret"] != client["client_secret"]
    until = rotated["previous_secret_expires_at"]
    assert abs(until - (clock.time() + 600)) < 5
    # both work during the overlap, at /token and at /introspect
    assert token_works(srv, client) and token_works(srv, rotated)
    token = client_credentials(srv, rotated).json()["access_token"]
    caller = {**watcher, "client_id": client["client_id"],
              "client_secret": client["client_secret"]}
    assert introspect_json(srv, caller, token)["active"] is True
    clock.advance(601)
    assert not token_works(srv, client) and token_works(srv, rotated)
    assert "previous_secret_expires_at" not in api.ok("GET", f"{CLIENTS}/{client['client_id']}")
    # without an overlap the old secret stops at once
    again = api.ok("POST", f"{CLIENTS}/{client['client_id']}/secret")
    assert "previous_secret_expires_at" not in again
    assert not token_works(srv, rotated) and token_works(srv, again)
    for bad in ({"overlap": -1}, {"overlap": 2592001}, {"overlap": "60"}, {"overlap": 1.5},
                {"extra": 1}):
        api.bad("POST", f"{CLIENTS}/{client['client_id']}/secret", bad)
    assert token_works(srv, again)


# ---- bad input changes nothing ----------------------------------------------------------

BAD_CLIENTS = [
    ({"client_name": 5}, "client_name must be a string"),
    ({"client_name": ""}, "client_name must not be empty"),
    ({"client_name": "x" * 201}, "client_name is longer than 200 bytes"),
    ({"client_name": "A", "foo": 1}, "unknown member 'foo'"),
    ({"client_name": "A", "client_secret": "mine"}, "client_secret is read-only"),
    ({"client_name": "A", "disabled": True}, "disabled is read-only"),
    ({"client_name": "A", "redirect_uris": "https://a.example/cb"},
     "redirect_uris must be an array of strings"),
    ({"client_name": "A", "redirect_uris": [7]}, "redirect_uris must be an array of strings"),
    ({"client_name": "A", "redirect_uris": ["http://a.example/cb"]}, "redirect_uris[0]: "),
    ({"client_name": "A", "redirect_uris": ["https://a.example/cb#x"]}, "redirect_uris[0]: "),
    ({"client_name": "A", "redirect_uris": ["https://*.example.com/cb"]}, "redirect_uris[0]: "),
    ({"client_name": "A", "redirect_uris": [f"https://a.example/{i}" for i in range(33)]},
     "redirect_uris may hold at most 32 URIs"),
    ({"client_name": "A", "resources": "https://api.example"},
     "resources must be an array of strings"),
    ({"client_name": "A", "resources": ["orders"]}, "resources[0]: a resource must be an "
                                                     "absolute URI"),
    ({"client_name": "A", "resources": ["https://a.example", "https://b.example/#x"]},
     "resources[1]: a resource must not contain a fragment"),
    ({"client_name": "A", "resources": [f"https://api.example/{i}" for i in range(17)]},
     "resources may hold at most 16 URIs"),
    ({"client_name": "A", "post_logout_redirect_uris": "https://a.example/bye"},
     "post_logout_redirect_uris must be an array of strings"),
    ({"client_name": "A", "post_logout_redirect_uris": ["http://a.example/bye"]},
     "post_logout_redirect_uris[0]: http redirect URI allowed only for 127.0.0.1"),
    ({"client_name": "A", "post_logout_redirect_uris": ["https://a.example/bye#x"]},
     "post_logout_redirect_uris[0]: redirect URI must not contain a fragment"),
    ({"client_name": "A", "post_logout_redirect_uris": ["https://*.example.com/bye"]},
     "post_logout_redirect_uris[0]: must not contain '*'"),
    ({"client_name": "A", "post_logout_redirect_uris": ["bye"]},
     "post_logout_redirect_uris[0]: redirect URI must be absolute"),
    ({"client_name": "A", "post_logout_redirect_uris": [f"https://a.example/{i}"
                                                        for i in range(33)]},
     "post_logout_redirect_uris may hold at most 32 URIs"),
    ({"client_name": "A", "id_token_signed_response_alg": "HS256"},
     "id_token_signed_response_alg must be RS256 or ES256"),
    ({"client_name": "A", "id_token_signed_response_alg": "none"},
     "id_token_signed_response_alg must be RS256 or ES256"),
    ({"client_name": "A", "id_token_signed_response_alg": ["ES256"]},
     "id_token_signed_response_alg must be RS256 or ES256"),
    ({"client_name": "A", "grant_types": ["implicit"]}, "grant_types may hold only"),
    ({"client_name": "A", "grant_types": []}, "grant_types must be a non-empty array"),
    ({"client_name": "A", "response_types": ["token"]}, "response_types must be"),
    ({"client_name": "A", "scope": "a\"b"}, "scope may hold only scope tokens"),
    ({"client_name": "A", "scope": "s" * 1025}, "scope is longer than 1024 bytes"),
    ({"client_name": "A", "token_endpoint_auth_method": "private_key_jwt"},
     "token_endpoint_auth_method must be"),
    ({"client_name": "A", "token_endpoint_auth_method": "none",
      "grant_types": ["client_credentials"]}, "public clients"),
    ({"client_name": "A", "code_ttl": 3601}, "code_ttl must be a number of seconds"),
    ({"client_name": "A", "access_ttl": "60"}, "access_ttl must be a number of seconds"),
    ({"client_name": "A", "refresh_ttl": -5}, "refresh_ttl must be a number of seconds"),
    ({"client_name": "A", "always_consent": "yes"}, "always_consent must be true or false"),
    ({"client_name": "A", "access_token_format": "paseto"}, "access_token_format must be"),
    ({"client_name": "A", "client_id": "a b"}, "client_id must be 1 to 128 characters"),
    ({"client_name": None}, "client_name cannot be null"),
    ({"redirect_uris": []}, "client_name is required"),
    ([1, 2], "the body must be a JSON object"),
]


@pytest.mark.parametrize("body,why", BAD_CLIENTS, ids=[w[:40] for _, w in BAD_CLIENTS])
def test_bad_client_bodies_are_refused_and_store_nothing(api, body, why):
    before = api.ok("GET", CLIENTS)
    assert why in api.bad("POST", CLIENTS, body)
    assert api.ok("GET", CLIENTS) == before


def test_bad_updates_change_nothing(api):
    cid = api.ok("POST", CLIENTS, NEW_CLIENT, status=201)["client_id"]
    before = api.ok("GET", f"{CLIENTS}/{cid}")
    for body, why in BAD_CLIENTS[:-2] + [({"client_id": "other"}, "client_id cannot be "
                                                                  "changed")]:
        if why == "public clients":  # a confidential client cannot become public at all
            why = "token_endpoint_auth_method cannot change"
        if "client_id" in body:  # whatever the value
            why = "client_id cannot be changed"
        if body.get("client_name") == "A":
            body = {k: v for k, v in body.items() if k != "client_name"}
        if body:
            assert why in api.bad("PATCH", f"{CLIENTS}/{cid}", body), body
    assert api.ok("GET", f"{CLIENTS}/{cid}") == before


def test_malformed_oversized_and_repeated_bodies(api):
    before = api.ok("GET", CLIENTS)
    assert "not valid JSON" in api.bad("POST", CLIENTS, raw=b'{"client_name": ')
    assert "repeated" in api.bad("POST", CLIENTS,
                                 raw=b'{"client_name": "A", "client_name": "B"}')
    assert "application/json" in api.bad("POST", CLIENTS, raw=b"client_name=A",
                                          headers={"Content-Type":
                                                   "application/x-www-form-urlencoded"})
    big = json.dumps({"client_name": "A", "scope": "x" * (2 * 1024 * 1024)}).encode()
    r = api.call("POST", CLIENTS, raw=big)
    assert r.status_code == 413
    assert api.ok("GET", CLIENTS) == before


def test_unknown_paths_and_methods(api):
    api.bad("GET", "/v1/tenants/default/widgets", status=404, error="not_found")
    api.bad("GET", "/v1/tenants/default/clients/a/b/c", status=404, error="not_found")
    r = api.call("PUT", CLIENTS, NEW_CLIENT)
    assert r.status_code == 405 and r.headers["Allow"] == "GET, POST"
    r = api.call("GET", f"{CLIENTS}/x/secret")
    assert r.status_code == 405 and r.headers["Allow"] == "POST"


# ---- users ------------------------------------------------------------------------------

def logs_in(srv, username, password):
    """Whether the login form accepts username and password (a 303 onwards)."""
    client = json.loads(srv.cli("client", "create", "--name", "Login check", "--json",
                                "--redirect-uri", "http://127.0.0.1:9/cb").stdout)
    agent = Agent(srv)
    r = agent.get(authorize_url(srv, response_type="code", client_id=client["client_id"],
                                redirect_uri="http://127.0.0.1:9/cb",
                                code_challenge=pkce_pair()[1], code_challenge_method="S256"))
    return agent.login(r, username, password).status_code == 303


def test_users(api):
    srv = api.srv
    secret = "first password, long enough"
    user = api.ok("POST", USERS, {"username": "alice", "password": secret,
                                  "email": "alice@example.com"}, status=201)
    assert (user["username"], user["email"], user["account"]) == \
        ("alice", "alice@example.com", None)
    assert "password" not in json.dumps(user)
    uid = user["id"]
    assert api.ok("GET", f"{USERS}/{uid}") == user
    assert api.bad("POST", USERS, {"username": "alice", "password": "x-long-enough"}, status=409,
                   error="conflict") == "user 'alice' already exists"
    bob = api.ok("POST", USERS, {"username": "bob", "password": "pw-long-enough"}, status=201)
    page = api.ok("GET", USERS, params={"limit": 1})
    assert [u["username"] for u in page["users"]] == ["alice"] and page["next"] == uid
    assert [u["username"] for u in api.ok("GET", USERS, params={"after": uid})["users"]] == \
        ["bob"]
    # update: JSON merge; null clears
    changed = api.ok("PATCH", f"{USERS}/{uid}", {"account": "acct-1", "email": None})
    assert (changed["account"], changed["email"]) == ("acct-1", None)
    api.bad("PATCH", f"{USERS}/{uid}", {"username": "bob"}, status=409, error="conflict")
    for body in ({"username": "a b"}, {"email": "nope"}, {"password": "x"}, {"id": "x"},
                 {"admin": True}, {"username": None}):
        api.bad("PATCH", f"{USERS}/{uid}", body)
    for body in ({"username": "carol"}, {"password": "x"}, {"username": "c", "password": ""},
                 {"username": "c", "password": 5}, {"username": "c", "password": "x" * 1025}):
        api.bad("POST", USERS, body)
    assert api.ok("GET", f"{USERS}/{uid}") == changed
    assert len(api.ok("GET", USERS)["users"]) == 2
    # password: 204, never echoed, never stored or logged in clear
    assert logs_in(srv, "alice", secret)
    new = "second password, also long"
    r = api.call("PUT", f"{USERS}/{uid}/password", {"password": new})
    assert r.status_code == 204 and r.content == b""
    assert logs_in(srv, "alice", new) and not logs_in(srv, "alice", secret)
    for body in ({}, {"password": ""}, {"password": 1}, {"pw": "x"}):
        api.bad("PUT", f"{USERS}/{uid}/password", body)
    api.bad("PUT", f"{USERS}/nope/password", {"password": "x"}, status=404, error="not_found")
    stored, logged = srv.stored_bytes(), srv.log_text()
    for text in (secret, new):
        assert text.encode() not in stored and text not in logged
    # disable and enable: the feed announces the user
    assert api.ok("POST", f"{USERS}/{bob['id']}/disable")["disabled"] is True
    assert not logs_in(srv, "bob", "pw-long-enough")
    events = requests.get(srv.admin_url + "/v1/revocations", timeout=10).json()["events"]
    assert any(e["kind"] == "user" and e["sub"] == bob["id"] for e in events)
    assert api.ok("POST", f"{USERS}/{bob['id']}/enable")["disabled"] is False
    assert logs_in(srv, "bob", "pw-long-enough")
    api.bad("GET", f"{USERS}/nope", status=404, error="not_found")


def test_user_claims(api):
    """The OpenID Connect claims: set on create, merged by PATCH (null clears), refused when
    malformed without touching what is stored, audited by member name only."""
    user = api.ok("POST", USERS, {"username": "gina", "password": "pw-long-enough", "name": "Gina Tonic",
                                  "locale": "de-CH", "email_verified": True}, status=201)
    assert (user["name"], user["locale"], user["email_verified"]) == \
        ("Gina Tonic", "de-CH", True)
    assert (user["given_name"], user["preferred_username"], user["phone_number_verified"]) == \
        (None, None, False)
    uid = user["id"]
    changed = api.ok("PATCH", f"{USERS}/{uid}", {
        "given_name": "Gina", "family_name": "Tonic", "preferred_username": "gt",
        "phone_number": "+41441234567", "phone_number_verified": True,
        "address": "Bahnhofstr. 1\n8001 Zürich", "name": None})
    assert changed["name"] is None and changed["locale"] == "de-CH"
    assert changed["address"] == "Bahnhofstr. 1\n8001 Zürich"
    assert changed["phone_number"] == "+41441234567" and changed["phone_number_verified"]
    for body in ({"phone_number": "041 44 123"}, {"phone_number": "+0123"},
                 {"locale": "de CH"}, {"locale": "x"}, {"email_verified": "yes"},
                 {"name": "a\tb"}, {"given_name": "g" * 201}, {"address": "x" * 513},
                 {"name": 5}, {"email_verified": None}):
        api.bad("PATCH", f"{USERS}/{uid}", body)
    api.bad("POST", USERS, {"username": "hugo", "password": "pw-long-enough", "locale": "!!"})
    assert api.ok("GET", f"{USERS}/{uid}") == changed
    assert all(u["username"] != "hugo" for u in api.ok("GET", USERS)["users"])
    event = api.ok("GET", "/v1/tenants/default/audit",
                   params={"target": f"user:{uid}"})["events"][-1]
    assert event["action"] == "user.update" and event["target"]["id"] == uid
    assert "Bahnhofstr" not in json.dumps(event) and "address" in json.dumps(event["details"])
    # another number or address is not verified unless the same PATCH says so
    assert api.ok("PATCH", f"{USERS}/{uid}", {"phone_number": "+41441234568"})[
        "phone_number_verified"] is False
    assert api.ok("PATCH", f"{USERS}/{uid}", {"email": "g@example.com"})["email_verified"] is False
    changed = api.ok("PATCH", f"{USERS}/{uid}", {"phone_number": "+41441234567",
                                                 "phone_number_verified": True,
                                                 "email": None})
    assert changed["phone_number_verified"] and not changed["email_verified"]


# ---- keys -------------------------------------------------------------------------------

def test_keys_list_and_rotate(api):
    keys = api.ok("GET", "/v1/tenants/default/keys")["keys"]
    assert [k["state"] for k in keys] == ["active"] and keys[0]["alg"] == "ES256"
    assert all(set(k) == {"kid", "alg", "state", "created_at", "active_from", "retire_at"}
               for k in keys)
    api.bad("POST", "/v1/tenants/default/keys/rotate", {"alg": "HS256"})
    api.bad("POST", "/v1/tenants/default/keys/rotate", {"kid": "mine"})
    assert len(api.ok("GET", "/v1/tenants/default/keys")["keys"]) == 1
    # the first RS256 key starts a chain of its own: it signs at once, the ES256 key too
    first = api.ok("POST", "/v1/tenants/default/keys/rotate", {"alg": "RS256"}, status=201)
    assert first["alg"] == "RS256" and first["state"] == "active"
    new = api.ok("POST", "/v1/tenants/default/keys/rotate", {"alg": "RS256"}, status=201)
    assert new["alg"] == "RS256" and new["state"] == "next"
    keys = api.ok("GET", "/v1/tenants/default/keys")["keys"]
    assert new["kid"] in [k["kid"] for k in keys] and len(keys) == 3
    states = {k["kid"]: (k["alg"], k["state"]) for k in keys}
    assert states[first["kid"]] == ("RS256", "active") and states[new["kid"]] == ("RS256", "next")
    assert sorted(states.values())[0] == ("ES256", "active")  # untouched by RS256 rotations
    # what the CLI sees is the same rotation
    cli = json.loads(api.srv.cli("key", "list", "--json").stdout)
    assert [k["kid"] for k in cli] == [k["kid"] for k in keys]
    # revoke (test_key_revoke.py has the tokens' side): the RS256 key that signs now is
    # replaced in the same step; the one published ahead retires with it, never having signed
    after = {k["kid"]: (k["alg"], k["state"]) for k in
             api.ok("POST", f"/v1/tenants/default/keys/{first['kid']}/revoke")["keys"]}
    assert after[first["kid"]] == ("RS256", "retired") and after[new["kid"]][1] == "retired"
    assert sorted(after.values()).count(("RS256", "active")) == 1 and len(after) == 4
    api.bad("POST", "/v1/tenants/default/keys/nokid/revoke", status=404, error="not_found")


# ---- the audit trail (tests/integration/test_audit.py has the rest) ----------------------

AUDIT = "/v1/tenants/default/audit"


def test_audit_pages_targets_and_tenants(two_tenants):
    everyone, shop = two_tenants
    a = everyone.ok("POST", CLIENTS, NEW_CLIENT, status=201)["client_id"]
    b = everyone.ok("POST", CLIENTS, NEW_CLIENT, status=201)["client_id"]
    everyone.ok("POST", f"{CLIENTS}/{a}/disable")
    mine = shop.ok("POST", "/v1/tenants/shop/clients", NEW_CLIENT, status=201)["client_id"]
    trail = everyone.ok("GET", AUDIT)
    assert trail["next"] is None
    by_keys = [(e["action"], e["target"]["id"]) for e in trail["events"]
               if e["actor"]["kind"] == "admin_key"]
    assert by_keys == [("client.create", a), ("client.create", b), ("client.disable", a)]
    assert all(e["tenant"] == "default" for e in trail["events"])
    # pages of one, oldest first, cover the same entries
    seqs, after = [], None
    while True:
        page = everyone.ok("GET", AUDIT, params={"limit": 1, **({"after": after} if after
                                                                 else {})})
        seqs += [e["seq"] for e in page["events"]]
        if page["next"] is None:
            break
        after = page["next"]
    assert seqs == [e["seq"] for e in trail["events"]] and seqs == sorted(seqs)
    # one client's entries
    only_a = everyone.ok("GET", AUDIT, params={"target": f"client:{a}"})["events"]
    assert [e["action"] for e in only_a] == ["client.create", "client.disable"]
    assert everyone.ok("GET", AUDIT, params={"target": "client:nope"})["events"] == []
    # a tenant key sees its own tenant's trail only: default's is 404 like the rest
    assert shop.bad("GET", AUDIT, status=404, error="not_found") == "no tenant 'default'"
    theirs = shop.ok("GET", "/v1/tenants/shop/audit")["events"]
    assert ("client.create", mine) in [(e["action"], e["target"]["id"]) for e in theirs]
    assert a not in json.dumps(theirs) and mine not in json.dumps(trail)
    for params in ({"after": "x"}, {"after": "-1"}, {"limit": "0"}, {"target": "client"},
                   {"target": "tenant:default"}, {"target": "client:"}):
        everyone.bad("GET", AUDIT, params=params)


def test_every_change_is_logged_without_secrets(api):
    client = api.ok("POST", CLIENTS, NEW_CLIENT, status=201)
    rotated = api.ok("POST", f"{CLIENTS}/{client['client_id']}/secret")
    events = api.srv.wait_log(lambda e: e.get("event") == "admin_change", count=2)
    assert [(e["action"], e["record"], e["key_name"], e["tenant"]) for e in events] == [
        ("client.create", client["client_id"], "ops", "default"),
        ("client.secret_rotate", client["client_id"], "ops", "default")]
    text = api.srv.log_text()
    for secret in (client["client_secret"], rotated["client_secret"], api.key):
        assert secret not in text


# ---- the document -----------------------------------------------------------------------

def test_registration_tokens_work_at_register(make_server, clock):
    """POST .../registration-tokens: an initial access token for /register (issue 13 item
    3), shown once, with the limits asked for; bad bodies are 400 and store nothing."""
    srv = admin_server(make_server, config_text='registration = { mode = "token"; };\n')
    api = Api(srv, admin_key(srv)["key"])
    path = "/v1/tenants/default/registration-tokens"
    t = api.ok("POST", path, {"uses": 2, "expires_in": 60}, status=201)
    assert t["uses"] == 2 and t["expires_at"] == t["created_at"] + 60
    assert t["token"] not in srv.log_text()
    body = {"redirect_uris": ["https://shop.example/cb"], "client_name": "Self-registered"}

    def register(token):
        return requests.post(srv.url + "/register", json=body, timeout=10,
                             headers={"Authorization": "Bearer " + token})

    assert register(t["token"]).status_code == 201
    assert register(t["token"]).status_code == 201
    assert register(t["token"]).status_code == 401  # used up
    forever = api.ok("POST", path, status=201)  # no body: one use, no expiry
    assert forever["uses"] == 1 and forever["expires_at"] is None
    clock.advance(3600)
    assert register(forever["token"]).status_code == 201
    unlimited = api.ok("POST", path, {"uses": 0}, status=201)
    assert unlimited["uses"] is None
    for bad in ({"uses": -1}, {"expires_in": 0}, {"uses": "1"}, {"scope": "x"}):
        api.bad("POST", path, bad)
    api.bad("POST", "/v1/tenants/nope/registration-tokens", {}, status=404, error="not_found")


def test_the_document_is_well_formed():
    """OpenAPI 3.1, every schema a valid JSON Schema (2020-12), every $ref resolves, and
    every operation says what a missing key gets."""
    assert DOC["openapi"].startswith("3.1.")
    for name, schema in DOC["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)

    def refs(node):
        if isinstance(node, dict):
            if "$ref" in node:
                yield node["$ref"]
            for v in node.values():
                yield from refs(v)
        elif isinstance(node, list):
            for v in node:
                yield from refs(v)

    for ref in refs(DOC):
        RESOLVER.resolve(ref)
    for path, item in DOC["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                assert "401" in op["responses"], (path, method)
                assert op["operationId"], (path, method)
    # the request schemas refuse what the server refuses
    create = Draft202012Validator({"$ref": "#/components/schemas/ClientCreate"},
                                  resolver=RESOLVER)
    assert create.is_valid(NEW_CLIENT)
    assert not create.is_valid({**NEW_CLIENT, "foo": 1})
    assert not create.is_valid({"scope": "x"})


def test_every_documented_operation_is_exercised():
    """Runs last in this file: each path and method of docs/admin-api.yaml got a 2xx."""
    documented = {(path, method) for path, item in DOC["paths"].items()
                  for method in item if method in ("get", "post", "put", "patch", "delete")}
    assert documented - EXERCISED == set()
    assert EXERCISED <= documented
