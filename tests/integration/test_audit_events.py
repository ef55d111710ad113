"""Audit events as JSON lines (issue 16, "What operators expect"): with `audit_events = PATH`
the server and the CLI append one JSON object per event to PATH: logins and failures,
consents given and refused, codes replayed, refresh reuse detected, revocations, client, user,
key and admin-key changes (CLI and admin API). Every line has the fixed members of
docs/events.md (ts, event, issuer, subject, client, address, request_id), the request's where
a request caused it, and no secret used in the test appears anywhere in the file.

Not here: the stored audit trail (test_audit.py), rate_limited events (the rate limits'
tests).
"""
import json
import subprocess

import requests

from conftest import GRANTD, database_url
from flow import PASSWORD, Agent, authorize_url, exchange, make_client, pkce_pair, \
    redirect_params
from test_admin_api import CLIENTS, Api, admin_key
from test_introspect_revoke import revoke
from test_tokens import grant, refresh

CB = "http://127.0.0.1:9/cb"
FIXED = ("ts", "event", "issuer", "subject", "client", "address", "request_id")
WRONG = "wrong-password-7b1d"


def events_server(make_server, tmp_path):
    path = tmp_path / "events.jsonl"
    srv = make_server(f'admin_listen = "127.0.0.1:0";\naudit_events = "{path}";\n')
    env = {"GRANTD_CONFIG": str(srv.workdir / "grantd.conf")}  # the CLI writes events too

    def cli(*args, **kw):
        return srv.cli(*args, env=env, **kw)
    return srv, cli, path


def read_events(path):
    text = path.read_text()
    lines = text.splitlines()
    assert text.endswith("\n") and all(lines), "one object per line"
    events = [json.loads(line) for line in lines]
    for e in events:
        assert all(k in e for k in FIXED), e
        assert isinstance(e["event"], str) and e["ts"].endswith("Z"), e
    return events, text


def of(events, kind, **members):
    return [e for e in events if e["event"] == kind and
            all(e.get(k) == v for k, v in members.items())]


