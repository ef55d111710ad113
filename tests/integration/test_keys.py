"""Signing keys end to end: the first start generates a key and /jwks.json publishes it; it
survives a restart; it is sealed at rest under a master key kept in a 0600 file (or given in
GRANTD_MASTER_KEY); `grantd key rotate` under a running server is picked up within
keys.reload; `grantd key list` shows each key's state; a wrong master key stops the server
with one clear line. Keys are checked with python3-jwt (PyJWK) and python3-cryptography."""
import base64
import hashlib
import json
import os
import re
import sqlite3
import stat
import subprocess
import time

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import load_der_private_key

from conftest import GRANTD, run_cli

# a rotated key signs at once here (the default publishes it an hour ahead: see
# test_by_default_a_rotated_key_is_published_an_hour_ahead); the CLI must be given the same file
RELOAD_CONFIG = "keys = { reload = 1; publish_ahead = 0; };\n"
MASTER_A = base64.b64encode(b"A" * 32).decode()
MASTER_B = base64.b64encode(b"B" * 32).decode()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def get_jwks(srv, cache_control=None):
    """The published keys; the answer's Cache-Control is cache_control when given, else
    no-store (publish_ahead = 0) or a max-age (a key is published ahead)."""
    r = requests.get(srv.url + "/jwks.json", timeout=10)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "application/json"
    if cache_control:
        assert r.headers["Cache-Control"] == cache_control
    else:
        assert re.fullmatch(r"no-store|public, max-age=\d+", r.headers["Cache-Control"])
    keys = r.json()["keys"]
    for k in keys:
        assert not {"d", "p", "q", "dp", "dq", "qi"} & set(k), "private key material published"
    return keys


def thumbprint(jwk):
    """RFC 7638: SHA-256 of the required members, sorted, without whitespace."""
    required = ("crv", "kty", "x", "y") if jwk["kty"] == "EC" else ("e", "kty", "n")
    text = json.dumps({m: jwk[m] for m in required}, separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(text.encode()).digest())


def check_jwk(jwk):
    assert jwk["use"] == "sig"
    assert jwk["kid"] == thumbprint(jwk)
    if jwk["alg"] == "ES256":
        assert jwk["kty"] == "EC" and jwk["crv"] == "P-256"
        assert len(unb64url(jwk["x"])) == 32 and len(unb64url(jwk["y"])) == 32
    else:
        assert jwk["alg"] == "RS256" and jwk["kty"] == "RSA" and jwk["e"] == "AQAB"
        assert len(unb64url(jwk["n"])) == 256
    # python3-jwt, as a resource server would load it
    key = jwt.PyJWK(jwk)
    assert key.key_id == jwk["kid"]
    kind = ec.EllipticCurvePublicKey if jwk["kty"] == "EC" else rsa.RSAPublicKey
    assert isinstance(key.key, kind)


def key_list(srv, env=None):
    return json.loads(srv.cli("key", "list", "--json", env=env).stdout)


def wait_for(predicate, timeout=5.0, step=0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)


def db_bytes(path):
    data = b""
    for suffix in ("", "-wal", "-shm"):
        p = str(path) + suffix
        if os.path.exists(p):
            with open(p, "rb") as f:
                data += f.read()
    return data


def sealed_blob(db_path, kid):
    """The sealed private key of kid: the one BLOB in the row that names kid, whatever the
    schema calls its columns."""
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for t in tables:
            for row in con.execute(f'SELECT * FROM "{t}"'):
                if kid in row:
                    blobs = [v for v in row if isinstance(v, bytes) and len(v) > 28]
                    assert len(blobs) == 1, (t, row)
                    return blobs[0]
    finally:
        con.close()
    raise AssertionError(f"no row holds kid {kid}")


