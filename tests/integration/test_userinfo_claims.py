"""Users' OpenID Connect claims (issue 14): set with `grantd user create | update`, refused
when malformed (exit 2, nothing stored), audited by name only, and answered by /userinfo
per granted scope (profile, email, phone, address), `sub` always."""
import json

from flow import (Agent, PASSWORD, authorize_url, exchange, make_client, pkce_pair,
                  redirect_params, userinfo)

CB = "http://127.0.0.1:9/cb"


def users(srv):
    return {u["username"]: u for u in json.loads(srv.cli("user", "list", "--json").stdout)}


def create(srv, *flags, username="alice"):
    return srv.cli("user", "create", "--username", username, *flags, "--json",
                   input=PASSWORD + "\n")


def token_for(srv, client, scope):
    verifier, challenge = pkce_pair()
    r = Agent(srv).authorize(authorize_url(srv, response_type="code",
                                           client_id=client["client_id"], redirect_uri=CB,
                                           scope=scope, code_challenge=challenge,
                                           code_challenge_method="S256"))
    tok = exchange(srv, client, redirect_params(r)["code"], CB, verifier)
    assert tok.status_code == 200, tok.text
    return tok.json()["access_token"]


def test_cli_create_update_and_clear(server):
    made = json.loads(create(server, "--name", "Alice Liddell", "--given-name", "Alice",
                             "--family-name", "Liddell", "--email", "alice@example.com",
                             "--email-verified", "--locale", "en-GB",
                             "--address", "1 Wonder Lane\nOxford").stdout)
    assert (made["name"], made["email_verified"], made["locale"]) == \
        ("Alice Liddell", True, "en-GB")
    assert made["address"] == "1 Wonder Lane\nOxford" and made["phone_number"] is None
    out = server.cli("user", "update", "alice", "--phone-number", "+441865270000",
                     "--phone-number-verified", "--name", "", "--email-verified=false").stdout
    assert "+441865270000" in out
    alice = users(server)["alice"]
    assert alice["name"] is None and alice["given_name"] == "Alice"
    assert alice["phone_number"] == "+441865270000" and alice["phone_number_verified"]
    assert alice["email_verified"] is False and alice["locale"] == "en-GB"
    # the trail names what changed, never the values
    entry = [json.loads(line) for line in
             server.cli("audit", "list", "--json").stdout.splitlines()][-1]
    assert entry["action"] == "user.update" and entry["actor"]["kind"] == "cli"
    assert entry["target"] == {"kind": "user", "id": alice["id"]}
    assert sorted(entry["details"]["members"]) == \
        ["email_verified", "name", "phone_number", "phone_number_verified"]
    assert "+441865270000" not in json.dumps(entry)
    # a new number is not verified, unless the same command says it is
    server.cli("user", "update", "alice", "--phone-number", "+441865270001")
    assert users(server)["alice"]["phone_number_verified"] is False
    server.cli("user", "update", "alice", "--email", "a@example.org", "--email-verified")
    assert users(server)["alice"]["email_verified"] is True
    server.cli("user", "update", "alice", "--email", "b@example.org")
    assert users(server)["alice"]["email_verified"] is False


def test_cli_refuses_bad_values_and_stores_nothing(server):
    create(server, "--locale", "de-CH")
    before = users(server)
    for flags in (["--phone-number", "0301234567"], ["--phone-number", "+49 30 1234"],
                  ["--locale", "de CH"], ["--locale", "d"], ["--email-verified=yes"],
                  ["--name", "tab\there"], ["--given-name", "x" * 201],
                  ["--address", "y" * 513], ["--name", "a", "--name", "b"]):
        r = server.cli("user", "update", "alice", *flags, check=False)
        assert r.returncode == 2, (flags, r.stderr)
        assert "--" + flags[0].lstrip("-").split("=")[0] in r.stderr
        r = server.cli("user", "create", "--username", "bob", *flags, input=PASSWORD + "\n",
                       check=False)
        assert r.returncode == 2, (flags, r.stderr)
    assert server.cli("user", "update", "alice", check=False).returncode == 2
    assert server.cli("user", "update", "nobody", "--name", "N", check=False).returncode == 1
    assert users(server) == before


def test_userinfo_answers_the_claims_of_the_granted_scopes(server):
    create(server, "--account", "acct-42", "--name", "Alice Liddell", "--given-name", "Alice",
           "--email", "alice@example.com", "--email-verified", "--locale", "en-GB",
           "--phone-number", "+441865270000", "--address", "1 Wonder Lane\nOxford")
    client = make_client(server, scope="profile email phone address")
    base = {"sub", "username", "account"}  # what /userinfo answered before the claims

    me = userinfo(server, token_for(server, client, "profile")).json()
    assert set(me) == base | {"name", "given_name", "preferred_username", "locale",
                              "updated_at"}
    assert (me["name"], me["preferred_username"], me["locale"]) == \
        ("Alice Liddell", "alice", "en-GB")
    assert isinstance(me["updated_at"], int)

    me = userinfo(server, token_for(server, client, "email")).json()
    assert set(me) == base | {"email", "email_verified"}
    assert (me["email"], me["email_verified"]) == ("alice@example.com", True)

    me = userinfo(server, token_for(server, client, "phone address")).json()
    assert set(me) == base | {"phone_number", "phone_number_verified", "address"}
    assert me["phone_number"] == "+441865270000" and me["phone_number_verified"] is False
    assert me["address"] == {"formatted": "1 Wonder Lane\nOxford"}

    # a token of none of these scopes answers what /userinfo always answered
    other = make_client(server, scope="read")
    me = userinfo(server, token_for(server, other, "read")).json()
    assert set(me) == base and me["account"] == "acct-42"

    # a claim without a value is left out; preferred_username is the one set
    server.cli("user", "update", "alice", "--name", "", "--preferred-username", "ally",
               "--email", "")
    me = userinfo(server, token_for(server, client, "profile email")).json()
    assert "name" not in me and "email" not in me and "email_verified" not in me
    assert me["preferred_username"] == "ally" and me["sub"]
