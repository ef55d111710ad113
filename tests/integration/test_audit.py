"""The audit trail (issue 13, item 6): every change to clients, users, signing keys and admin
keys, through the admin API (actor: the admin key) and the CLI (actor: the OS user), records
exactly one entry naming who, what and when, in the same transaction as the change; a
change that fails records nothing; no secret, hash or password ever appears in an entry,
in `grantd audit list --json` or in the audit_log file.

Not here: the endpoint's pages, targets and tenant scoping against the OpenAPI document
(test_admin_api.py), the store's all-or-nothing unit (tests/store/test_conformance_audit.c).
"""
import json
import os
import pwd
import time

import requests

from conftest import run_cli
from test_admin_api import AUDIT, CLIENTS, NEW_CLIENT, USERS, Api, admin_key, api  # noqa: F401
from test_check import admin_server

CLI_ACTOR = {"kind": "cli", "id": str(os.geteuid()), "name": pwd.getpwuid(os.geteuid()).pw_name}
PASSWORD = "a password that is long enough"


def audit_lines(cli, *args):
    """`grantd audit list --json ARGS` as a list of entries (one JSON object per line)."""
    out = cli("audit", "list", "--json", *args).stdout
    return [json.loads(line) for line in out.splitlines()]


class Trail:
    """Reads what the trail gained since the last look."""

    def __init__(self, cli):
        self.cli, self.seq = cli, 0
        self.new()

    def new(self):
        entries = [e for e in audit_lines(self.cli) if e["seq"] > self.seq]
        if entries:
            self.seq = entries[-1]["seq"]
        return entries

    def one(self, action, kind, target, actor, tenant="default"):
        """Exactly one new entry, and it is this one; its details."""
        entries = self.new()
        assert [(e["action"], e["target"], e["actor"], e["tenant"]) for e in entries] == \
            [(action, {"kind": kind, "id": target}, actor, tenant)], entries
        assert entries[0]["at"] > 0
        return entries[0]["details"]

    def none(self):
        assert self.new() == []


def test_each_admin_api_change_records_one_entry(make_server):
    srv = admin_server(make_server)
    made = admin_key(srv)
    api = Api(srv, made["key"])
    trail = Trail(srv.cli)
    actor = {"kind": "admin_key", "id": made["id"], "name": "ops"}
    secrets = [made["key"]]

    c = api.ok("POST", CLIENTS, NEW_CLIENT, status=201)
    cid = c["client_id"]
    secrets.append(c["client_secret"])
    assert trail.one("client.create", "client", cid, actor) == \
        {"client_name": "Shop", "public": False}
    api.ok("PATCH", f"{CLIENTS}/{cid}", {"client_name": "Shop 2", "access_ttl": 600})
    assert trail.one("client.update", "client", cid, actor) == \
        {"members": ["client_name", "access_ttl"]}
    api.ok("PATCH", f"{CLIENTS}/{cid}")  # no body: read as {}, it changes nothing, and says so
    assert trail.one("client.update", "client", cid, actor) == {"members": []}
    secrets.append(api.ok("POST", f"{CLIENTS}/{cid}/secret", {"overlap": 60})["client_secret"])
    assert trail.one("client.secret_rotate", "client", cid, actor) == {"overlap": 60}
    api.ok("POST", f"{CLIENTS}/{cid}/disable")
    trail.one("client.disable", "client", cid, actor)
    secrets.append(api.ok("POST", f"{CLIENTS}/{cid}/enable")["client_secret"])
    assert trail.one("client.enable", "client", cid, actor) == {"new_secret": True}
    assert api.call("DELETE", f"{CLIENTS}/{cid}").status_code == 204
    trail.one("client.delete", "client", cid, actor)

    u = api.ok("POST", USERS, {"username": "alice", "password": PASSWORD}, status=201)
    secrets.append(PASSWORD)
    assert trail.one("user.create", "user", u["id"], actor) == {"username": "alice"}
    api.ok("PATCH", f"{USERS}/{u['id']}", {"email": "alice@example.com"})
    assert trail.one("user.update", "user", u["id"], actor) == {"members": ["email"]}
    new_password = "another password, also long"
    secrets.append(new_password)
    assert api.call("PUT", f"{USERS}/{u['id']}/password",
                    {"password": new_password}).status_code == 204
    assert trail.one("user.password", "user", u["id"], actor) is None
    api.ok("POST", f"{USERS}/{u['id']}/disable")
    trail.one("user.disable", "user", u["id"], actor)
    api.ok("POST", f"{USERS}/{u['id']}/enable")
    trail.one("user.enable", "user", u["id"], actor)

    key = api.ok("POST", "/v1/tenants/default/keys/rotate", {"alg": "ES256"}, status=201)
    assert trail.one("key.rotate", "key", key["kid"], actor) == {"alg": "ES256"}

    # the same entries through the API, and no secret anywhere in them
    listed = api.ok("GET", AUDIT, params={"limit": 500})["events"]
    text = json.dumps(listed) + srv.cli("audit", "list", "--json").stdout + \
        srv.cli("audit", "list").stdout
    assert len(listed) == 14  # the first key (system) and the thirteen changes above
    for secret in secrets:
        assert secret not in text
    for e in listed:  # no hash either: no value of 40 or more characters but the kid
        for v in json.dumps(e["details"] or {}).split('"'):
            assert len(v) < 40 or v == key["kid"], e


