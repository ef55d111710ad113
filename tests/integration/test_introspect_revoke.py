"""POST /introspect (RFC 7662) and POST /revoke (RFC 7009) against a real grantd (issue 4).

Introspection answers a caller about its own tokens (every token with --introspect-any);
anything inactive, unknown, expired, revoked, rotated, malformed or not the caller's to see
is exactly {"active":false}, so a token the caller may not see cannot be told from one that
does not exist. Revocation is authenticated; a refresh token takes its family's access
tokens with it, an access token goes alone, other clients' and unknown tokens answer 200."""
import secrets
import time

import pytest
import requests

from conftest import create_client
from flow import Agent, make_client, userinfo
from test_tokens import (INACTIVE, assert_error, assert_refresh_answer, client_credentials,
                         grant, introspect, introspect_json, refresh, start, with_client_auth)


def revoke(server, caller, token=None, hint=None, auth=None):
    data = {}
    if token is not None:
        data["token"] = token
    if hint:
        data["token_type_hint"] = hint
    data, kw = with_client_auth(caller, data, auth)
    return requests.post(server.url + "/revoke", data=data, timeout=15, **kw)


def observer(server):
    return create_client(server, "--name", "Observer", "--grant", "client_credentials",
                         "--introspect-any")


def service(server, *args):
    return create_client(server, "--name", "Service", "--grant", "client_credentials",
                         "--scope", "orders", *args)


def comparable(r):
    """Status, body bytes and headers of an answer, less the ones that vary by the clock."""
    varying = ("date", "x-request-id")
    headers = {k.lower(): v for k, v in r.headers.items() if k.lower() not in varying}
    return r.status_code, r.content, headers


def assert_inactive(r, what=""):
    assert r.status_code == 200, (what, r.status_code, r.text)
    assert r.json() == INACTIVE, (what, r.text)
    assert r.headers["Content-Type"].startswith("application/json"), what


# ---- introspection: active answers ---------------------------------------------------------

def test_introspect_active_access_token(server):
    client = start(server)
    body = grant(server, client)
    r = introspect(server, client, body["access_token"])
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    info = r.json()
    now = time.time()
    assert info["active"] is True
    assert info["scope"] == "profile email"
    assert info["client_id"] == client["client_id"]
    assert info["username"] == "alice"
    assert info["sub"] == userinfo(server, body["access_token"]).json()["sub"]
    assert info["token_type"] == "Bearer"
    assert info["iss"] == server.url
    assert abs(info["iat"] - now) < 10
    assert info["exp"] - info["iat"] == 3600
    assert "aud" not in info  # an opaque token has no audience
    assert body["access_token"] not in r.text


def test_introspect_active_refresh_token(server):
    client = start(server)
    body = grant(server, client, scope="profile")
    info = introspect_json(server, client, body["refresh_token"])
    assert info["active"] is True
    assert info["token_type"] == "refresh_token"
    assert info["scope"] == "profile"
    assert info["client_id"] == client["client_id"]
    assert info["username"] == "alice"
    assert info["sub"] == introspect_json(server, client, body["access_token"])["sub"]
    assert info["iss"] == server.url and isinstance(info["iat"], int)
    assert "exp" not in info  # refresh tokens never expire by default


def test_introspect_refresh_token_with_a_lifetime_has_exp(make_server):
    srv = make_server(config_text="lifetimes = { refresh_token = 600; };\n")
    client = start(srv)
    info = introspect_json(srv, client, grant(srv, client)["refresh_token"])
    assert info["exp"] - info["iat"] == 600


def test_introspect_client_credentials_token(server):
    svc = service(server)
    tok = client_credentials(server, svc).json()["access_token"]
    info = introspect_json(server, svc, tok)
    assert info["active"] is True and info["client_id"] == svc["client_id"]
    assert info["scope"] == "orders" and info["token_type"] == "Bearer"
    assert "username" not in info
    assert info.get("sub", svc["client_id"]) == svc["client_id"]
    assert info["iss"] == server.url and info["exp"] - info["iat"] == 3600


