"""`grantd key revoke KID` and POST /v1/tenants/{t}/keys/{kid}/revoke (issue 16): a signing key
that leaked is withdrawn at once, the key that signs now included. It leaves /jwks.json, every
token it signed is refused (/check, /introspect, /userinfo, libgrantd-verify through the
revocation feed's "key" event), and when it signed, a new key of its alg signs from the same
transaction on: the issuer is never without a signing key. One audit entry, key.revoke.

`grantd key retire` (test_revocation_feed.py) refuses the key that signs now; revoke is the
command for a leak."""
import json
import time

import pytest

from flow import userinfo
from test_admin_api import Api, admin_key
from test_audit import Trail, CLI_ACTOR
from test_check import admin_server, cc_client, cc_token, check
from test_revocation_feed import feed, jwks_kids, kid_of, refused_within_a_second, token_by
from test_tokens import grant, introspect_json, start
from test_verify_lib import verifiers  # noqa: F401 (a fixture)


def key_cli(srv, *args, check=True):
    return srv.cli("key", *args, check=check)


def keys(srv):
    out = key_cli(srv, "list", "--json").stdout
    return {k["kid"]: k for k in json.loads(out)}


def test_revoking_the_key_that_signs_replaces_it_at_once(make_server, verifiers):
    # the default publish_ahead (an hour): a rotation would leave the old key signing for an
    # hour; a revocation may not
    srv = admin_server(make_server)
    v = verifiers(srv, "--revocation-feed", srv.admin_url + "/v1/revocations")
    client = start(srv, "--access-token-format", "jwt")
    user_token = grant(srv, client)["access_token"]
    cc = cc_client(srv, "--access-token-format", "jwt")
    old_token = cc_token(srv, cc)
    old = kid_of(old_token)
    assert keys(srv)[old]["state"] == "active" and v.ask(old_token)[1] == "ok"
    trail = Trail(srv.cli)
    cursor = feed(srv)["cursor"]
    out = key_cli(srv, "revoke", "--", old).stdout
    assert f"key {old} revoked" in out
    new = out.split("new signing key ")[1].split()[0]
    listed = keys(srv)
    assert listed[old]["state"] == "retired"
    assert listed[new]["state"] == "active" and listed[new]["alg"] == "ES256"
    # one audit entry naming the revoked key and its successor
    assert trail.one("key.revoke", "key", old, CLI_ACTOR) == {"new_kid": new}
    # the feed names it; every surface refuses what it signed
    assert [(e["kind"], e["kid"]) for e in feed(srv, cursor)["events"]] == [("key", old)]
    assert check(srv, old_token).status_code == 401
    assert check(srv, user_token).status_code == 401
    assert introspect_json(srv, cc, old_token) == {"active": False}
    assert userinfo(srv, user_token).status_code == 401
    refused_within_a_second(v, old_token)
    assert old not in jwks_kids(srv) and new in jwks_kids(srv)
    # and the issuer signs on, with the new key, without waiting for publish_ahead
    fresh = token_by(srv, cc, new)
    assert check(srv, fresh).status_code == 200
    assert userinfo(srv, grant(srv, client)["access_token"]).status_code == 200
    # again: nothing more to do, nothing recorded
    assert "already" in key_cli(srv, "revoke", "--", old).stdout
    trail.none()


def test_revoking_a_key_published_ahead_or_retiring(make_server):
    srv = admin_server(make_server)
    cc = cc_client(srv, "--access-token-format", "jwt")
    first = kid_of(cc_token(srv, cc))
    ahead = json.loads(key_cli(srv, "rotate", "--json").stdout)["kid"]
    assert keys(srv)[ahead]["state"] == "next"
    # the next key leaked before it signed anything: the first key signs on
    out = key_cli(srv, "revoke", "--", ahead).stdout
    assert "new signing key" in out
    listed = keys(srv)
    assert listed[ahead]["state"] == "retired"
    assert ahead not in jwks_kids(srv)
    # its replacement signs from now (the first key is superseded: still published, its
    # tokens good until they expire)
    replacement = out.split("new signing key ")[1].split()[0]
    assert listed[replacement]["state"] == "active"
    assert listed[first]["state"] == "retiring"
    token = token_by(srv, cc, replacement)
    # a retiring key is retired alone: no new key
    out = key_cli(srv, "revoke", "--", first).stdout
    assert "new signing key" not in out and keys(srv)[first]["state"] == "retired"
    assert check(srv, token).status_code == 200


def test_revoke_arguments(make_server):
    srv = admin_server(make_server)
    r = key_cli(srv, "revoke", "no-such-kid", check=False)
    assert r.returncode == 1 and "no key" in r.stderr
    r = key_cli(srv, "revoke", check=False)
    assert r.returncode == 2
    r = srv.cli("key", "revoke", "--help")
    assert "leaked" in r.stdout



def test_the_admin_api_revokes_a_key(make_server):
    # keys.reload = 1: the public listener's bound when its change watcher is slow (a loaded
    # machine); normally it sees the change within GRANTD_STORE_CHANGE_BOUND_MS (100 ms)
    srv = admin_server(make_server, config_text="keys = { reload = 1; };\n")
    api = Api(srv, admin_key(srv)["key"])
    cc = cc_client(srv, "--access-token-format", "jwt")
    old_token = cc_token(srv, cc)
    old = kid_of(old_token)
    base = "/v1/tenants/default/keys/"
    api.ok("POST", base + "no-such-kid/revoke", status=404)
    listed = {k["kid"]: k for k in api.ok("POST", base + old + "/revoke")["keys"]}
    assert listed[old]["state"] == "retired"
    (new,) = [k for k, v in listed.items() if v["state"] == "active"]
    # the answer comes before the listeners' change watcher (100 ms bound) has seen it
    deadline = time.monotonic() + 3.0
    while check(srv, old_token).status_code != 401:
        assert time.monotonic() < deadline, "still accepted 3 s after the revocation"
        time.sleep(0.05)
    assert check(srv, token_by(srv, cc, new)).status_code == 200
    entry = [e for e in json.loads("[" + ",".join(
        srv.cli("audit", "list", "--json").stdout.splitlines()) + "]")
        if e["action"] == "key.revoke"]
    assert len(entry) == 1 and entry[0]["target"]["id"] == old
    assert entry[0]["actor"]["kind"] == "admin_key"
