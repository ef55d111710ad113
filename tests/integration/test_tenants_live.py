"""Tenants created while grantd serves (issue 15): a running server serves a new tenant
without a restart (by the time `grantd tenant create` returns, bounded here at 2 s) with
discovery, tokens and introspection at its issuer; requests to the issuers already served
keep working across the reloads; a tenant the server cannot take (a bad profile written
into the database, a path another issuer has) is logged once and left out while the
server goes on. Runs on both drivers; two instances on PostgreSQL: test_instances_pg.py.

Not here: tenants known at the start and their isolation (test_tenants.py)."""
import json
import threading
import time
from types import SimpleNamespace

import requests

from conftest import create_client
from test_admin_api import Api, admin_key
from test_tokens import client_credentials, introspect

BOUND = 2.0  # seconds: a new tenant is served within this (the CLI waits 0.1 s)


def within(seconds, predicate, step=0.01):
    """Whether predicate() holds within seconds (polled; never a fixed sleep)."""
    deadline = time.monotonic() + seconds
    while True:
        if predicate():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(step)


def discovery(srv, prefix):
    return requests.get(srv.url + "/.well-known/oauth-authorization-server" + prefix,
                        timeout=10)


def served(srv, prefix):
    return discovery(srv, prefix).status_code == 200


def backend(srv, tenant=None):
    scope = ("--tenant", tenant) if tenant else ()
    return create_client(srv, "--name", "Backend", "--grant", "client_credentials", *scope)


def test_a_tenant_created_while_serving_is_served_without_a_restart(make_server):
    srv = make_server()
    assert discovery(srv, "/shop3").status_code == 404
    assert requests.get(srv.url + "/shop3/jwks.json", timeout=10).status_code == 404
    srv.cli("tenant", "create", "shop3", "--issuer", "/shop3")
    assert within(BOUND, lambda: served(srv, "/shop3")), "the new tenant is not served"
    meta = discovery(srv, "/shop3").json()
    assert meta["issuer"] == srv.url + "/shop3"
    assert meta["token_endpoint"] == srv.url + "/shop3/token"
    added = srv.wait_event("tenant_added")
    assert added and added["issuer"] == srv.url + "/shop3" and added["name"] == "shop3"
    # a token at the new issuer, introspected there, and unknown at the default one
    shop3 = SimpleNamespace(url=srv.url + "/shop3")
    client = backend(srv, "shop3")
    r = client_credentials(shop3, client)
    assert r.status_code == 200, r.text
    token = r.json()["access_token"]
    answer = introspect(shop3, client, token)
    assert answer.status_code == 200 and answer.json()["active"] is True, answer.text
    assert answer.json().get("iss", meta["issuer"]) == meta["issuer"]
    assert client_credentials(srv, client).status_code == 401  # not a default-tenant client
    # its keys: made on its first use, as for a tenant known at the start
    assert requests.get(srv.url + "/shop3/jwks.json", timeout=10).json()["keys"]
    # and the admin API says so
    listed = json.loads(srv.cli("tenant", "list", "--json").stdout)
    assert [t["name"] for t in listed] == ["default", "shop3"]


def test_requests_to_served_issuers_go_on_across_reloads(make_server):
    srv = make_server(defer_start=True)
    srv.cli("tenant", "create", "shop2", "--issuer", "/shop2")
    srv.start()
    one, two = backend(srv), backend(srv, "shop2")
    shop2 = SimpleNamespace(url=srv.url + "/shop2")
    stop = threading.Event()
    failures, answered = [], [0]

    def loop():
        while not stop.is_set():
            for target, client in ((srv, one), (shop2, two)):
                r = client_credentials(target, client)
                if r.status_code != 200:
                    failures.append((target.url, r.status_code, r.text))
                answered[0] += 1
            if discovery(srv, "").status_code != 200:
                failures.append(("discovery", "default"))

    t = threading.Thread(target=loop)
    t.start()
    try:
        for i in range(6):
            srv.cli("tenant", "create", f"new{i}", "--issuer", f"/new{i}")
        assert within(BOUND, lambda: all(served(srv, f"/new{i}") for i in range(6)))
    finally:
        stop.set()
        t.join()
    assert failures == []
    assert answered[0] >= 12  # the loop ran across the reloads
    assert len([e for e in srv.log_events() if e.get("event") == "tenant_added"]) == 6


def test_a_tenant_that_cannot_be_served_is_skipped_and_the_server_goes_on(make_server):
    srv = make_server(extra_args=("--admin-listen", "127.0.0.1:0"), defer_start=True)
    srv.cli("tenant", "create", "eu", "--issuer", "https://shop.example/eu")
    srv.start()
    client = backend(srv)
    api = Api(srv, admin_key(srv)["key"])
    # a profile the server refuses, as a hand edit of the database would leave it
    srv.tamper_sql("INSERT INTO tenants (name, issuer, created_at, profile) "
                   "VALUES ('broken', '/broken', 1, 'no_such_setting = 1\n')")
    # the path of tenant eu under another spelling of its host
    srv.cli("tenant", "create", "eu-again", "--issuer", "https://SHOP.example/eu")
    srv.cli("tenant", "create", "good", "--issuer", "/good")
    assert within(BOUND, lambda: served(srv, "/good"))
    skipped = srv.wait_log(lambda e: e.get("event") == "tenant_skipped", count=2)
    assert sorted(e["name"] for e in skipped) == ["broken", "eu-again"]
    why = {e["name"]: e["error"] for e in skipped}
    assert "no_such_setting" in why["broken"] and "share the issuer path" in why["eu-again"]
    assert discovery(srv, "/broken").status_code == 404
    r = requests.get(srv.url + "/eu/.well-known/oauth-authorization-server", timeout=10,
                     headers={"Host": "shop.example"})
    assert r.status_code == 200 and r.json()["issuer"] == "https://shop.example/eu"
    assert client_credentials(srv, client).status_code == 200  # the server goes on
    # the admin API tells the served from the skipped
    tenants = {t["name"]: t for t in api.ok("GET", "/v1/tenants")["tenants"]}
    assert {n: t["served"] for n, t in tenants.items()} == {
        "default": True, "eu": True, "broken": False, "eu-again": False, "good": True}
    assert tenants["good"]["issuer"] == srv.url + "/good"
    # later reloads do not log them again
    srv.cli("tenant", "create", "later", "--issuer", "/later")
    assert within(BOUND, lambda: served(srv, "/later"))
    assert len([e for e in srv.log_events() if e.get("event") == "tenant_skipped"]) == 2