def test_first_start_publishes_one_key_that_survives_restart(make_server, tmp_path):
    srv = make_server()
    keys = get_jwks(srv)
    assert len(keys) == 1
    check_jwk(keys[0])
    assert keys[0]["alg"] == "ES256"
    warning = srv.wait_event("master_key_default")
    assert warning and "GRANTD_MASTER_KEY" in warning["message"]
    assert srv.stop() == 0

    again = make_server()
    assert get_jwks(again) == keys
    assert [k["kid"] for k in key_list(again)] == [keys[0]["kid"]]


def test_key_file_is_private_and_the_database_holds_no_clear_key(make_server, tmp_path):
    srv = make_server()
    kid = get_jwks(srv)[0]["kid"]
    key_file = tmp_path / "grantd.db.key"
    mode = stat.S_IMODE(os.stat(key_file).st_mode)
    assert mode == 0o600, oct(mode)
    master = base64.b64decode(key_file.read_text().strip(), validate=True)
    assert len(master) == 32

    data = db_bytes(srv.db_path)
    assert b"-----BEGIN" not in data and b"PRIVATE KEY" not in data
    # open the seal ourselves (nonce || ciphertext || tag, aad = kid) to learn d, then make
    # sure d appears nowhere in the database in any form
    blob = sealed_blob(srv.db_path, kid)
    der = AESGCM(master).decrypt(blob[:12], blob[12:], kid.encode())
    assert der not in data
    private = load_der_private_key(der, password=None)
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    d = private.private_numbers().private_value.to_bytes(32, "big")
    for form in (d, b64url(d).encode(), d.hex().encode(), base64.b64encode(d)):
        assert form not in data
    # the published key is this private key's public half
    pub = private.public_key().public_numbers()
    jwk = get_jwks(srv)[0]
    assert unb64url(jwk["x"]) == pub.x.to_bytes(32, "big")
    assert unb64url(jwk["y"]) == pub.y.to_bytes(32, "big")
    # with the wrong aad (another kid) the seal does not open
    try:
        AESGCM(master).decrypt(blob[:12], blob[12:], b"another-kid")
        raise AssertionError("the seal opened under a different kid")
    except Exception as e:  # cryptography.exceptions.InvalidTag
        assert type(e).__name__ == "InvalidTag"


def test_rotate_while_serving(make_server):
    srv = make_server(config_text=RELOAD_CONFIG)
    old = get_jwks(srv)
    assert len(old) == 1
    old_kid = old[0]["kid"]
    rotated = json.loads(srv.cli("key", "rotate", "--json", "--config",
                                 str(srv.workdir / "grantd.conf")).stdout)
    new_kid = rotated["kid"]
    assert new_kid != old_kid and rotated["alg"] == "ES256" and rotated["state"] == "active"

    both = wait_for(lambda: len(get_jwks(srv)) == 2, timeout=4)
    assert both, "the rotated key is not published 4 s after `grantd key rotate` (reload = 1)"
    keys = {k["kid"]: k for k in get_jwks(srv)}
    assert set(keys) == {old_kid, new_kid}
    for k in keys.values():
        check_jwk(k)
    assert srv.wait_event("keys_reloaded") is not None

    listed = {k["kid"]: k for k in key_list(srv)}
    assert listed[new_kid]["state"] == "active" and listed[new_kid]["retire_at"] is None
    assert listed[old_kid]["state"] == "retiring"
    # the old key stays published for the longest access-token lifetime (3600 s default)
    assert listed[old_kid]["retire_at"] == listed[new_kid]["active_from"] + 3600
    text = srv.cli("key", "list").stdout.splitlines()
    assert text[0].split() == ["KID", "ALG", "CREATED", "ACTIVE_FROM", "RETIRE_AT", "STATE"]
    assert any(line.startswith(new_kid) and line.endswith("active") for line in text)
    assert any(line.startswith(old_kid) and line.endswith("retiring") for line in text)