def test_a_failed_change_records_nothing(api):
    trail = Trail(api.srv.cli)
    c = api.ok("POST", CLIENTS, NEW_CLIENT, status=201)
    trail.new()
    for body in ({"client_name": ""}, {"redirect_uris": ["http://evil.example/#x"]},
                 {"client_secret": "mine"}, {"scope": 5}):
        api.bad("POST", CLIENTS, {**NEW_CLIENT, **body})
        api.bad("PATCH", f"{CLIENTS}/{c['client_id']}", body)
    api.bad("POST", f"{CLIENTS}/{c['client_id']}/secret", {"overlap": -1})
    api.bad("POST", USERS, {"username": "a b", "password": PASSWORD})
    api.bad("POST", "/v1/tenants/default/keys/rotate", {"alg": "HS256"})
    # unknown records and taken names: 404 and 409, nothing recorded either
    api.bad("POST", f"{CLIENTS}/nope/disable", status=404, error="not_found")
    api.bad("DELETE", f"{CLIENTS}/nope", status=404, error="not_found")
    api.bad("PUT", f"{USERS}/nope/password", {"password": PASSWORD}, status=404,
            error="not_found")
    api.bad("POST", CLIENTS, {**NEW_CLIENT, "client_id": c["client_id"]}, status=409,
            error="conflict")
    trail.none()
    # and from the CLI
    assert api.srv.cli("client", "disable", "nope", check=False).returncode == 1
    assert api.srv.cli("user", "disable", "nobody", check=False).returncode == 1
    assert api.srv.cli("key", "retire", "nokid", check=False).returncode == 1
    assert api.srv.cli("admin-key", "revoke", "nokey", check=False).returncode == 1
    trail.none()


