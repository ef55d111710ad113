"""The admin CLI contract, on real SQLite files."""
import json
import os
import subprocess

import requests

from conftest import GRANTD, create_client, db_bytes, run_cli


def test_client_create_json_on_fresh_database(db_url):
    db = db_url("fresh")
    out = run_cli(db, "client", "create", "--name", "Acme", "--redirect-uri",
                  "https://acme.example/cb", "--redirect-uri", "http://127.0.0.1:9000/cb",
                  "--scope", "read  write read", "--grant", "authorization_code",
                  "--grant", "refresh_token", "--json").stdout
    c = json.loads(out)
    assert len(c["client_id"]) >= 16
    assert len(c["client_secret"]) >= 43
    assert c["name"] == "Acme"
    assert c["redirect_uris"] == ["https://acme.example/cb", "http://127.0.0.1:9000/cb"]
    assert c["scope"] == "read write"
    assert sorted(c["grant_types"]) == ["authorization_code", "refresh_token"]
    assert c["public"] is False and c["disabled"] is False
    shown = json.loads(run_cli(db, "client", "show", c["client_id"], "--json").stdout)
    assert shown["client_id"] == c["client_id"]
    assert "client_secret" not in shown
    listed = json.loads(run_cli(db, "client", "list", "--json").stdout)
    assert [x["client_id"] for x in listed] == [c["client_id"]]


def test_secret_is_not_in_the_database_file(tmp_path):
    db_path = tmp_path / "g.db"
    c = create_client_at(f"sqlite:{db_path}")
    run_cli(f"sqlite:{db_path}", "client", "rotate-secret", c["client_id"])
    data = db_bytes(db_path)
    assert c["client_secret"].encode() not in data
    # also not as hex or with its base64url alphabet shuffled: the stored value is a keyed hash
    assert c["client_id"].encode() in data  # sanity: we are reading the right file
    strings = subprocess.run(["sh", "-c", f"cat '{db_path}'* | strings | grep -c -- '{c['client_secret']}'"],
                             capture_output=True, text=True)
    assert strings.stdout.strip() == "0"


def create_client_at(db):
    return json.loads(run_cli(db, "client", "create", "--name", "x", "--json",
                              "--grant", "client_credentials").stdout)


def test_user_create_reads_password_from_stdin_and_stores_argon2id(tmp_path):
    db_path = tmp_path / "u.db"
    db = f"sqlite:{db_path}"
    out = run_cli(db, "user", "create", "--username", "alice", "--account", "acct-42",
                  "--email", "alice@example.com", "--json", input="correct horse\n").stdout
    u = json.loads(out)
    assert u["username"] == "alice" and u["account"] == "acct-42"
    assert "password" not in out and "correct horse" not in out
    data = db_bytes(db_path)
    assert b"correct horse" not in data
    assert b"$argon2id$" in data
    users = json.loads(run_cli(db, "user", "list", "--json").stdout)
    assert [x["username"] for x in users] == ["alice"]
    dup = run_cli(db, "user", "create", "--username", "alice", input="x-long-enough\n",
                  check=False)
    assert dup.returncode == 1 and "alice" in dup.stderr


def test_second_server_sees_cli_writes(make_server, tmp_path):
    first = make_server(workdir=tmp_path)
    c = create_client(first, "--name", "seen", "--grant", "client_credentials")
    assert first.stop() == 0
    second = make_server(workdir=tmp_path)
    r = requests.post(second.url + "/token", data={"grant_type": "password"},
                      auth=(c["client_id"], c["client_secret"]), timeout=5)
    assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"