def test_rotate_with_publish_ahead_and_rs256(make_server):
    srv = make_server(config_text="keys = { reload = 1; publish_ahead = 600; };\n")
    old_kid = get_jwks(srv)[0]["kid"]
    # publish_ahead is read by the CLI, so it gets the server's configuration file
    out = srv.cli("key", "rotate", "--alg", "RS256", "--config",
                  str(srv.workdir / "grantd.conf")).stdout
    assert "kid:" in out and "RS256" in out and "next" in out
    listed = key_list(srv)
    new = [k for k in listed if k["kid"] != old_kid][0]
    assert new["alg"] == "RS256" and new["state"] == "next"
    assert new["active_from"] - new["created_at"] == 600
    old = [k for k in listed if k["kid"] == old_kid][0]
    assert old["state"] == "active"  # still signs until the new key's active_from
    assert old["retire_at"] == new["active_from"] + 3600
    keys = wait_for(lambda: (lambda k: k if len(k) == 2 else None)(get_jwks(srv)), timeout=4)
    assert keys, "a key published ahead must be in /jwks.json before it signs"
    rsa_jwk = [k for k in keys if k["kid"] == new["kid"]][0]
    check_jwk(rsa_jwk)
    assert isinstance(jwt.PyJWK(rsa_jwk).key, rsa.RSAPublicKey)


def test_by_default_a_rotated_key_is_published_an_hour_ahead(make_server):
    """A resource server that cached /jwks.json for as long as it may (its max-age) has the
    new key before the first token it signs."""
    srv = make_server()
    r = requests.get(srv.url + "/jwks.json", timeout=10)
    assert r.headers["Cache-Control"] == "public, max-age=1800"
    assert "Pragma" not in r.headers
    old_kid = r.json()["keys"][0]["kid"]
    new = json.loads(srv.cli("key", "rotate", "--json").stdout)
    assert new["state"] == "next" and new["active_from"] - new["created_at"] == 3600
    listed = {k["kid"]: k for k in key_list(srv)}
    assert listed[old_kid]["state"] == "active"
    assert listed[old_kid]["retire_at"] == new["active_from"] + 3600


def test_jwks_cache_lifetime_follows_publish_ahead(make_server, tmp_path):
    cases = [("keys = { publish_ahead = 0; };\n", "no-store"),
             ("keys = { publish_ahead = 600; };\n", "public, max-age=300"),
             # reload leaves less than half the window
             ("keys = { publish_ahead = 600; reload = 500; };\n", "public, max-age=100"),
             ("keys = { publish_ahead = 10; reload = 20; };\n", "no-store")]
    for i, (config, expected) in enumerate(cases):
        work = tmp_path / str(i)
        work.mkdir()
        srv = make_server(config_text=config, workdir=work)
        r = requests.get(srv.url + "/jwks.json", timeout=10)
        assert r.headers["Cache-Control"] == expected, config
        assert (r.headers.get("Pragma") == "no-cache") == (expected == "no-store")
        assert srv.stop() == 0


def test_key_cli_arguments(tmp_path):
    db = f"sqlite:{tmp_path}/never.db"
    for args, fragment in [
        (("key", "rotate", "--alg", "HS256"), "HS256"),
        (("key", "rotate", "--alg"), "--alg"),
        (("key", "rotate", "extra"), "extra"),
        (("key", "list", "--alg", "ES256"), "--alg"),
        (("key", "list", "--bogus"), "--bogus"),
        (("key", "frobnicate"), "frobnicate"),
        (("key",), "subcommand"),
    ]:
        p = run_cli(db, *args, check=False)
        assert p.returncode == 2, (args, p.returncode, p.stderr)
        assert p.stdout == ""
        lines = p.stderr.strip().splitlines()
        assert len(lines) == 1 and fragment in lines[0], (args, p.stderr)
    assert not os.path.exists(tmp_path / "never.db"), "a usage error must write nothing"
    assert not os.path.exists(tmp_path / "never.db.key")
    for sub in ("rotate", "list"):
        p = run_cli(None, "key", sub, "--help")
        assert p.stdout.startswith(f"Usage: grantd key {sub}") and p.stderr == ""
    assert "rotate" in run_cli(None, "key", "--help").stdout
    assert "key" in run_cli(None, "--help").stdout