def test_each_cli_change_records_one_entry(db_url, clock, tmp_path):
    url = db_url()
    conf = tmp_path / "fast.conf"
    conf.write_text("keys = { publish_ahead = 0; };\n")

    def cli(*args, **kw):  # --config before a `--` (what follows it is positional)
        args = list(args)
        end = args.index("--") if "--" in args else len(args)
        return run_cli(url, *args[:end], "--config", str(conf), *args[end:], **kw)

    run_cli(url, "migrate")
    trail = Trail(cli)
    c = json.loads(cli("client", "create", "--name", "Shop", "--json",
                       "--redirect-uri", "https://shop.example/cb").stdout)
    cid, secrets = c["client_id"], [c["client_secret"]]
    assert trail.one("client.create", "client", cid, CLI_ACTOR) == \
        {"client_name": "Shop", "public": False}
    secrets.append(json.loads(cli("client", "rotate-secret", cid, "--json").stdout)
                   ["client_secret"])
    trail.one("client.secret_rotate", "client", cid, CLI_ACTOR)
    cli("client", "disable", cid)
    trail.one("client.disable", "client", cid, CLI_ACTOR)
    secrets.append(json.loads(cli("client", "enable", cid, "--json").stdout)["client_secret"])
    trail.one("client.enable", "client", cid, CLI_ACTOR)
    cli("client", "delete", cid)
    trail.one("client.delete", "client", cid, CLI_ACTOR)

    u = json.loads(cli("user", "create", "--username", "bob", "--json",
                       input=PASSWORD + "\n").stdout)
    assert trail.one("user.create", "user", u["id"], CLI_ACTOR) == {"username": "bob"}
    cli("user", "passwd", "bob", input="a new password, long enough\n")
    trail.one("user.password", "user", u["id"], CLI_ACTOR)
    cli("user", "disable", "bob")
    trail.one("user.disable", "user", u["id"], CLI_ACTOR)
    cli("user", "enable", "bob")
    trail.one("user.enable", "user", u["id"], CLI_ACTOR)

    first = json.loads(cli("key", "rotate", "--json").stdout)
    trail.one("key.rotate", "key", first["kid"], CLI_ACTOR)
    second = json.loads(cli("key", "rotate", "--json").stdout)
    trail.one("key.rotate", "key", second["kid"], CLI_ACTOR)
    clock.advance(1)
    cli("key", "retire", "--", first["kid"])
    trail.one("key.retire", "key", first["kid"], CLI_ACTOR)

    cli("tenant", "create", "shop", "--issuer", "/shop")
    trail.none()  # tenants are not among the audited records
    every = json.loads(cli("admin-key", "create", "--name", "ops", "--json").stdout)
    secrets.append(every["key"])
    assert trail.one("admin_key.create", "admin_key", every["id"], CLI_ACTOR,
                     tenant=None) == {"name": "ops"}
    shop = json.loads(cli("admin-key", "create", "--name", "shop-ops", "--tenant", "shop",
                          "--json").stdout)
    secrets.append(shop["key"])
    trail.one("admin_key.create", "admin_key", shop["id"], CLI_ACTOR, tenant="shop")
    cli("admin-key", "revoke", shop["id"])
    trail.one("admin_key.revoke", "admin_key", shop["id"], CLI_ACTOR, tenant="shop")

    text = cli("audit", "list", "--json").stdout + cli("audit", "list").stdout
    for secret in secrets + [PASSWORD]:
        assert secret not in text


def test_audit_list_filters_and_table(db_url, clock):
    url = db_url()

    def cli(*args, **kw):
        return run_cli(url, *args, **kw)

    run_cli(url, "migrate")
    cli("tenant", "create", "shop", "--issuer", "/shop")
    a = json.loads(cli("client", "create", "--name", "A", "--json",
                       "--redirect-uri", "https://a.example/cb").stdout)["client_id"]
    b = json.loads(cli("client", "create", "--name", "B", "--json", "--tenant", "shop",
                       "--redirect-uri", "https://b.example/cb").stdout)["client_id"]
    clock.advance(100)
    cli("client", "disable", a)
    everything = audit_lines(cli)
    assert [(e["action"], e["target"]["id"], e["tenant"]) for e in everything] == [
        ("client.create", a, "default"), ("client.create", b, "shop"),
        ("client.disable", a, "default")]
    assert [e["target"]["id"] for e in audit_lines(cli, "--tenant", "shop")] == [b]
    assert [e["action"] for e in audit_lines(cli, "--client", a)] == \
        ["client.create", "client.disable"]
    assert audit_lines(cli, "--client", b) == []  # b is shop's, not default's
    assert [e["target"]["id"] for e in audit_lines(cli, "--client", b, "--tenant", "shop")] \
        == [b]
    since = everything[-1]["at"]
    assert [e["action"] for e in audit_lines(cli, "--since", str(since))] == ["client.disable"]
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(since))
    assert len(audit_lines(cli, "--since", stamp)) == 1
    table = cli("audit", "list").stdout.splitlines()
    assert table[0].split() == ["SEQ", "AT", "TENANT", "ACTOR", "ACTION", "TARGET"]
    assert len(table) == 4 and f"client:{a}" in table[3] and "client.disable" in table[3]
    for bad in (("--since", "yesterday"), ("--since", "0"), ("--bogus",), ("extra",)):
        r = cli("audit", "list", *bad, check=False)
        assert r.returncode == 2 and r.stderr.startswith("grantd audit list: "), bad
    r = cli("audit", "list", "--tenant", "nope", check=False)
    assert r.returncode != 0


