"""The password policy (issue 16: "any password is accepted, `a` included"): wherever a
password is set, `grantd user create`, `grantd user passwd` and the admin API's POST .../users
and PUT .../users/{id}/password, a password shorter than passwords.min_length (8 by default,
NIST SP 800-63B with a blocklist), the username, a run ("aaaaaaaa", "12345678"), a common
password of the built-in list or a line of the passwords.blocklist file is refused with a
reason; nothing is stored. The login, console and account pages only check passwords, so
they have no policy text to show. The unit test (tests/unit/core/test_password_policy.c)
covers the rules one by one."""
import json

from conftest import run_cli
from flow import Agent, authorize_url, make_client, pkce_pair
from test_admin_api import USERS, Api, admin_key
from test_check import admin_server

WEAK = [("a", "is too short: at least 8 characters"),
        ("seven77", "is too short: at least 8 characters"),
        ("password", "is one of the most common passwords"),
        ("Password123!", "is one of the most common passwords"),
        ("12345678", "is a run of repeated or consecutive characters"),
        ("zzzzzzzzzz", "is a run of repeated or consecutive characters")]


def users(srv):
    return [u["username"] for u in json.loads(srv.cli("user", "list", "--json").stdout)]


def logs_in(srv, password):
    client = make_client(srv)
    _, challenge = pkce_pair()
    url = authorize_url(srv, response_type="code", client_id=client["client_id"],
                        redirect_uri="http://127.0.0.1:9/cb", scope="profile",
                        code_challenge=challenge, code_challenge_method="S256", state="s")
    r = Agent(srv).authorize(url, password=password)
    return r.status_code in (302, 303) and "code=" in r.headers.get("Location", "")


def test_the_cli_refuses_weak_passwords(make_server):
    srv = make_server()
    for pw, why in WEAK:
        r = srv.cli("user", "create", "--username", "alice", input=pw + "\n", check=False)
        assert r.returncode == 1, (pw, r.returncode, r.stderr)
        assert r.stderr.startswith("grantd user create: password ") and why in r.stderr, r.stderr
        assert len(r.stderr.splitlines()) == 1
    r = srv.cli("user", "create", "--username", "alexander", input="Alexander\n", check=False)
    assert r.returncode == 1 and "must not be the username" in r.stderr
    assert users(srv) == []
    srv.cli("user", "create", "--username", "alice", input="tulip-42\n")
    for pw, why in WEAK:
        r = srv.cli("user", "passwd", "alice", input=pw + "\n", check=False)
        assert r.returncode == 1 and why in r.stderr, r.stderr
    # nothing was changed: the password set at creation still logs in
    assert logs_in(srv, "tulip-42")


def test_min_length_and_a_blocklist_file(make_server, tmp_path):
    blocklist = tmp_path / "refused.txt"
    blocklist.write_text("Spring Flowers 2026\nsummer-breeze-ok\n")
    srv = admin_server(make_server, config_text=(
        f'passwords = {{ min_length = 12; blocklist = "{blocklist}"; }};\n'))
    conf = ("--config", str(srv.workdir / "grantd.conf"))
    r = srv.cli("user", "create", "--username", "bob", *conf, input="tulip-42-ab\n",
                check=False)
    assert r.returncode == 1 and "at least 12 characters" in r.stderr
    r = srv.cli("user", "create", "--username", "bob", *conf, input="spring flowers 2026\n",
                check=False)
    assert r.returncode == 1 and "list of refused passwords" in r.stderr
    srv.cli("user", "create", "--username", "bob", *conf, input="spring flowers 2027\n")
    # the server applies the same settings in the admin API
    api = Api(srv, admin_key(srv)["key"])
    assert "at least 12" in api.bad("POST", USERS, {"username": "c", "password": "tulip-42-ab"})
    assert "refused" in api.bad("POST", USERS, {"username": "c", "password": "SUMMER-BREEZE-OK"})
    api.ok("POST", USERS, {"username": "c", "password": "a long passphrase"}, status=201)


def test_policy_settings_are_checked(tmp_path, db_url):
    conf = tmp_path / "grantd.conf"
    for text, what in (("passwords = { min_length = 0; };", "min_length"),
                       ("passwords = { min_length = 65; };", "min_length"),
                       ('passwords = { blocklist = ""; };', "blocklist"),
                       ("passwords = { max_length = 64; };", "max_length")):
        conf.write_text(text + "\n")
        r = run_cli(db_url(), "user", "list", "--config", str(conf), check=False)
        assert r.returncode == 2 and what in r.stderr, (text, r.stderr)


def test_the_admin_api_refuses_weak_passwords(make_server):
    srv = admin_server(make_server)
    api = Api(srv, admin_key(srv)["key"])
    for pw, why in WEAK:
        desc = api.bad("POST", USERS, {"username": "alice", "password": pw})
        assert desc.startswith("password ") and why in desc, desc
    desc = api.bad("POST", USERS, {"username": "alexander", "password": "Alexander"})
    assert desc == "password must not be the username"
    assert users(srv) == []
    user = api.ok("POST", USERS, {"username": "alice", "password": "tulip-42"}, status=201)
    for pw, why in WEAK:
        desc = api.bad("PUT", f"{USERS}/{user['id']}/password", {"password": pw})
        assert why in desc, desc
    assert logs_in(srv, "tulip-42")
    api.ok("PUT", f"{USERS}/{user['id']}/password", {"password": "daffodil-7"}, status=204)