def test_events_of_flows_and_changes_carry_who_and_where_and_no_secret(make_server, tmp_path):
    srv, cli, path = events_server(make_server, tmp_path)
    secrets = [PASSWORD, WRONG]
    alice = json.loads(cli("user", "create", "--username", "alice", "--account", "acct-42",
                           "--json", input=PASSWORD + "\n").stdout)["id"]
    web = json.loads(cli("client", "create", "--json", "--name", "Web", "--scope",
                         "profile email", "--redirect-uri", CB).stdout)
    secrets.append(web["client_secret"])
    cli("key", "rotate")
    made_key = admin_key(srv)  # no GRANTD_CONFIG: a change the file must not hold
    key = json.loads(cli("admin-key", "create", "--name", "ops2", "--json").stdout)
    secrets += [made_key["key"], key["key"]]

    # a failed and a good login, consent given, a code exchanged and replayed
    agent = Agent(srv)
    verifier, challenge = pkce_pair()
    url = authorize_url(srv, response_type="code", client_id=web["client_id"], redirect_uri=CB,
                        code_challenge=challenge, code_challenge_method="S256")
    page = agent.get(url)
    assert agent.login(page, password=WRONG).status_code == 401
    r = agent.authorize(url)
    code = redirect_params(r)["code"]
    secrets += [code] + [c.value for c in agent.http.cookies]
    first = exchange(srv, web, code, CB, verifier)
    assert first.status_code == 200
    assert exchange(srv, web, code, CB, verifier).status_code == 400
    secrets += [first.json()["access_token"], first.json()["refresh_token"]]

    # consent refused by a second client's user
    other = json.loads(cli("client", "create", "--json", "--name", "Other", "--scope", "profile",
                           "--redirect-uri", CB).stdout)
    secrets.append(other["client_secret"])
    denied = agent.authorize(authorize_url(srv, response_type="code",
                                           client_id=other["client_id"], redirect_uri=CB,
                                           code_challenge=challenge,
                                           code_challenge_method="S256"), decision="cancel")
    assert redirect_params(denied)["error"] == "access_denied"

    # refresh reuse, then a revocation
    one = grant(srv, web, agent)
    two = refresh(srv, web, one["refresh_token"]).json()
    three = refresh(srv, web, two["refresh_token"]).json()
    assert refresh(srv, web, one["refresh_token"]).status_code == 400
    live = grant(srv, web, agent)
    assert revoke(srv, web, live["refresh_token"]).status_code == 200
    for t in (one, two, three, live):
        secrets += [t["access_token"], t["refresh_token"]]

    # changes through the admin API
    api = Api(srv, key["key"])
    made = api.ok("POST", CLIENTS, {"client_name": "Shop", "redirect_uris": [CB]}, status=201)
    secrets.append(made["client_secret"])
    api.ok("POST", f"{CLIENTS}/{made['client_id']}/disable")
    cli("client", "delete", other["client_id"])

    events, text = read_events(path)
    for s in secrets:
        assert s not in text, f"a secret is in the events file: {s[:6]}..."

    here = {"issuer": srv.url, "address": "127.0.0.1"}
    failed = of(events, "login_failed", **here)
    assert len(failed) == 1 and failed[0]["username"] == "alice" and failed[0]["subject"] is None
    assert failed[0]["client"] == web["client_id"] and failed[0]["request_id"]
    assert len(of(events, "login", subject=alice, client=web["client_id"], **here)) == 1
    assert len(of(events, "consent_given", subject=alice, client=web["client_id"], **here)) == 1
    assert len(of(events, "consent_refused", subject=alice, client=other["client_id"],
                  **here)) == 1
    assert len(of(events, "code_replayed", subject=alice, client=web["client_id"], **here)) == 1
    assert len(of(events, "refresh_reuse_detected", subject=alice, client=web["client_id"],
                  **here)) == 1
    revoked = of(events, "token_revoked", subject=alice, client=web["client_id"], **here)
    assert len(revoked) == 1 and revoked[0]["token_kind"] == "refresh_token"

    # CLI changes: the OS user, no address or request
    cli_made = of(events, "user_changed", subject=alice, action="user.create")
    assert len(cli_made) == 1 and cli_made[0]["actor"]["kind"] == "cli"
    assert cli_made[0]["address"] is None and cli_made[0]["request_id"] is None
    assert len(of(events, "client_changed", client=web["client_id"], action="client.create")) == 1
    assert len(of(events, "key_changed", action="key.rotate")) == 1
    assert len(of(events, "admin_key_changed", action="admin_key.create")) == 1  # ops2 only
    assert len(of(events, "client_changed", client=other["client_id"],
                  action="client.delete")) == 1

    # admin API changes: the admin key, the request's address and id
    for action in ("client.create", "client.disable"):
        e = of(events, "client_changed", client=made["client_id"], action=action)
        assert len(e) == 1, (action, events)
        assert e[0]["actor"] == {"kind": "admin_key", "id": key["id"], "name": "ops2"}
        assert e[0]["address"] == "127.0.0.1" and e[0]["request_id"], e[0]


def test_no_events_file_unless_set(make_server, tmp_path):
    srv = make_server()
    assert requests.get(srv.url + "/health/live", timeout=10).status_code == 200
    assert not list(tmp_path.glob("*.jsonl"))


def test_an_events_file_that_cannot_be_opened_stops_the_start(tmp_path):
    conf = tmp_path / "grantd.conf"
    conf.write_text(f'audit_events = "{tmp_path}/no/such/dir/events.jsonl";\n')
    p = subprocess.run([GRANTD, "serve", "--listen", "127.0.0.1:0", "--config", str(conf),
                        "--db", database_url(tmp_path / "grantd.db")], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode != 0 and "cannot open audit_events file" in p.stderr, p.stderr
