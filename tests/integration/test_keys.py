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
import stat
import subprocess

import jwt
import requests
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import load_der_private_key

from conftest import GRANTD, ON_PG, create_client, db_bytes, run_cli, sqlite_only

RELOAD = 30
# a rotated key signs at once here (the default publishes it an hour ahead: see
# test_by_default_a_rotated_key_is_published_an_hour_ahead); the CLI must be given the same file
RELOAD_CONFIG = f"keys = {{ reload = {RELOAD}; publish_ahead = 0; }};\n"
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


def der_length(head):
    """The length of the DER element whose first 4 bytes are head, if it is a SEQUENCE."""
    if head[0] != 0x30:
        return None
    if head[1] < 0x80:
        return 2 + head[1]
    if head[1] == 0x81:
        return 3 + head[2]
    if head[1] == 0x82:
        return 4 + (head[2] << 8 | head[3])
    return None


def sealed_blob(data, master, kid):
    """The sealed private key of kid found in data (the database's bytes), whatever the
    schema or the driver: a seal is nonce (12) || AES-256-GCM ciphertext || tag (16), aad =
    kid, around a DER key. GCM encrypts with AES-CTR from the counter block nonce || 2, so
    one AES-ECB pass over the counter blocks of every offset gives the plaintext's first
    bytes there; where they start a DER SEQUENCE its length tells the seal's, and AES-GCM
    must then open it, tag and all."""
    n = len(data) - 12 - 16
    counters = b"".join(data[i:i + 12] + b"\0\0\0\2" for i in range(n))
    stream = Cipher(algorithms.AES(master), modes.ECB()).encryptor().update(counters)
    gcm = AESGCM(master)
    for i in range(n):
        length = der_length(bytes(s ^ c for s, c in zip(stream[16 * i:16 * i + 4],
                                                         data[i + 12:i + 16])))
        if length is None:
            continue
        blob = data[i:i + 12 + length + 16]
        try:
            gcm.decrypt(blob[:12], blob[12:], kid.encode())
            return blob
        except InvalidTag:
            continue
    raise AssertionError(f"no seal of kid {kid} opens under the master key")


def test_first_start_publishes_one_key_that_survives_restart(make_server, tmp_path):
    srv = make_server()
    keys = get_jwks(srv)
    assert len(keys) == 1
    check_jwk(keys[0])
    assert keys[0]["alg"] == "ES256"
    if not ON_PG:  # the default master key is SQLite's key file; PostgreSQL has none
        warning = srv.wait_event("master_key_default")
        assert warning and "GRANTD_MASTER_KEY" in warning["message"]
    assert srv.stop() == 0

    again = make_server()
    assert get_jwks(again) == keys
    assert [k["kid"] for k in key_list(again)] == [keys[0]["kid"]]


@sqlite_only("the key file beside the database file, and that file's bytes")
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
    blob = sealed_blob(data, master, kid)
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


def test_rotate_while_serving(make_server, clock):
    srv = make_server(config_text=RELOAD_CONFIG)
    old = get_jwks(srv)
    assert len(old) == 1
    old_kid = old[0]["kid"]
    rotated = json.loads(srv.cli("key", "rotate", "--json", "--config",
                                 str(srv.workdir / "grantd.conf")).stdout)
    new_kid = rotated["kid"]
    assert new_kid != old_kid and rotated["alg"] == "ES256" and rotated["state"] == "active"

    clock.advance(RELOAD + 1)
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


def jwt_kid(srv, c):
    r = requests.post(srv.url + "/token", data={"grant_type": "client_credentials"},
                      auth=(c["client_id"], c["client_secret"]), timeout=10)
    assert r.status_code == 200, r.text
    return jwt.get_unverified_header(r.json()["access_token"])["kid"]


