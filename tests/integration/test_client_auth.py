"""Client authentication at POST /token against clients made with the CLI. Until a grant
is registered, a request that passes authentication ends in unsupported_grant_type, which
is how these tests tell "authenticated" from "refused"."""
import base64
from urllib.parse import quote

import requests

from conftest import create_client

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def basic(client_id, secret):
    raw = f"{quote(client_id, safe='')}:{quote(secret, safe='')}".encode()
    return "Basic " + base64.b64encode(raw).decode()


def post_token(srv, data, headers=None, json_body=None):
    h = dict(FORM if json_body is None else {})
    h.update(headers or {})
    if json_body is not None:
        return requests.post(srv.url + "/token", json=json_body, headers=h, timeout=5)
    return requests.post(srv.url + "/token", data=data, headers=h, timeout=5)


def authenticated(r):
    return r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"


def test_basic_auth_accepts_the_right_secret(server):
    c = create_client(server, "--name", "basic", "--grant", "client_credentials")
    r = post_token(server, {"grant_type": "password"},
                   {"Authorization": basic(c["client_id"], c["client_secret"])})
    assert authenticated(r), r.text


def test_basic_scheme_is_case_insensitive(server):
    c = create_client(server, "--name", "basic", "--grant", "client_credentials")
    h = basic(c["client_id"], c["client_secret"]).replace("Basic", "bAsIc")
    assert authenticated(post_token(server, {"grant_type": "password"}, {"Authorization": h}))


def test_basic_auth_wrong_secret_is_401_with_challenge(server):
    c = create_client(server, "--name", "basic", "--grant", "client_credentials")
    r = post_token(server, {"grant_type": "password"},
                   {"Authorization": basic(c["client_id"], c["client_secret"] + "x")})
    assert r.status_code == 401
    assert r.json()["error"] == "invalid_client"
    assert r.headers["WWW-Authenticate"].startswith("Basic")


def test_malformed_basic_is_401(server):
    r = post_token(server, {"grant_type": "password"}, {"Authorization": "Basic !!!notbase64"})
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"


def test_post_auth_and_json_body(server):
    c = create_client(server, "--name", "post", "--grant", "client_credentials")
    body = {"grant_type": "password", "client_id": c["client_id"],
            "client_secret": c["client_secret"]}
    assert authenticated(post_token(server, body))
    assert authenticated(post_token(server, None, json_body=body))
    body["client_secret"] = "wrong"
    r = post_token(server, body)
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    assert "WWW-Authenticate" not in r.headers


def test_two_methods_are_invalid_request(server):
    c = create_client(server, "--name", "two", "--grant", "client_credentials")
    r = post_token(server, {"grant_type": "password", "client_secret": c["client_secret"]},
                   {"Authorization": basic(c["client_id"], c["client_secret"])})
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"


def test_client_id_in_body_must_match_basic(server):
    c = create_client(server, "--name", "match", "--grant", "client_credentials")
    auth = {"Authorization": basic(c["client_id"], c["client_secret"])}
    assert authenticated(post_token(server, {"grant_type": "password",
                                             "client_id": c["client_id"]}, auth))
    r = post_token(server, {"grant_type": "password", "client_id": "someone-else"}, auth)
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"


def test_unknown_and_disabled_clients_are_refused(server):
    r = post_token(server, {"grant_type": "password"}, {"Authorization": basic("nobody", "x")})
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    c = create_client(server, "--name", "off", "--grant", "client_credentials")
    server.cli("client", "disable", c["client_id"])
    r = post_token(server, {"grant_type": "password"},
                   {"Authorization": basic(c["client_id"], c["client_secret"])})
    assert r.status_code == 401
    # re-enabling starts over with a new secret, accepted as soon as the command returned;
    # the old one stays refused
    import json
    new = json.loads(server.cli("client", "enable", c["client_id"], "--json").stdout)
    assert new["client_secret"] != c["client_secret"]
    assert authenticated(post_token(server, {"grant_type": "password"},
                                    {"Authorization": basic(c["client_id"],
                                                            new["client_secret"])}))
    assert post_token(server, {"grant_type": "password"},
                      {"Authorization": basic(c["client_id"], c["client_secret"])}).status_code == 401


def test_disable_reaches_a_running_server_when_the_command_returns(server):
    """Client lookups are cached, and a change made by the CLI (another process) reaches
    the caches through the database's change sequence: a client authenticated a moment ago
    (so cached) and then disabled from the CLI is refused by the very next request after
    the command returned, and accepted by the next one after it was enabled again."""
    import json
    c = create_client(server, "--name", "cached", "--grant", "client_credentials")
    secret = c["client_secret"]
    for _ in range(3):
        auth = {"Authorization": basic(c["client_id"], secret)}
        assert authenticated(post_token(server, {"grant_type": "password"}, auth))
        server.cli("client", "disable", c["client_id"])
        assert post_token(server, {"grant_type": "password"}, auth).status_code == 401
        new = json.loads(server.cli("client", "enable", c["client_id"], "--json").stdout)
        secret = new["client_secret"]


def test_rotated_secret_replaces_the_old_one(server):
    import json
    c = create_client(server, "--name", "rot", "--grant", "client_credentials")
    new = json.loads(server.cli("client", "rotate-secret", c["client_id"], "--json").stdout)
    assert new["client_secret"] != c["client_secret"]
    old = post_token(server, {"grant_type": "password"},
                     {"Authorization": basic(c["client_id"], c["client_secret"])})
    assert old.status_code == 401
    assert authenticated(post_token(server, {"grant_type": "password"},
                                    {"Authorization": basic(c["client_id"], new["client_secret"])}))


def test_public_client_authenticates_with_none_only(server):
    c = create_client(server, "--name", "spa", "--public", "--redirect-uri",
                      "http://127.0.0.1/cb")
    assert "client_secret" not in c
    assert authenticated(post_token(server, {"grant_type": "password",
                                             "client_id": c["client_id"]}))
    r = post_token(server, {"grant_type": "password", "client_id": c["client_id"],
                            "client_secret": "anything"})
    assert r.status_code == 401


def test_confidential_client_cannot_skip_its_secret(server):
    c = create_client(server, "--name", "conf", "--grant", "client_credentials")
    r = post_token(server, {"grant_type": "password", "client_id": c["client_id"]})
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"


def test_no_client_at_all_is_401(server):
    r = post_token(server, {"grant_type": "client_credentials"})
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"


def test_missing_grant_type_is_invalid_request(server):
    r = post_token(server, {"client_id": "x"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
