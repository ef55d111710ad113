"""`grantd client update`: a registered client's settings change from the command line,
under the admin API's PATCH rules, with an audit entry, and a running server follows at
once."""
import json

import requests

from conftest import create_client
from flow import Agent, authorize_url, make_user, redirect_params

OLD, NEW = "http://127.0.0.1:9/cb", "http://127.0.0.1:9/new"


def show(srv, cid):
    return json.loads(srv.cli("client", "show", cid, "--json").stdout)


def test_a_running_server_follows_a_redirect_uri_change(server):
    c = create_client(server, "--name", "App", "--redirect-uri", OLD, "--scope", "profile")
    make_user(server)

    def code_at(uri):
        r = Agent(server).authorize(authorize_url(
            server, response_type="code", client_id=c["client_id"], redirect_uri=uri,
            scope="profile", state="s"))
        return r.status_code, r.headers.get("Location", "")

    assert code_at(OLD)[0] in (302, 303)
    assert code_at(NEW)[0] == 400  # not registered: a page, never a redirect
    out = json.loads(server.cli("client", "update", c["client_id"], "--redirect-uri", NEW,
                                "--name", "App 2", "--json").stdout)
    assert out["redirect_uris"] == [NEW] and out["name"] == "App 2"
    status, location = code_at(NEW)
    assert status in (302, 303) and location.startswith(NEW + "?")
    assert code_at(OLD)[0] == 400
    # the secret is untouched: the new code still exchanges with the old one
    code = redirect_params(Agent(server).authorize(authorize_url(
        server, response_type="code", client_id=c["client_id"], redirect_uri=NEW,
        scope="profile")))["code"]
    r = requests.post(server.url + "/token", timeout=10,
                      data={"grant_type": "authorization_code", "code": code,
                            "redirect_uri": NEW},
                      auth=(c["client_id"], c["client_secret"]))
    assert r.status_code == 200, r.text


def test_settings_lists_and_resets(server):
    c = create_client(server, "--name", "Svc", "--redirect-uri", OLD)
    cid = c["client_id"]
    server.cli("client", "update", cid, "--always-consent", "--introspect-any",
               "--refresh-ttl", "never", "--code-ttl", "30", "--resource",
               "https://api.example", "--resource", "https://two.example",
               "--scope", "read write", "--access-token-format", "jwt")
    s = show(server, cid)
    assert s["always_consent"] and s["introspect_any"]
    assert s["refresh_ttl"] == "never" and s["code_ttl"] == 30
    assert s["resources"] == ["https://api.example", "https://two.example"]
    assert s["scope"] == "read write" and s["access_token_format"] == "jwt"
    # a list given replaces the list; --reset and --no-... go back to the defaults
    server.cli("client", "update", cid, "--resource", "https://three.example",
               "--no-always-consent", "--reset", "refresh-ttl", "--reset", "code-ttl")
    s = show(server, cid)
    assert s["resources"] == ["https://three.example"]
    assert not s["always_consent"] and s["introspect_any"]
    assert s["refresh_ttl"] is None and s["code_ttl"] is None
    server.cli("client", "update", cid, "--reset", "resources")
    assert show(server, cid)["resources"] == []
    # each change is audited with the members it named, never a value
    entries = [json.loads(line) for line in
               server.cli("audit", "list", "--json").stdout.splitlines()]
    updates = [e for e in entries if e["action"] == "client.update"]
    assert [e["target"]["id"] for e in updates] == [cid] * 3
    assert sorted(updates[0]["details"]["members"]) == sorted(
        ["always_consent", "introspect_any", "refresh_ttl", "code_ttl", "resources", "scope",
         "access_token_format"])
    assert "https://api.example" not in json.dumps(updates)


def test_refused_changes_exit_2_and_change_nothing(server):
    c = create_client(server, "--name", "Web", "--redirect-uri", OLD)
    cid = c["client_id"]
    before = show(server, cid)
    for args, words in (
            (["--redirect-uri", "http://evil.example/cb"], "redirect_uris[0]"),
            (["--code-ttl", "99999"], "code_ttl"),
            (["--refresh-ttl", "soon"], "refresh_ttl"),
            (["--grant", "password"], "grant_types"),
            (["--access-token-format", "paseto"], "access_token_format"),
            (["--reset", "name"], "--reset"),
            (["--always-consent", "--no-always-consent"], "twice"),
            (["--reset", "resources", "--resource", "https://api.example"], "--reset"),
            ([], "nothing to change"),
            (["--allow-insecure-redirect"], "nothing to change")):
        p = server.cli("client", "update", cid, *args, check=False)
        assert p.returncode == 2, (args, p.stderr)
        assert words in p.stderr, (args, p.stderr)
    assert show(server, cid) == before
    p = server.cli("client", "update", "nobody", "--name", "x", check=False)
    assert p.returncode == 1 and "not found" in p.stderr
    # the development escape works as on create
    server.cli("client", "update", cid, "--redirect-uri", "http://dev.example/cb",
               "--allow-insecure-redirect")
    assert show(server, cid)["redirect_uris"] == ["http://dev.example/cb"]