def test_key_list_without_a_server(tmp_path):
    """The CLI works on a database no server has opened: rotate creates the first key."""
    db = f"sqlite:{tmp_path}/cli.db"
    env = {"GRANTD_MASTER_KEY": MASTER_A}
    conf = tmp_path / "now.conf"
    conf.write_text(RELOAD_CONFIG)
    assert json.loads(run_cli(db, "key", "list", "--json", env=env).stdout) == []
    # the first key signs at once even when keys are published ahead: nothing signs before it
    first = json.loads(run_cli(db, "key", "rotate", "--json", env=env).stdout)
    assert first["state"] == "active"
    second = json.loads(run_cli(db, "key", "rotate", "--json", "--config", str(conf),
                                env=env).stdout)
    states = {k["kid"]: k["state"]
              for k in json.loads(run_cli(db, "key", "list", "--json", env=env).stdout)}
    assert states == {first["kid"]: "retiring", second["kid"]: "active"}
    # no key file when the master key comes from the environment
    assert not os.path.exists(tmp_path / "cli.db.key")
    # rotating under another master key is refused: the server could not open the new key
    p = run_cli(db, "key", "rotate", env={"GRANTD_MASTER_KEY": MASTER_B}, check=False)
    assert p.returncode == 1
    assert len(p.stderr.strip().splitlines()) == 1 and "master key" in p.stderr
    assert len(json.loads(run_cli(db, "key", "list", "--json", env=env).stdout)) == 2


def test_retired_keys_leave_the_jwks(make_server, tmp_path):
    """With 1-second access tokens a replaced key retires a second after the rotation."""
    conf = tmp_path / "short.conf"
    conf.write_text("lifetimes = { access_token = 1; };\nkeys = { publish_ahead = 0; };\n")
    db = f"sqlite:{tmp_path}/grantd.db"
    first = json.loads(run_cli(db, "key", "rotate", "--json", "--config", str(conf)).stdout)
    second = json.loads(run_cli(db, "key", "rotate", "--json", "--config", str(conf)).stdout)
    assert second["active_from"] >= first["active_from"]
    time.sleep(2.1)
    listed = {k["kid"]: k for k in json.loads(run_cli(db, "key", "list", "--json").stdout)}
    assert listed[first["kid"]]["state"] == "retired"
    assert listed[first["kid"]]["retire_at"] == second["active_from"] + 1
    assert listed[second["kid"]]["state"] == "active"
    srv = make_server(config_text="lifetimes = { access_token = 1; };\n")
    assert [k["kid"] for k in get_jwks(srv)] == [second["kid"]]


def test_wrong_master_key_stops_serve(make_server, tmp_path):
    srv = make_server(env={"GRANTD_MASTER_KEY": MASTER_A})
    kid = get_jwks(srv)[0]["kid"]
    assert srv.wait_event("master_key_default", timeout=0.5) is None
    assert srv.stop() == 0
    assert not os.path.exists(tmp_path / "grantd.db.key")

    env = dict(os.environ, GRANTD_MASTER_KEY=MASTER_B)
    p = subprocess.run([GRANTD, "serve", "--listen", "127.0.0.1:0", "--db", srv.db_url],
                       capture_output=True, text=True, env=env, timeout=30)
    assert p.returncode == 1, p.stderr
    assert "listening" not in p.stdout
    errors = [line for line in p.stderr.splitlines() if not line.startswith("{")]
    assert len(errors) == 1, p.stderr
    assert errors[0].startswith("grantd serve: ") and kid in errors[0]
    assert "master key" in errors[0]
    assert MASTER_A not in p.stderr and MASTER_B not in p.stderr

    # the right key still works
    again = make_server(env={"GRANTD_MASTER_KEY": MASTER_A})
    assert get_jwks(again)[0]["kid"] == kid


def test_in_memory_database_gets_a_key(make_server):
    srv = make_server(extra_args=("--db", "sqlite::memory:"))
    keys = get_jwks(srv)
    assert len(keys) == 1
    check_jwk(keys[0])