def test_token_type_hint_is_accepted_and_ignored(server):
    client = start(server)
    body = grant(server, client)
    for token, hint in ((body["refresh_token"], "access_token"),
                        (body["access_token"], "refresh_token"),
                        (body["access_token"], "something_else"),
                        (body["refresh_token"], "refresh_token")):
        info = introspect_json(server, client, token, hint=hint)
        assert info["active"] is True, (hint, info)
    assert introspect_json(server, client, body["refresh_token"],
                           hint="access_token")["token_type"] == "refresh_token"


def test_introspect_any_sees_other_clients_tokens(server):
    client = start(server)
    svc = service(server)
    obs = observer(server)
    body = grant(server, client)
    cc = client_credentials(server, svc).json()["access_token"]
    at = introspect_json(server, obs, body["access_token"])
    assert at["active"] is True and at["client_id"] == client["client_id"]
    assert at["username"] == "alice"
    rt = introspect_json(server, obs, body["refresh_token"])
    assert rt["active"] is True and rt["token_type"] == "refresh_token"
    info = introspect_json(server, obs, cc)
    assert info["active"] is True and info["client_id"] == svc["client_id"]


# ---- introspection: request errors ---------------------------------------------------------

def test_introspect_without_token_is_invalid_request(server):
    client = start(server)
    data, kw = with_client_auth(client, {})
    r = requests.post(server.url + "/introspect", data=data, timeout=10, **kw)
    assert_error(r, 400, "invalid_request")
    data, kw = with_client_auth(client, {"token_type_hint": "access_token"})
    r = requests.post(server.url + "/introspect", data=data, timeout=10, **kw)
    assert_error(r, 400, "invalid_request")


def test_introspect_needs_client_authentication(server):
    client = start(server)
    body = grant(server, client)
    r = requests.post(server.url + "/introspect", data={"token": body["access_token"]},
                      timeout=10)
    assert_error(r, 401, "invalid_client")
    assert "active" not in r.json()
    r = introspect(server, dict(client, client_secret="wrong"), body["access_token"])
    assert_error(r, 401, "invalid_client")
    r = requests.post(server.url + "/introspect", data={"token": body["access_token"]},
                      auth=("nobody", "x"), timeout=10)
    assert_error(r, 401, "invalid_client")


# ---- introspection: every inactive case is exactly {"active":false} ------------------------

def test_every_inactive_token_is_exactly_active_false(server):
    client = start(server)
    other = make_client(server)
    svc = service(server)
    agent = Agent(server)

    revoked = grant(server, client, agent)
    assert revoke(server, client, revoked["access_token"]).status_code == 200
    rotated = grant(server, client, agent)
    after_rotation = assert_refresh_answer(refresh(server, client, rotated["refresh_token"]))
    reused = grant(server, client, agent)
    reused_next = assert_refresh_answer(refresh(server, client, reused["refresh_token"]))
    assert_error(refresh(server, client, reused["refresh_token"]), 400, "invalid_grant")
    revoked_rt = grant(server, client, agent)
    assert revoke(server, client, revoked_rt["refresh_token"]).status_code == 200
    others = grant(server, other, agent)
    cc_other = client_credentials(server, svc).json()["access_token"]

    cases = {
        "unknown": secrets.token_urlsafe(32),
        "malformed": "!!!not-a-token!!!",
        "jwt-shaped garbage": "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
        "non-ascii": "t\u00f6ken",
        "long": "A" * 2000,
        "revoked access token": revoked["access_token"],
        "rotated refresh token": rotated["refresh_token"],
        "family-revoked access token": reused_next["access_token"],
        "family-revoked refresh token": reused_next["refresh_token"],
        "first access token of a revoked family": reused["access_token"],
        "revoked refresh token": revoked_rt["refresh_token"],
        "access token of a revoked refresh token": revoked_rt["access_token"],
        "another client's access token": others["access_token"],
        "another client's refresh token": others["refresh_token"],
        "another client's client-credentials token": cc_other,
    }
    answers = {}
    for what, token in cases.items():
        for hint in (None, "access_token", "refresh_token"):
            r = introspect(server, client, token, hint=hint)
            assert_inactive(r, (what, hint))
            answers[(what, hint)] = comparable(r)
    assert len(set((s, b, tuple(sorted(h.items()))) for s, b, h in answers.values())) == 1, \
        answers
    # introspecting the rotated token was a read, not a reuse: its successor still works
    assert introspect_json(server, client, after_rotation["refresh_token"])["active"] is True
    assert_refresh_answer(refresh(server, client, after_rotation["refresh_token"]))
    # and the tokens the caller could not see are alive for their owners
    assert introspect_json(server, other, others["access_token"])["active"] is True
    assert introspect_json(server, svc, cc_other)["active"] is True