def test_bad_arguments_exit_2_and_write_nothing(tmp_path):
    db_path = tmp_path / "never.db"
    db = f"sqlite:{db_path}"
    cases = [
        ["client", "create"],                                   # --name missing
        ["client", "create", "--name", "x", "--grant", "implicit"],
        ["client", "create", "--name", "x", "--redirect-uri", "https://a.example/cb#frag"],
        ["client", "create", "--name", "x", "--redirect-uri", "javascript:alert(1)"],
        ["client", "create", "--name", "x", "--redirect-uri", "http://evil.example/cb"],
        ["client", "create", "--name", "x", "--public", "--grant", "client_credentials"],
        ["client", "create", "--name", "x", "--bogus"],
        ["client", "create", "--name", "x", "--access-token-format", "JWT"],
        ["client", "create", "--name", "x", "--access-token-format", "opaque",
         "--access-token-format", "jwt"],
        ["client", "create", "--name", "x", "--code-ttl", "3601"],
        ["client", "create", "--name", "x", "--code-ttl", "0"],
        ["client", "create", "--name", "x", "--access-ttl", "31536001"],
        ["client", "create", "--name", "x", "--access-ttl", "1e3"],
        ["client", "create", "--name", "x", "--access-ttl", "060"],
        ["client", "create", "--name", "x", "--refresh-ttl", "315360001"],
        ["client", "create", "--name", "x", "--refresh-ttl", "-1"],
        ["client", "create", "--name", "x", "--refresh-ttl", "forever"],
        ["client", "create", "--name", "x", "--refresh-ttl", ""],
        ["client", "show"],
        ["client", "frobnicate"],
        ["user", "create"],
        ["nosuchcommand"],
    ]
    for args in cases:
        p = run_cli(db, *args, check=False, input="")
        assert p.returncode == 2, (args, p.returncode, p.stderr)
        assert len(p.stderr.strip().splitlines()) == 1, (args, p.stderr)
        assert p.stderr.startswith("grantd"), p.stderr
    p = run_cli(db, "user", "create", "--username", "bob", input="\n", check=False)
    assert p.returncode == 2
    assert not db_path.exists()


def test_help_on_every_command():
    for args in (["--help"], ["serve", "--help"], ["migrate", "--help"], ["client", "--help"],
                 ["client", "create", "--help"], ["client", "list", "--help"],
                 ["user", "--help"], ["user", "create", "--help"]):
        p = subprocess.run([GRANTD, *args], capture_output=True, text=True, timeout=10)
        assert p.returncode == 0, (args, p.stderr)
        assert "Usage" in p.stdout or "usage" in p.stdout, args


def test_client_lifecycle(db_url):
    db = db_url("life")
    c = create_client_at(db)
    cid = c["client_id"]
    run_cli(db, "client", "disable", cid)
    assert json.loads(run_cli(db, "client", "show", cid, "--json").stdout)["disabled"] is True
    out = run_cli(db, "client", "enable", cid).stdout
    assert "client_secret:" in out and "shown only once" in out
    assert c["client_secret"] not in out
    assert json.loads(run_cli(db, "client", "show", cid, "--json").stdout)["disabled"] is False
    run_cli(db, "client", "delete", cid)
    p = run_cli(db, "client", "show", cid, check=False)
    assert p.returncode == 1 and "not found" in p.stderr


def test_explicit_client_id_and_public_rotate_refused(db_url):
    db = db_url("id")
    c = json.loads(run_cli(db, "client", "create", "--name", "imported", "--id", "acme-123",
                           "--json").stdout)
    assert c["client_id"] == "acme-123"
    dup = run_cli(db, "client", "create", "--name", "again", "--id", "acme-123", check=False)
    assert dup.returncode == 1
    run_cli(db, "client", "create", "--name", "pub", "--id", "pub-1", "--public",
            "--redirect-uri", "http://127.0.0.1/cb")
    p = run_cli(db, "client", "rotate-secret", "pub-1", check=False)
    assert p.returncode == 2


def test_migrate_is_idempotent(db_url):
    db = db_url("m")
    first = run_cli(db, "migrate").stdout
    second = run_cli(db, "migrate").stdout
    assert "0 -> " in first
    v = first.strip().split("-> ")[-1]
    assert f"{v} -> {v}" in second


def test_client_flags_on_create_and_show(db_url):
    db = db_url("flags")
    c = json.loads(run_cli(db, "client", "create", "--name", "Tenants", "--redirect-uri-wildcard",
                           "--allow-plain-pkce", "--always-consent",
                           "--redirect-uri", "https://*.tenants.example/cb",
                           "--redirect-uri", "https://app.tenants.example/cb/*", "--json").stdout)
    assert c["redirect_uri_wildcard"] is True
    assert c["allow_plain_pkce"] is True and c["always_consent"] is True
    assert c["redirect_uris"] == ["https://*.tenants.example/cb",
                                  "https://app.tenants.example/cb/*"]
    plain = json.loads(run_cli(db, "client", "create", "--name", "plain", "--json").stdout)
    assert plain["redirect_uri_wildcard"] is False
    assert plain["allow_plain_pkce"] is False and plain["always_consent"] is False
    # the flags round-trip through the store (needs the clients.flags column)
    shown = json.loads(run_cli(db, "client", "show", c["client_id"], "--json").stdout)
    assert shown["redirect_uri_wildcard"] is True
    assert shown["allow_plain_pkce"] is True and shown["always_consent"] is True
    listed = {x["client_id"]: x for x in json.loads(run_cli(db, "client", "list", "--json").stdout)}
    assert listed[c["client_id"]]["always_consent"] is True
    assert listed[plain["client_id"]]["always_consent"] is False
    text = run_cli(db, "client", "show", c["client_id"]).stdout
    assert "redirect_uri_wildcard" in text and "always_consent" in text
    table = run_cli(db, "client", "list").stdout
    assert "FLAGS" in table and "wildcard,plain-pkce,always-consent" in table


