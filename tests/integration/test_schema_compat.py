"""A rolling upgrade seen from the older grantd (docs/deploy.md, Upgrades): the next
release has migrated the database with an additive step (a new table, defaulted columns,
version current + 1, compatible back to current). This grantd serves on it (client
credentials, the authorization-code flow, introspection, readiness) and its CLI works on
it; `grantd migrate` leaves it as it is and says so. A step that needs the newer grantd
(compatible back to current + 1) is refused with both versions named. Runs on both drivers
(the integration-pg entry runs it on PostgreSQL)."""
import re
import subprocess

import requests

from conftest import GRANTD, ON_PG, create_client
from flow import (Agent, authorize_url, exchange, make_client, make_user, pkce_pair,
                  redirect_params, userinfo)

CB = "http://127.0.0.1:9/cb"


def current_version(srv):
    out = srv.cli("migrate").stdout
    m = re.search(r"schema version \d+ -> (\d+)", out)
    assert m, out
    return int(m.group(1))


def future_step(srv, version, compat):
    """What the next release's migration would leave: its additive step and its version."""
    for sql in ("CREATE TABLE grants_ledger (tenant_id INTEGER NOT NULL, note TEXT)",
                "ALTER TABLE clients ADD COLUMN tier INTEGER NOT NULL DEFAULT 3",
                "ALTER TABLE codes ADD COLUMN origin TEXT NOT NULL DEFAULT 'web'",
                "ALTER TABLE tokens ADD COLUMN origin TEXT NOT NULL DEFAULT 'web'"):
        srv.tamper_sql(sql)
    if ON_PG:
        srv.tamper_sql("DELETE FROM grantd_schema")
        srv.tamper_sql(f"INSERT INTO grantd_schema (version, compat) VALUES "
                       f"({int(version)}, {int(compat)})")
        return
    srv.tamper_sql(f"UPDATE meta SET value = {int(version)} WHERE key = 'schema_version'")
    srv.tamper_sql(f"UPDATE meta SET value = {int(compat)} WHERE key = 'schema_compat'")
    srv.tamper_sql(f"PRAGMA user_version = {int(version)}")


def code_flow(srv, client):
    verifier, challenge = pkce_pair()
    url = authorize_url(srv, response_type="code", client_id=client["client_id"],
                        redirect_uri=CB, scope="openid profile", code_challenge=challenge,
                        code_challenge_method="S256")
    q = redirect_params(Agent(srv).authorize(url))
    r = exchange(srv, client, q["code"], CB, verifier)
    assert r.status_code == 200, r.text
    access = r.json()["access_token"]
    assert userinfo(srv, access).status_code == 200
    # single use holds: the replay is refused and revokes what the code issued
    replay = exchange(srv, client, q["code"], CB, verifier)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    assert userinfo(srv, access).status_code == 401


def test_older_grantd_serves_a_newer_compatible_schema(make_server):
    srv = make_server(defer_start=True)
    v = current_version(srv)
    future_step(srv, v + 1, v)
    # the older CLI works on it
    make_user(srv)
    web = make_client(srv, redirect=CB, scope="openid profile")
    svc = create_client(srv, "--name", "svc", "--grant", "client_credentials",
                        "--scope", "orders", "--introspect-any")
    srv.start()
    assert requests.get(srv.url + "/health/ready", timeout=5).status_code == 200

    r = requests.post(srv.url + "/token", data={"grant_type": "client_credentials"},
                      auth=(svc["client_id"], svc["client_secret"]), timeout=10)
    assert r.status_code == 200, r.text
    access = r.json()["access_token"]
    info = requests.post(srv.url + "/introspect", data={"token": access},
                         auth=(svc["client_id"], svc["client_secret"]), timeout=10)
    assert info.status_code == 200 and info.json()["active"] is True

    code_flow(srv, web)

    # nothing migrated it: migrate says it is newer and compatible, and leaves it so
    for _ in range(2):
        out = srv.cli("migrate").stdout
        assert f"schema version {v + 1}, newer than this grantd's {v} and compatible" in out
    srv.tamper_sql("INSERT INTO grants_ledger (tenant_id, note) VALUES (1, 'still here')")


def test_older_grantd_refuses_a_schema_that_needs_a_newer_one(make_server):
    srv = make_server(defer_start=True)
    v = current_version(srv)
    future_step(srv, v + 1, v + 1)
    want = (f"its schema version {v + 1} needs a grantd of schema version {v + 1} or newer, "
            f"and this grantd's is {v}: run a newer grantd on it")

    out = srv.cli("migrate", check=False)
    assert out.returncode == 1
    assert want in out.stderr
    assert "newer than this grantd" not in out.stdout

    proc = subprocess.run([GRANTD, "serve", "--listen", "127.0.0.1:0", "--db", srv.db_url],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode != 0
    assert want in proc.stderr
    assert proc.stdout == ""  # it never listened

    listed = srv.cli("client", "list", check=False)
    assert listed.returncode != 0 and want in listed.stderr
    # the refusal changed nothing: still the newer version, refused the same way
    again = srv.cli("migrate", check=False)
    assert again.returncode == 1 and want in again.stderr
