"""The test clock itself (src/core/clock.h, tests/support/clock_file.c): grantd-test, which
this suite runs, follows the `clock` fixture in a running server and in CLI commands alike,
keeps serving across a jump; grantd, the binary people run, ignores GRANTD_TEST_CLOCK and
does not even carry its name; a clock file that is not there stops grantd-test loudly."""
import json
import os
import subprocess
import time

import requests

from conftest import GRANTD, GRANTD_PRODUCTION, create_client, run_cli

DAY = 86400
YEARS = 10 * 365 * DAY
SLACK = 30  # seconds a slow or loaded machine may take between two readings here


def cc_client(srv):
    return create_client(srv, "--name", "svc", "--grant", "client_credentials",
                         "--introspect-any")


def token(srv, c):
    r = requests.post(srv.url + "/token", data={"grant_type": "client_credentials"},
                      auth=(c["client_id"], c["client_secret"]), timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def introspect(srv, c, tok):
    r = requests.post(srv.url + "/introspect", data={"token": tok}, timeout=10,
                      auth=(c["client_id"], c["client_secret"]))
    assert r.status_code == 200, r.text
    return r.json()


def near(value, expected):
    return abs(value - expected) <= SLACK


def test_grantd_test_moves_server_and_cli_together(make_server, clock):
    srv = make_server(config_text="keys = { reload = 1; };\n")
    c = cc_client(srv)
    first = token(srv, c)
    info = introspect(srv, c, first)
    assert info["active"] is True and near(info["iat"], time.time())
    assert info["exp"] - info["iat"] == 3600

    clock.advance(DAY)
    # the running server's wall clock: an hour-long token from before is now expired, a new
    # one is issued a day ahead
    assert introspect(srv, c, first) == {"active": False}
    later = introspect(srv, c, token(srv, c))
    assert later["active"] is True and near(later["iat"], time.time() + DAY)
    # a CLI command started now reads the same clock
    made = create_client(srv, "--name", "later")
    assert near(made["created_at"], time.time() + DAY)
    # the server kept serving across the jump: keys reloaded, JWKS and readiness answer
    jwks = requests.get(srv.url + "/jwks.json", timeout=10)
    assert jwks.status_code == 200 and len(jwks.json()["keys"]) == 1
    assert requests.get(srv.url + "/health/ready", timeout=10).status_code == 200


def test_production_grantd_ignores_the_test_clock(make_server, clock, db_url):
    with open(GRANTD_PRODUCTION, "rb") as f:
        assert b"GRANTD_TEST_CLOCK" not in f.read(), "grantd carries the test clock"
    clock.advance(YEARS)
    # the same command under the same clock: grantd-test is years ahead, grantd is not
    db = db_url("cli")
    ahead = json.loads(run_cli(db, "client", "create", "--name", "a", "--json").stdout)
    real = json.loads(run_cli(db, "client", "create", "--name", "b", "--json",
                              binary=GRANTD_PRODUCTION).stdout)
    assert near(ahead["created_at"], time.time() + YEARS)
    assert near(real["created_at"], time.time())
    # a production server started with the variable set issues tokens at real time
    srv = make_server(binary=GRANTD_PRODUCTION)
    c = cc_client(srv)
    info = introspect(srv, c, token(srv, c))
    assert info["active"] is True and near(info["iat"], time.time())


def test_a_missing_clock_file_stops_grantd_test(tmp_path, db_url):
    env = dict(os.environ, GRANTD_TEST_CLOCK=str(tmp_path / "absent"))
    p = subprocess.run([GRANTD, "client", "list", "--db", db_url()],
                       capture_output=True, text=True, env=env, timeout=30)
    assert p.returncode == 70, (p.returncode, p.stderr)
    assert "GRANTD_TEST_CLOCK" in p.stderr and "absent" in p.stderr