def test_wildcard_redirect_uris_refused_exit_2(tmp_path):
    db_path = tmp_path / "never.db"
    db = f"sqlite:{db_path}"
    cases = [
        # (extra arguments, words the one-line error must contain)
        (["--redirect-uri", "https://*.example.com/cb"], "must not contain '*'"),
        (["--redirect-uri", "https://app.example.com/cb/*"], "must not contain '*'"),
        (["--redirect-uri-wildcard", "--redirect-uri", "https://*.com/cb"], "two labels"),
        (["--redirect-uri-wildcard", "--redirect-uri", "https://*/cb"], "two labels"),
        (["--redirect-uri-wildcard", "--redirect-uri", "https://a.*.example.com/cb"],
         "leftmost label"),
        (["--redirect-uri-wildcard", "--redirect-uri", "https://*.*.example.com/cb"],
         "at most one"),
        (["--redirect-uri-wildcard", "--redirect-uri", "http://*.example.com/cb"], "https"),
        (["--redirect-uri-wildcard", "--redirect-uri", "https://app.example.com/cb*"],
         "right after a '/'"),
        (["--redirect-uri-wildcard", "--redirect-uri", "https://app.example.com/../*"],
         "'..'"),
    ]
    for extra, words in cases:
        p = run_cli(db, "client", "create", "--name", "x", *extra, check=False)
        assert p.returncode == 2, (extra, p.returncode, p.stderr)
        lines = p.stderr.strip().splitlines()
        assert len(lines) == 1, (extra, p.stderr)
        assert lines[0].startswith("grantd client create: --redirect-uri '"), p.stderr
        assert words in lines[0], (extra, p.stderr)
    assert not db_path.exists()


def test_client_create_help_names_the_flags():
    p = subprocess.run([GRANTD, "client", "create", "--help"], capture_output=True, text=True,
                       timeout=10)
    assert p.returncode == 0
    for opt in ("--redirect-uri-wildcard", "--allow-plain-pkce", "--always-consent",
                "--access-token-format", "--introspect-any", "--code-ttl", "--access-ttl",
                "--refresh-ttl", "--post-logout-redirect-uri", "--id-token-signed-response-alg"):
        assert opt in p.stdout, opt


def test_client_token_options_on_create_show_and_list(db_url):
    db = db_url("tokens")
    c = json.loads(run_cli(db, "client", "create", "--name", "Api", "--grant",
                           "client_credentials", "--access-token-format", "jwt",
                           "--introspect-any", "--code-ttl", "600", "--access-ttl", "300",
                           "--refresh-ttl", "never", "--json").stdout)
    assert c["access_token_format"] == "jwt" and c["introspect_any"] is True
    assert (c["code_ttl"], c["access_ttl"], c["refresh_ttl"]) == (600, 300, "never")
    plain = json.loads(run_cli(db, "client", "create", "--name", "plain", "--json").stdout)
    assert plain["access_token_format"] == "opaque" and plain["introspect_any"] is False
    assert (plain["code_ttl"], plain["access_ttl"], plain["refresh_ttl"]) == (None, None, None)
    limits = json.loads(run_cli(db, "client", "create", "--name", "limits", "--code-ttl", "3600",
                                "--access-ttl", "31536000", "--refresh-ttl", "315360000",
                                "--access-token-format", "opaque", "--json").stdout)
    assert (limits["code_ttl"], limits["access_ttl"], limits["refresh_ttl"]) == \
        (3600, 31536000, 315360000)
    assert limits["access_token_format"] == "opaque"
    zero = json.loads(run_cli(db, "client", "create", "--name", "zero", "--refresh-ttl", "0",
                              "--json").stdout)
    assert zero["refresh_ttl"] == "never"  # 0 means never, as in the configuration file
    # the options round-trip through the store
    shown = json.loads(run_cli(db, "client", "show", c["client_id"], "--json").stdout)
    for key in ("access_token_format", "introspect_any", "code_ttl", "access_ttl", "refresh_ttl"):
        assert shown[key] == c[key], key
    listed = {x["client_id"]: x for x in json.loads(run_cli(db, "client", "list", "--json").stdout)}
    assert listed[c["client_id"]]["refresh_ttl"] == "never"
    assert listed[plain["client_id"]]["access_ttl"] is None
    text = run_cli(db, "client", "show", c["client_id"]).stdout
    assert "introspect_any" in text
    lines = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
    assert lines["access_tokens"].strip() == "jwt"
    assert lines["code_ttl"].strip() == "600 s" and lines["refresh_ttl"].strip() == "never"
    assert "default" in run_cli(db, "client", "show", plain["client_id"]).stdout
    table = run_cli(db, "client", "list").stdout
    assert "LIFETIMES" in table
    assert "introspect-any,jwt" in table and "code=600,access=300,refresh=never" in table