def test_rotate_with_publish_ahead_and_rs256(make_server, clock):
    """Each alg is a chain of its own: RS256 keys (OpenID Connect ID tokens) rotate beside
    the ES256 key that signs access tokens (keys.alg), which no RS256 rotation supersedes."""
    srv = make_server(config_text=f"keys = {{ reload = {RELOAD}; publish_ahead = 600; }};\n")
    conf = str(srv.workdir / "grantd.conf")
    old_kid = get_jwks(srv)[0]["kid"]
    svc = create_client(srv, "--name", "svc", "--grant", "client_credentials",
                        "--access-token-format", "jwt")
    # the first RS256 key signs at once: no RS256 key signs now, so there is nothing to wait
    # for (publish_ahead is read by the CLI, so it gets the server's configuration file)
    first = json.loads(srv.cli("key", "rotate", "--alg", "RS256", "--json", "--config",
                               conf).stdout)
    assert first["alg"] == "RS256" and first["state"] == "active"
    assert first["active_from"] == first["created_at"]
    out = srv.cli("key", "rotate", "--alg", "RS256", "--config", conf).stdout
    assert "kid:" in out and "RS256" in out and "next" in out
    assert old_kid not in out  # the ES256 key is not "previous": it does not retire
    listed = key_list(srv)
    new = [k for k in listed if k["kid"] not in (old_kid, first["kid"])][0]
    assert new["alg"] == "RS256" and new["state"] == "next"
    assert new["active_from"] - new["created_at"] == 600
    states = {k["kid"]: (k["state"], k["retire_at"]) for k in listed}
    assert states[old_kid] == ("active", None)
    assert states[first["kid"]] == ("active", new["active_from"] + 3600)
    clock.advance(RELOAD + 1)
    keys = get_jwks(srv)
    assert len(keys) == 3, "a key published ahead must be in /jwks.json before it signs"
    for k in keys:
        check_jwk(k)
    rsa_jwk = [k for k in keys if k["kid"] == new["kid"]][0]
    assert isinstance(jwt.PyJWK(rsa_jwk).key, rsa.RSAPublicKey)
    assert rsa_jwk["alg"] == "RS256" and rsa_jwk["kty"] == "RSA" and rsa_jwk["use"] == "sig"
    # access tokens stay with keys.alg's chain (ES256) before and after the new RS256 key's
    # active_from, 600 s after the rotation
    assert jwt_kid(srv, svc) == old_kid
    clock.advance(600 - (RELOAD + 1) + 1)
    assert jwt_kid(srv, svc) == old_kid
    assert {k["kid"]: k["state"] for k in key_list(srv)} == {
        old_kid: "active", first["kid"]: "retiring", new["kid"]: "active"}
    # the RS256 key that signs now is retired only after a rotation of its own alg
    r = srv.cli("key", "retire", "--", new["kid"], check=False)
    assert r.returncode != 0 and "rotate --alg RS256" in r.stderr, r.stderr


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


def test_key_list_without_a_server(tmp_path, db_url):
    """The CLI works on a database no server has opened: rotate creates the first key."""
    db = db_url("cli")
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


def test_retired_keys_leave_the_jwks(make_server, tmp_path, clock):
    """With 300-second access tokens a replaced key retires 300 s after the rotation."""
    short = "lifetimes = { access_token = 300; };\n"
    conf = tmp_path / "short.conf"
    short += "keys = { publish_ahead = 0; };\n"
    conf.write_text(short)
    conf = str(conf)
    srv = make_server(config_text=short, defer_start=True)  # the CLI goes first
    first = json.loads(srv.cli("key", "rotate", "--json", "--config", conf).stdout)
    second = json.loads(srv.cli("key", "rotate", "--json", "--config", conf).stdout)
    assert second["active_from"] >= first["active_from"]
    assert {k["kid"]: k["state"] for k in key_list(srv)}[first["kid"]] == "retiring"
    clock.advance(301)
    listed = {k["kid"]: k for k in key_list(srv)}
    assert listed[first["kid"]]["state"] == "retired"
    assert listed[first["kid"]]["retire_at"] == second["active_from"] + 300
    assert listed[second["kid"]]["state"] == "active"
    srv.start()
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