def test_the_audit_log_file(make_server, tmp_path):
    log = tmp_path / "audit.jsonl"
    srv = admin_server(make_server, config_text=f'audit_log = "{log}";\n')
    made = admin_key(srv)
    api = Api(srv, made["key"])
    c = api.ok("POST", CLIENTS, NEW_CLIENT, status=201)
    srv.cli("client", "disable", c["client_id"])  # another process: followed all the same

    def lines(count):
        """The file's entries once it has count (the thread polls every 0.2 s)."""
        deadline = time.monotonic() + 10
        while True:
            got = [json.loads(x) for x in log.read_text().splitlines()] if log.exists() else []
            if len(got) >= count or time.monotonic() > deadline:
                return got
            time.sleep(0.05)

    got = lines(4)
    assert [e["action"] for e in got] == ["key.create", "admin_key.create", "client.create",
                                          "client.disable"]
    assert got == audit_lines(srv.cli)
    assert os.stat(log).st_mode & 0o777 == 0o600
    assert c["client_secret"] not in log.read_text() and made["key"] not in log.read_text()
    # a restart goes on after the file's last entry: nothing twice
    assert srv.stop() == 0
    srv.cli("client", "enable", c["client_id"])
    srv.start()
    got = lines(5)
    assert [e["seq"] for e in got] == sorted({e["seq"] for e in got})
    assert got[-1]["action"] == "client.enable"
    # a file that is not the trail's is refused at start
    assert srv.stop() == 0
    log.write_text("not an audit entry\n")
    proc = run_cli(srv.db_url, "serve", "--listen", "127.0.0.1:0", "--config",
                   str(tmp_path / "grantd.conf"), check=False)
    assert proc.returncode == 1 and "audit_log" in proc.stderr and str(log) in proc.stderr


def test_dynamic_registration_is_audited(make_server):
    """A client registered at /register is recorded as made by the registration (the
    initial access token's id; none in open mode), its RFC 7592 update and delete as made by
    the client itself, and initial access tokens as made by the CLI or the admin key; a
    refused registration records nothing."""
    from test_registration import CB, SCOPES, bearer, register
    srv = admin_server(make_server, config_text=SCOPES + 'registration = { mode = "token"; };\n')
    trail = Trail(srv.cli)
    made = json.loads(srv.cli("registration-token", "create", "--json", "--uses", "2").stdout)
    details = trail.one("registration_token.create", "registration_token", made["id"], CLI_ACTOR)
    assert details == {"uses": 2, "expires_at": None}
    assert made["token"] not in json.dumps(audit_lines(srv.cli))

    assert register(srv, {"redirect_uris": ["http://client.example/cb"]},
                    made["token"]).status_code == 400
    trail.none()
    c = register(srv, {"redirect_uris": [CB], "client_name": "Reg"}, made["token"]).json()
    details = trail.one("client.create", "client", c["client_id"],
                        {"kind": "registration", "id": made["id"], "name": None})
    assert details == {"client_name": "Reg", "public": False}

    uri = c["registration_client_uri"]
    r = requests.get(uri, headers=bearer(c["registration_access_token"]), timeout=10)
    trail.none()  # a read rotates the registration token only
    token = r.json()["registration_access_token"]
    r = requests.put(uri, json={"client_id": c["client_id"], "client_name": "Reg 2",
                                "redirect_uris": [CB]}, headers=bearer(token), timeout=10)
    assert r.status_code == 200, r.text
    me = {"kind": "client", "id": c["client_id"], "name": None}
    assert trail.one("client.update", "client", c["client_id"], me) == \
        {"members": ["client_id", "client_name", "redirect_uris"]}
    token = r.json()["registration_access_token"]
    assert requests.delete(uri, headers=bearer(token), timeout=10).status_code == 204
    trail.one("client.delete", "client", c["client_id"], me)

    key = admin_key(srv)
    trail.new()
    api = Api(srv, key["key"])
    made = api.ok("POST", "/v1/tenants/default/registration-tokens", {"uses": 1}, status=201)
    trail.one("registration_token.create", "registration_token", made["id"],
              {"kind": "admin_key", "id": key["id"], "name": "ops"})
    events = api.ok("GET", AUDIT, params={"target": f"registration_token:{made['id']}"})
    assert [e["action"] for e in events["events"]] == ["registration_token.create"]