def test_client_openid_connect_options_on_create_and_show(tmp_path):
    """--post-logout-redirect-uri (repeatable) and --id-token-signed-response-alg are
    stored and shown; without them the client has none and RS256."""
    db_path = tmp_path / "oidc.db"
    db = f"sqlite:{db_path}"
    bye, out = "https://rp.example/bye", "http://127.0.0.1:8400/out"
    c = json.loads(run_cli(db, "client", "create", "--name", "RP", "--redirect-uri",
                           "https://rp.example/cb", "--post-logout-redirect-uri", bye,
                           "--post-logout-redirect-uri", out, "--post-logout-redirect-uri", bye,
                           "--id-token-signed-response-alg", "ES256", "--json").stdout)
    assert c["post_logout_redirect_uris"] == [bye, out]
    assert c["id_token_signed_response_alg"] == "ES256"
    shown = json.loads(run_cli(db, "client", "show", c["client_id"], "--json").stdout)
    assert shown["post_logout_redirect_uris"] == [bye, out]
    assert shown["id_token_signed_response_alg"] == "ES256"
    text = run_cli(db, "client", "show", c["client_id"]).stdout
    lines = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
    assert lines["logout_uris"].strip() == f"{bye} {out}"
    assert lines["id_token_alg"].strip() == "ES256"
    plain = json.loads(run_cli(db, "client", "create", "--name", "plain", "--json").stdout)
    assert plain["post_logout_redirect_uris"] == []
    assert plain["id_token_signed_response_alg"] == "RS256"
    listed = {x["client_id"]: x for x in json.loads(run_cli(db, "client", "list", "--json").stdout)}
    assert listed[c["client_id"]]["id_token_signed_response_alg"] == "ES256"
    assert listed[plain["client_id"]]["post_logout_redirect_uris"] == []
    dev = json.loads(run_cli(db, "client", "create", "--name", "dev", "--allow-insecure-redirect",
                             "--post-logout-redirect-uri", "http://dev.test/out",
                             "--json").stdout)
    assert dev["post_logout_redirect_uris"] == ["http://dev.test/out"]


def test_client_openid_connect_options_refused_exit_2(tmp_path):
    db_path = tmp_path / "never.db"
    db = f"sqlite:{db_path}"
    cases = [
        (["--post-logout-redirect-uri", "https://rp.example/bye#x"], "fragment"),
        (["--post-logout-redirect-uri", "http://rp.example/bye"], "127.0.0.1"),
        (["--post-logout-redirect-uri", "/bye"], "absolute"),
        (["--redirect-uri-wildcard", "--post-logout-redirect-uri", "https://*.rp.example/b"],
         "must not contain '*'"),
        (["--post-logout-redirect-uri", "urn:ietf:wg:oauth:2.0:oob"], "out-of-band"),
        (["--id-token-signed-response-alg", "HS256"], "must be RS256 or ES256"),
        (["--id-token-signed-response-alg", "es256"], "must be RS256 or ES256"),
        (["--id-token-signed-response-alg", "RS256", "--id-token-signed-response-alg",
          "ES256"], "given twice"),
    ]
    for extra, words in cases:
        p = run_cli(db, "client", "create", "--name", "x", *extra, check=False)
        assert p.returncode == 2, (extra, p.returncode, p.stderr)
        lines = p.stderr.strip().splitlines()
        assert len(lines) == 1 and words in lines[0], (extra, p.stderr)
    assert not db_path.exists()