def test_expired_tokens_are_inactive(make_server, clock):
    srv = make_server(config_text="lifetimes = { access_token = 600; refresh_token = 1200; };\n")
    client = start(srv)
    svc = service(srv)
    body = grant(srv, client)
    assert introspect_json(srv, client, body["access_token"])["active"] is True
    cc = client_credentials(srv, svc).json()["access_token"]
    assert introspect_json(srv, svc, cc)["active"] is True
    clock.advance(601)
    assert_inactive(introspect(srv, client, body["access_token"]), "expired access token")
    assert_inactive(introspect(srv, svc, cc), "expired client-credentials token")
    # each by its own lifetime: the refresh token lives on until its 1200 s are over
    assert introspect_json(srv, client, body["refresh_token"])["active"] is True
    clock.advance(600)
    assert_inactive(introspect(srv, client, body["refresh_token"]), "expired refresh token")


def test_not_permitted_is_indistinguishable_from_unknown(server):
    client = start(server)
    other = make_client(server)
    body = grant(server, client)
    for token in (body["access_token"], body["refresh_token"]):
        unknown = secrets.token_urlsafe(len(token) * 3 // 4)[:len(token)]
        assert len(unknown) == len(token)
        seen = [comparable(introspect(server, other, t)) for t in (token, unknown, token)]
        assert seen[0] == seen[1] == seen[2], seen
        assert seen[0][0] == 200 and seen[0][1].strip() in (b'{"active":false}',
                                                            b'{"active": false}')
    # the owner still sees it, so the store does hold it
    assert introspect_json(server, client, body["access_token"])["active"] is True


def test_disabled_clients_tokens_are_inactive(server):
    client = start(server)
    obs = observer(server)
    body = grant(server, client)
    assert introspect_json(server, obs, body["access_token"])["active"] is True
    server.cli("client", "disable", client["client_id"])
    assert_inactive(introspect(server, obs, body["access_token"]), "disabled client's AT")
    assert_inactive(introspect(server, obs, body["refresh_token"]), "disabled client's RT")


# ---- revocation ----------------------------------------------------------------------------

@pytest.mark.parametrize("auth", ["basic", "post"])
def test_revoking_a_refresh_token_revokes_its_family(server, auth):
    client = start(server)
    agent = Agent(server)
    first = grant(server, client, agent)
    second = assert_refresh_answer(refresh(server, client, first["refresh_token"]))
    unrelated = grant(server, client, agent)
    r = revoke(server, client, second["refresh_token"], auth=auth)
    assert r.status_code == 200, r.text
    assert_error(refresh(server, client, second["refresh_token"]), 400, "invalid_grant")
    for tok in (first["access_token"], second["access_token"], second["refresh_token"]):
        assert_inactive(introspect(server, client, tok))
    assert userinfo(server, second["access_token"]).status_code == 401
    # another authorization of the same user and client is not part of the family
    assert userinfo(server, unrelated["access_token"]).status_code == 200
    assert_refresh_answer(refresh(server, client, unrelated["refresh_token"]))


def test_revoking_an_access_token_leaves_the_refresh_token(server):
    client = start(server)
    body = grant(server, client)
    assert revoke(server, client, body["access_token"]).status_code == 200
    assert userinfo(server, body["access_token"]).status_code == 401
    assert_inactive(introspect(server, client, body["access_token"]))
    assert introspect_json(server, client, body["refresh_token"])["active"] is True
    new = assert_refresh_answer(refresh(server, client, body["refresh_token"]))
    assert userinfo(server, new["access_token"]).status_code == 200


def test_token_type_hint_does_not_limit_revocation(server):
    client = start(server)
    agent = Agent(server)
    a = grant(server, client, agent)
    assert revoke(server, client, a["refresh_token"], hint="access_token").status_code == 200
    assert_error(refresh(server, client, a["refresh_token"]), 400, "invalid_grant")
    b = grant(server, client, agent)
    assert revoke(server, client, b["access_token"], hint="refresh_token").status_code == 200
    assert userinfo(server, b["access_token"]).status_code == 401


def test_a_client_cannot_revoke_another_clients_token(server):
    client = start(server)
    other = make_client(server)
    obs = observer(server)
    body = grant(server, client)
    for caller in (other, obs):
        for tok in (body["access_token"], body["refresh_token"]):
            r = revoke(server, caller, tok)
            assert r.status_code == 200, r.text
    assert introspect_json(server, client, body["access_token"])["active"] is True
    assert introspect_json(server, client, body["refresh_token"])["active"] is True
    assert userinfo(server, body["access_token"]).status_code == 200
    assert_refresh_answer(refresh(server, client, body["refresh_token"]))


def test_revoking_unknown_or_malformed_tokens_is_200(server):
    client = start(server)
    for tok in (secrets.token_urlsafe(32), "!!!", "A" * 2000, "x.y.z"):
        assert revoke(server, client, tok).status_code == 200, tok
    body = grant(server, client)
    assert revoke(server, client, body["access_token"]).status_code == 200
    assert revoke(server, client, body["access_token"]).status_code == 200  # twice is fine


def test_revoke_without_token_is_invalid_request(server):
    client = start(server)
    assert_error(revoke(server, client), 400, "invalid_request")
    assert_error(revoke(server, client, hint="access_token"), 400, "invalid_request")


def test_revoke_needs_client_authentication(server):
    client = start(server)
    body = grant(server, client)
    r = requests.post(server.url + "/revoke", data={"token": body["access_token"]}, timeout=10)
    assert_error(r, 401, "invalid_client")
    r = revoke(server, dict(client, client_secret="wrong"), body["access_token"])
    assert_error(r, 401, "invalid_client")
    assert introspect_json(server, client, body["access_token"])["active"] is True


def test_public_client_revokes_its_own_tokens(server):
    pub = start(server, "--public")
    body = grant(server, pub)
    assert revoke(server, pub, body["refresh_token"], auth="none").status_code == 200
    assert_error(refresh(server, pub, body["refresh_token"], auth="none"), 400,
                 "invalid_grant")
    assert userinfo(server, body["access_token"]).status_code == 401


def test_revoking_a_client_credentials_token(server):
    svc = service(server)
    tok = client_credentials(server, svc).json()["access_token"]
    other = service(server)
    assert revoke(server, other, tok).status_code == 200
    assert introspect_json(server, svc, tok)["active"] is True
    assert revoke(server, svc, tok).status_code == 200
    assert_inactive(introspect(server, svc, tok))


def test_public_clients_cannot_introspect(server):
    """A public client's id is no secret; letting it introspect would let anyone read the
    username and sub of that client's tokens."""
    import requests
    from conftest import create_client
    pub = create_client(server, "--name", "spa", "--public", "--redirect-uri",
                        "http://127.0.0.1/cb")
    r = requests.post(server.url + "/introspect",
                      data={"token": "x" * 43, "client_id": pub["client_id"]}, timeout=10)
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
