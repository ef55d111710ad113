"""libgrantd-verify against a real grantd in another process (issue item 5): the example
resource server (examples/verify_service.c, built as grantd-verify-example) reads tokens
on stdin and answers one line each, so a test can change the world between two requests
(rotate keys, move the test clock, stop the issuer) and read the library's counters.

What is checked: RFC 9068 JWTs verified with the published keys, the reasons and the
WWW-Authenticate values; opaque tokens by introspection with a bounded cache; key rotation
picked up with one JWKS fetch; a flood of unknown kids costing at most one fetch per
cooldown; the last good keys verifying while the issuer is down."""
import base64
import json
import os
import subprocess

import pytest
import requests

from conftest import create_client

EXAMPLE = os.environ.get("GRANTD_VERIFY_EXAMPLE")
RELOAD = 30
CONFIG = f"keys = {{ reload = {RELOAD}; publish_ahead = 0; }};\n"
COOLDOWN = 60

pytestmark = pytest.mark.skipif(not EXAMPLE, reason="GRANTD_VERIFY_EXAMPLE is not set (ctest)")


class Verifier:
    """One grantd-verify-example process; .ask(token) -> (status, reason, sub, www)."""

    def __init__(self, srv, *args):
        self.proc = subprocess.Popen(
            [EXAMPLE, srv.url, "--clock-file", os.environ["GRANTD_TEST_CLOCK"], *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def _line(self, text):
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, "grantd-verify-example exited"
        return line.rstrip("\n")

    def ask(self, token):
        status, reason, sub, www = self._line(token).split(" ", 3)
        return int(status), reason, sub[len("sub="):], www

    def parallel(self, k, token):
        """k threads verify token at once -> (how many ok, how many not)."""
        words = self._line(f"parallel {k} {token}").split()
        assert words[0] == "parallel", words
        return tuple(int(w.split("=")[1]) for w in words[1:])

    def stats(self):
        words = self._line("stats").split()
        return {k: int(v) for k, v in (w.split("=") for w in words[1:])}

    def close(self):
        self.proc.stdin.close()
        assert self.proc.wait(timeout=10) == 0


@pytest.fixture
def verifiers():
    made = []

    def factory(srv, *args):
        made.append(Verifier(srv, *args))
        return made[-1]

    yield factory
    for v in made:
        v.close()


def token(srv, c, scope=None):
    data = {"grant_type": "client_credentials"}
    if scope:
        data["scope"] = scope
    r = requests.post(srv.url + "/token", data=data, auth=(c["client_id"], c["client_secret"]),
                      timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def with_kid(jwt_text, kid):
    """The token with its header's kid replaced (its signature no longer holds)."""
    head, rest = jwt_text.split(".", 1)
    h = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    h["kid"] = kid
    return b64url(json.dumps(h, separators=(",", ":")).encode()) + "." + rest


def jwt_client(srv):
    return create_client(srv, "--name", "svc", "--grant", "client_credentials",
                         "--scope", "orders stock", "--access-token-format", "jwt")


def test_jwt_reasons_and_www_authenticate(make_server, verifiers, clock):
    srv = make_server(config_text=CONFIG)
    c = jwt_client(srv)
    t = token(srv, c, "orders")
    v = verifiers(srv, "--scope", "orders")
    assert v.ask(t) == (200, "ok", c["client_id"], "-")
    assert v.ask("Bearer " + t)[:2] == (200, "ok")
    realm = f'Bearer realm="{srv.url}"'
    assert v.ask("") == (401, "missing", "-", realm)
    assert v.ask("a.b.c") == (401, "invalid", "-", realm + ', error="invalid_token"')
    assert v.ask(t[:-4] + ("AAAA" if not t.endswith("AAAA") else "BBBB"))[1] == "invalid"
    strict = verifiers(srv, "--scope", "orders stock")
    assert strict.ask(t) == (403, "insufficient_scope", c["client_id"],
                             realm + ', error="insufficient_scope", scope="orders stock"')
    other_aud = verifiers(srv, "--audience", "https://elsewhere.example")
    assert other_aud.ask(t)[1] == "invalid"
    clock.advance(3600 + 1)
    assert v.ask(t) == (401, "expired", "-", realm + ', error="invalid_token"')
    assert v.stats()["fetches"] == 1


def test_rotation_and_flood_of_unknown_kids(make_server, verifiers, clock):
    srv = make_server(config_text=CONFIG)
    c = jwt_client(srv)
    old = token(srv, c)
    v = verifiers(srv, "--cooldown", str(COOLDOWN))
    assert v.ask(old)[:2] == (200, "ok")
    assert v.stats()["fetches"] == 1

    srv.cli("key", "rotate", "--config", str(srv.workdir / "grantd.conf"))
    clock.advance(RELOAD + 1)  # the server re-reads its keys on its next request
    new = token(srv, c)
    assert new.split(".")[0] != old.split(".")[0], "the new key must sign"
    # the new kid is unknown to the verifier: one fetch, the first one being a cooldown ago
    clock.advance(COOLDOWN - RELOAD - 1)
    assert v.ask(new)[:2] == (200, "ok")
    assert v.ask(old)[:2] == (200, "ok")
    assert v.stats()["fetches"] == 2 and v.stats()["keys"] == 2

    for i in range(50):
        assert v.ask(with_kid(new, f"made-up-{i}"))[1] == "invalid"
    assert v.stats()["fetches"] == 2, "unknown kids within the cooldown must not fetch"
    clock.advance(COOLDOWN + 1)
    for i in range(50):
        assert v.ask(with_kid(new, f"made-up-again-{i}"))[1] == "invalid"
    assert v.stats()["fetches"] == 3, "one fetch per cooldown, whatever the flood"


def test_concurrent_callers_share_one_fetch(make_server, verifiers, clock):
    """32 threads meet a rotated key at once: one JWKS fetch, and every one of them verifies
    with the keys it brought; then 32 threads with an unknown kid after the cooldown."""
    srv = make_server(config_text=CONFIG)
    c = jwt_client(srv)
    v = verifiers(srv, "--cooldown", str(COOLDOWN))
    old = token(srv, c)
    assert v.ask(old)[:2] == (200, "ok")
    srv.cli("key", "rotate", "--config", str(srv.workdir / "grantd.conf"))
    clock.advance(COOLDOWN + 1)
    new = token(srv, c)
    assert new.split(".")[0] != old.split(".")[0], "the new key must sign"
    assert v.parallel(32, new) == (32, 0)
    assert v.stats()["fetches"] == 2
    clock.advance(COOLDOWN + 1)
    assert v.parallel(32, with_kid(new, "made-up")) == (0, 32)
    assert v.stats()["fetches"] == 3


def test_issuer_down_keeps_last_good_keys(make_server, verifiers, clock):
    srv = make_server(config_text=CONFIG)
    c = jwt_client(srv)
    t = token(srv, c)
    v = verifiers(srv, "--cooldown", str(COOLDOWN))
    assert v.ask(t)[:2] == (200, "ok")
    assert srv.stop() == 0
    clock.advance(COOLDOWN + 1)
    assert v.ask(with_kid(t, "unknown"))[1] == "invalid"  # a fetch, which fails
    s = v.stats()
    assert s["fetches"] == 2 and s["failures"] == 1 and s["keys"] == 1
    assert v.ask(t)[:2] == (200, "ok")


def test_opaque_tokens_by_introspection_with_a_bounded_cache(make_server, verifiers, clock):
    srv = make_server()
    svc = create_client(srv, "--name", "svc", "--grant", "client_credentials",
                        "--scope", "orders")
    obs = create_client(srv, "--name", "observer", "--grant", "client_credentials",
                        "--introspect-any")
    a, b = token(srv, svc), token(srv, svc)
    creds = ("--client", obs["client_id"], obs["client_secret"])
    assert verifiers(srv).ask(a)[1] == "invalid", "no credentials: opaque tokens are invalid"

    v = verifiers(srv, *creds, "--scope", "orders")
    assert v.ask(a) == (200, "ok", svc["client_id"], "-")
    assert v.ask(b)[:2] == (200, "ok")
    assert v.ask(a)[:2] == (200, "ok")
    s = v.stats()
    assert s["introspections"] == 2 and s["hits"] == 1
    assert v.ask("no-such-token")[1] == "invalid"
    assert v.ask("no-such-token")[1] == "invalid"
    assert v.stats()["introspections"] == 3, "a negative answer is cached too"
    clock.advance(11)  # past the negative TTL (10 s default)
    assert v.ask("no-such-token")[1] == "invalid"
    assert v.stats()["introspections"] == 4

    one = verifiers(srv, *creds, "--cache", "1")  # a single slot: b evicts a
    for t in (a, b, a):
        assert one.ask(t)[:2] == (200, "ok")
    assert one.stats()["introspections"] == 3