def test_client_enable_gives_a_new_secret(db_url):
    db = db_url("enable")
    c = create_client_at(db)
    run_cli(db, "client", "disable", c["client_id"])
    first = json.loads(run_cli(db, "client", "enable", c["client_id"], "--json").stdout)
    assert first["client_id"] == c["client_id"] and first["disabled"] is False
    assert len(first["client_secret"]) >= 43 and first["client_secret"] != c["client_secret"]
    again = json.loads(run_cli(db, "client", "enable", c["client_id"], "--json").stdout)
    assert again["client_secret"] != first["client_secret"]
    run_cli(db, "client", "create", "--name", "pub", "--id", "pub-2", "--public",
            "--redirect-uri", "http://127.0.0.1/cb")
    run_cli(db, "client", "disable", "pub-2")
    pub = json.loads(run_cli(db, "client", "enable", "pub-2", "--json").stdout)
    assert pub == {"client_id": "pub-2", "disabled": False}  # public clients have no secret
    assert "client_secret" not in run_cli(db, "client", "enable", "pub-2").stdout
    p = run_cli(db, "client", "enable", "no-such-client", check=False)
    assert p.returncode == 1 and "not found" in p.stderr


def test_disable_revokes_the_tokens_a_running_server_issued(make_server, tmp_path):
    """The CLI writes to the database while the server runs (no exclusive locking): a
    disabled client's tokens are inactive at once, and enabling it does not bring them back."""
    srv = make_server(workdir=tmp_path)
    c = create_client(srv, "--name", "svc", "--grant", "client_credentials")
    obs = create_client(srv, "--name", "observer", "--grant", "client_credentials",
                        "--introspect-any")

    def token():
        r = requests.post(srv.url + "/token", data={"grant_type": "client_credentials"},
                          auth=(c["client_id"], c["client_secret"]), timeout=5)
        assert r.status_code == 200, r.text
        return r.json()["access_token"]

    def active(tok):
        r = requests.post(srv.url + "/introspect", data={"token": tok},
                          auth=(obs["client_id"], obs["client_secret"]), timeout=5)
        assert r.status_code == 200, r.text
        return r.json()["active"]

    tokens = [token() for _ in range(3)]
    assert all(active(t) for t in tokens)
    srv.cli("client", "disable", c["client_id"])
    assert not any(active(t) for t in tokens)
    new = json.loads(srv.cli("client", "enable", c["client_id"], "--json").stdout)
    assert not any(active(t) for t in tokens)
    c["client_secret"] = new["client_secret"]
    # enabled: the running server accepts the new secret as soon as the command returned
    r = requests.post(srv.url + "/token", data={"grant_type": "client_credentials"},
                      auth=(c["client_id"], c["client_secret"]), timeout=5)
    assert r.status_code == 200, r.text
    assert active(r.json()["access_token"])


def test_every_server_on_the_database_sees_a_disable_when_the_command_returns(make_server,
                                                                             tmp_path):
    """Two servers on one database, both holding the client (and its tokens' facts) in their
    caches: when `grantd client disable` returns, both refuse the client and report its
    tokens inactive; when `enable` returns, both accept its new secret. The command waits
    the change bound (GRANTD_STORE_CHANGE_BOUND_MS), not the second it used to."""
    import time
    servers = [make_server(workdir=tmp_path), make_server(workdir=tmp_path)]
    c = create_client(servers[0], "--name", "svc", "--grant", "client_credentials",
                      "--grant", "authorization_code", "--redirect-uri",
                      "https://svc.example/cb")
    obs = create_client(servers[0], "--name", "observer", "--grant", "client_credentials",
                        "--introspect-any")

    def token(srv, secret):
        return requests.post(srv.url + "/token", data={"grant_type": "client_credentials"},
                             auth=(c["client_id"], secret), timeout=5)

    def active(srv, tok):
        r = requests.post(srv.url + "/introspect", data={"token": tok},
                          auth=(obs["client_id"], obs["client_secret"]), timeout=5)
        assert r.status_code == 200, r.text
        return r.json()["active"]

    secret = c["client_secret"]
    for _ in range(2):
        tokens = []
        for srv in servers:
            r = token(srv, secret)
            assert r.status_code == 200, r.text
            tokens.append(r.json()["access_token"])
        assert all(active(srv, t) for srv in servers for t in tokens)  # now cached
        started = time.monotonic()
        servers[0].cli("client", "disable", c["client_id"])
        took = time.monotonic() - started
        for srv in servers:
            assert token(srv, secret).status_code == 401
            assert not any(active(srv, t) for t in tokens)
        assert took < 1.0, f"client disable took {took:.2f} s"
        secret = json.loads(servers[1].cli("client", "enable", c["client_id"],
                                           "--json").stdout)["client_secret"]
        for srv in servers:
            assert token(srv, secret).status_code == 200
