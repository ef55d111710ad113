"""The revocation feed (issue item 7): GET /v1/revocations?after=CURSOR[&wait=SECONDS] on the
admin listener.

Every revocation appends an event in its own transaction (the store's revocation_events):
/revoke of an access token (a token event named by token_hash, the hex of the first 24 bytes
of the SHA-256 of the token's text; of the jti for a self-contained JWT), /revoke of a
refresh token and refresh-token reuse (a family event), `grantd client disable` (a client
event, and a family event per family it had), `grantd user disable` (a user event), `grantd
key rotate` and `grantd key retire` (a key event). The answer is {"events": [...], "cursor": N};
N is what to ask after next time. A long-poll (wait) answers when an event arrives; a cursor
below the purged events is answered 410. libgrantd-verify follows the feed and refuses each
kind of revoked token within a second."""
import base64
import hashlib
import json
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import create_client
from test_check import admin_server, cc_client, cc_token, check
from test_introspect_revoke import revoke
from flow import userinfo
from test_tokens import grant, introspect_json, refresh, start
from test_verify_lib import verifiers  # noqa: F401 (a fixture)


def feed(srv, after=0, **headers):
    r = requests.get(srv.admin_url + "/v1/revocations", params={"after": after},
                     headers=headers, timeout=10)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    cursors = [e["cursor"] for e in body["events"]]
    assert cursors == sorted(cursors) and all(c > after for c in cursors)
    assert body["cursor"] == (cursors[-1] if cursors else after)
    return body


def token_hash(text):
    return hashlib.sha256(text.encode()).digest()[:24].hex()


def jti(jwt):
    claims = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))["jti"]


def test_the_feed_is_on_the_admin_listener_only(make_server):
    srv = admin_server(make_server)
    assert requests.get(srv.url + "/v1/revocations", timeout=10).status_code == 404
    assert feed(srv) == {"events": [], "cursor": 0}
    for bad in ("-1", "x", "1.5", "99999999999999999999999"):
        r = requests.get(srv.admin_url + "/v1/revocations", params={"after": bad}, timeout=10)
        assert r.status_code == 400, (bad, r.text)


def test_revoked_tokens_and_families(make_server):
    srv = admin_server(make_server)
    client = start(srv)
    one, two = grant(srv, client), grant(srv, client)
    cursor = feed(srv)["cursor"]
    assert revoke(srv, client, one["access_token"]).status_code == 200
    body = feed(srv, cursor)
    assert [(e["kind"], e["token_hash"]) for e in body["events"]] == [
        ("token", token_hash(one["access_token"]))]
    cursor = body["cursor"]
    assert revoke(srv, client, one["access_token"]).status_code == 200  # again: not news
    assert feed(srv, cursor)["events"] == []
    # a reused refresh token revokes its family (two's refresh token, rotated, comes back)
    r = refresh(srv, client, two["refresh_token"])
    assert r.status_code == 200
    fresh = r.json()
    assert refresh(srv, client, two["refresh_token"]).status_code == 400
    events = feed(srv, cursor)["events"]
    assert [e["kind"] for e in events] == ["family", "token", "token"] and events[0]["family"]
    assert events[0]["at"] > 0
    # the family's live access tokens are named too: verifiers know no family
    assert {e["token_hash"] for e in events[1:]} == {
        token_hash(two["access_token"]), token_hash(fresh["access_token"])}


def test_a_revoked_self_contained_jwt(make_server):
    srv = admin_server(make_server)
    client = cc_client(srv, "--access-token-format", "jwt")
    token = cc_token(srv, client)
    cursor = feed(srv)["cursor"]
    assert revoke(srv, client, token).status_code == 200
    events = feed(srv, cursor)["events"]
    assert [(e["kind"], e["token_hash"]) for e in events] == [("token", token_hash(jti(token)))]


def test_disabled_clients_and_users(make_server):
    srv = admin_server(make_server)
    client = start(srv)
    grant(srv, client)
    cursor = feed(srv)["cursor"]
    srv.cli("user", "disable", "alice")
    events = feed(srv, cursor)["events"]
    assert [e["kind"] for e in events] == ["user"] and events[0]["sub"]
    cursor = events[-1]["cursor"]
    srv.cli("client", "disable", client["client_id"])
    events = feed(srv, cursor)["events"]
    assert [e["kind"] for e in events] == ["client", "family", "token"]
    assert events[0]["client_id"] == client["client_id"]


def test_check_sees_a_revocation_at_once(make_server):
    srv = admin_server(make_server)
    token = cc_token(srv, cc_client(srv))
    client = cc_client(srv)
    other = cc_token(srv, client)
    assert check(srv, other).status_code == 200  # now in the token cache
    assert revoke(srv, client, other).status_code == 200
    assert check(srv, other).status_code == 401
    assert check(srv, token).status_code == 200
    events = feed(srv)["events"]
    assert [e["token_hash"] for e in events] == [token_hash(other)]


# ---- keys: `grantd key retire KID` ------------------------------------------------------------

NO_AHEAD = "keys = { publish_ahead = 0; };\n"  # a rotated key signs at once


def kid_of(jwt_text):
    header = jwt_text.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"]


def key_cli(srv, *args, check=True):
    """`grantd key ARGS --config ...` (the options before a `--` in ARGS)."""
    args = list(args)
    end = args.index("--") if "--" in args else len(args)
    return srv.cli("key", *args[:end], "--config", str(srv.workdir / "grantd.conf"),
                   *args[end:], check=check)


def jwks_kids(srv):
    return {k["kid"] for k in requests.get(srv.url + "/jwks.json", timeout=10).json()["keys"]}


def token_by(srv, cc, kid):
    """A token of cc signed by kid, once the server has picked the rotation up (`key rotate`
    returns before that; the server's change watcher sees it within a poll)."""
    deadline = time.monotonic() + 5.0
    while True:
        token = cc_token(srv, cc)
        if kid_of(token) == kid:
            return token
        assert time.monotonic() < deadline, "the rotation was not picked up"
        time.sleep(0.05)


def test_a_retired_key_is_an_event_and_refused_at_once(make_server, clock):
    srv = admin_server(make_server, config_text=NO_AHEAD)
    client = start(srv, "--access-token-format", "jwt")
    user_token = grant(srv, client)["access_token"]
    cc = cc_client(srv, "--access-token-format", "jwt")
    old_token = cc_token(srv, cc)
    old = kid_of(old_token)
    assert kid_of(user_token) == old and check(srv, old_token).status_code == 200
    # the key that signs now is not retired: that would leave the issuer without one
    r = key_cli(srv, "retire", "--", old, check=False)
    assert r.returncode != 0 and "signs now" in r.stderr and "rotate" in r.stderr
    r = key_cli(srv, "retire", "no-such-kid", check=False)
    assert r.returncode != 0 and "no key" in r.stderr
    # a KID is a thumbprint and may start with '-': after -- it is a KID, before it an option
    r = key_cli(srv, "retire", "--", "-no-such-kid", check=False)
    assert r.returncode != 0 and "no key" in r.stderr
    r = key_cli(srv, "retire", "-no-such-kid", check=False)
    assert r.returncode == 2 and "goes after --" in r.stderr
    cursor = feed(srv)["cursor"]
    # a rotation schedules the old key's retirement: an event with its future time
    rotated = json.loads(key_cli(srv, "rotate", "--json").stdout)
    events = feed(srv, cursor)["events"]
    assert [(e["kind"], e["kid"]) for e in events] == [("key", old)]
    assert events[0]["at"] == rotated["active_from"] + 3600
    new_token = token_by(srv, cc, rotated["kid"])
    assert check(srv, old_token).status_code == 200  # retiring: its tokens still pass
    # retired now (it leaked): a second event, at now, and refused everywhere at once
    cursor = events[-1]["cursor"]
    out = key_cli(srv, "retire", "--", old).stdout
    assert "retired" in out
    events = feed(srv, cursor)["events"]
    assert [(e["kind"], e["kid"]) for e in events] == [("key", old)]
    assert abs(events[0]["at"] - (time.time() + clock.offset_us / 1e6)) < 5
    assert check(srv, old_token).status_code == 401
    assert check(srv, user_token).status_code == 401
    assert introspect_json(srv, cc, old_token) == {"active": False}
    assert userinfo(srv, user_token).status_code == 401
    assert jwks_kids(srv) == {rotated["kid"]}  # no longer published
    assert check(srv, new_token).status_code == 200
    assert userinfo(srv, grant(srv, client)["access_token"]).status_code == 200
    # again: retired already, nothing new
    assert "already" in key_cli(srv, "retire", "--", old).stdout
    assert feed(srv, events[-1]["cursor"])["events"] == []


# ---- purging: revocation_feed_retention, 410 cursor_expired -----------------------------------

RETENTION = 10


def feed_gone(srv, after, wait=0):
    r = requests.get(srv.admin_url + "/v1/revocations", params={"after": after, "wait": wait},
                     timeout=10)
    assert r.status_code == 410, r.text
    body = r.json()
    assert body["error"] == "cursor_expired"
    return body["cursor"]


def test_purged_events_answer_410_with_where_to_go_on(make_server, clock):
    srv = admin_server(make_server, config_text=f"revocation_feed_retention = {RETENTION};\n")
    client = start(srv)
    token = grant(srv, client)["access_token"]
    assert revoke(srv, client, token).status_code == 200
    old = feed(srv)["events"]
    assert [e["kind"] for e in old] == ["token"]
    clock.advance(RETENTION + 1)
    srv.cli("user", "disable", "alice")
    # the janitor purges at start (then every minute): the revocation is past its retention
    srv.stop()
    srv.start()
    assert srv.wait_event("feed_purged")["events"] == 1
    cursor = feed_gone(srv, 0)
    assert cursor == old[-1]["cursor"]
    assert feed_gone(srv, 0, wait=30) == cursor  # a long-poll is not kept waiting for it
    assert feed_gone(srv, cursor - 1) == cursor
    events = feed(srv, cursor)["events"]
    assert [e["kind"] for e in events] == ["user"]  # newer than the retention: kept
    assert events[0]["cursor"] > cursor


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_library_drops_its_cached_verdicts_on_410(make_server, verifiers, clock):
    """Fixed ports, so that the library follows the same server across a restart (it
    reconnects with backoff meanwhile)."""
    srv = make_server(config_text=f"revocation_feed_retention = {RETENTION};\n",
                      extra_args=("--listen", f"127.0.0.1:{free_port()}",
                                  "--admin-listen", f"127.0.0.1:{free_port()}"))
    svc = cc_client(srv)
    obs = create_client(srv, "--name", "observer", "--grant", "client_credentials",
                        "--introspect-any")
    v = verifiers(srv, "--client", obs["client_id"], obs["client_secret"],
                  "--revocation-feed", srv.admin_url + "/v1/revocations")
    token, dead = cc_token(srv, svc), cc_token(srv, svc)
    assert v.ask(token)[1] == "ok" and v.ask(token)[1] == "ok" and v.ask(dead)[1] == "ok"
    assert v.stats()["introspections"] == 2  # the second answer came from its cache
    assert revoke(srv, svc, dead).status_code == 200
    refused_within_a_second(v, dead)
    srv.stop()  # while it is down, events the library will never read
    srv.cli("client", "disable", cc_client(srv)["client_id"])
    clock.advance(RETENTION + 1)
    srv.cli("client", "disable", cc_client(srv)["client_id"])
    srv.start()  # purges what is past the retention: the library's cursor is now expired
    assert srv.wait_event("feed_purged")["events"] >= 2
    # its backoff while the server was down: at most 5 s (the rest is room for a busy box)
    deadline = time.monotonic() + 15
    while v.stats()["introspections"] == 2:
        assert v.ask(token)[1] == "ok"
        assert time.monotonic() < deadline, "the library kept its cached verdicts after a 410"
        time.sleep(0.05)
    assert v.ask(dead)[0] == 401  # asked again: the server says it is no longer active
    assert v.ask(token)[1] == "ok"


# ---- long-poll: wait=SECONDS -----------------------------------------------------------------

def long_poll(srv, after, wait, timeout=40):
    """GET the feed with wait; -> (body, seconds it took)."""
    began = time.monotonic()
    r = requests.get(srv.admin_url + "/v1/revocations", params={"after": after, "wait": wait},
                     timeout=timeout)
    assert r.status_code == 200, r.text
    return r.json(), time.monotonic() - began


def in_background(fn, *args):
    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(fn, *args)
    pool.shutdown(wait=False)
    return future


def test_a_long_poll_answers_when_an_event_arrives(make_server):
    srv = admin_server(make_server)
    client = start(srv)
    token = grant(srv, client)["access_token"]
    cursor = feed(srv)["cursor"]
    # nothing new: the answer waits, then comes empty when the wait ends
    body, took = long_poll(srv, cursor, 1)
    assert body == {"events": [], "cursor": cursor} and 0.9 <= took < 5
    # events already there: no waiting
    waiting = in_background(long_poll, srv, cursor, 30)
    time.sleep(0.3)  # let it wait (the revocation below must come while it does)
    assert not waiting.done()
    assert revoke(srv, client, token).status_code == 200  # a write of the server itself
    body, took = waiting.result(timeout=5)
    assert [e["token_hash"] for e in body["events"]] == [token_hash(token)]
    assert took < 1.5, "the long-poll did not answer when the event arrived"
    # a write of another process (the CLI), seen through the change watcher
    cursor = body["cursor"]
    waiting = in_background(long_poll, srv, cursor, 30)
    time.sleep(0.3)
    srv.cli("user", "disable", "alice")
    body, took = waiting.result(timeout=5)
    assert [e["kind"] for e in body["events"]] == ["user"] and took < 1.5
    body, took = long_poll(srv, 0, 30)  # events after the cursor: at once
    assert len(body["events"]) == 2 and took < 0.5


def test_a_wait_is_whole_seconds_and_capped(make_server):
    srv = admin_server(make_server)
    for bad in ("-1", "x", "1.5", ""):
        r = requests.get(srv.admin_url + "/v1/revocations", params={"wait": bad}, timeout=10)
        assert r.status_code == (200 if bad == "" else 400), (bad, r.text)
    # a wait over the cap (30 s) is cut to it, not refused: ended here by an event
    client = cc_client(srv)
    waiting = in_background(long_poll, srv, 0, 3600)
    time.sleep(0.3)
    srv.cli("client", "disable", client["client_id"])
    body, took = waiting.result(timeout=5)
    assert [e["kind"] for e in body["events"]] == ["client"]


def test_fifty_long_polls_leave_check_answering(make_server):
    srv = admin_server(make_server)
    token = cc_token(srv, cc_client(srv))
    other = cc_client(srv)
    cursor = feed(srv)["cursor"]
    pool = ThreadPoolExecutor(max_workers=50)
    polls = [pool.submit(long_poll, srv, cursor, 30) for _ in range(50)]
    time.sleep(0.5)
    assert not any(p.done() for p in polls)
    for _ in range(5):  # /check, the feed itself and health answer at once beside them
        began = time.monotonic()
        assert check(srv, token).status_code == 200
        assert feed(srv, 0)["cursor"] == cursor
        assert time.monotonic() - began < 0.5, "a long-poll held up /check"
    srv.cli("client", "disable", other["client_id"])  # one event ends them all
    for p in polls:
        body, took = p.result(timeout=5)
        assert [e["kind"] for e in body["events"]] == ["client"] and took < 3
    pool.shutdown()


def test_sigterm_ends_waiting_long_polls(make_server):
    srv = admin_server(make_server)
    cursor = feed(srv)["cursor"]
    pool = ThreadPoolExecutor(max_workers=10)
    polls = [pool.submit(long_poll, srv, cursor, 30) for _ in range(10)]
    time.sleep(0.5)
    began = time.monotonic()
    assert srv.stop() == 0
    assert time.monotonic() - began < 3, "the server waited out its long-polls"
    for p in polls:  # answered (empty) before the listener closed
        body, _ = p.result(timeout=5)
        assert body == {"events": [], "cursor": cursor}
    pool.shutdown()


# ---- libgrantd-verify follows the feed -------------------------------------------------------

def refused_within_a_second(verifier, token):
    """Asks the library until it answers revoked; fails if that takes over a second."""
    deadline = time.monotonic() + 1.0
    while True:
        status, reason, _, _ = verifier.ask(token)
        if reason == "revoked":
            assert status == 401
            return
        assert reason == "ok", reason
        assert time.monotonic() < deadline, "still accepted a second after the revocation"
        time.sleep(0.05)


@pytest.fixture
def following(make_server, verifiers):
    """An issuer with an admin listener and a library process following its feed."""
    srv = admin_server(make_server)

    def verifier():
        return verifiers(srv, "--revocation-feed", srv.admin_url + "/v1/revocations")
    return srv, verifier


def test_the_library_refuses_revoked_jwts_within_a_second(following):
    srv, verifier = following
    v = verifier()
    client = start(srv, "--access-token-format", "jwt")
    one, two, three = grant(srv, client), grant(srv, client), grant(srv, client)
    cc = cc_client(srv, "--access-token-format", "jwt")
    self_contained = cc_token(srv, cc)
    for t in (one["access_token"], two["access_token"], three["access_token"], self_contained):
        assert v.ask(t)[1] == "ok"  # and now in the library's JWT cache
    assert revoke(srv, client, one["access_token"]).status_code == 200
    refused_within_a_second(v, one["access_token"])
    assert revoke(srv, cc, self_contained).status_code == 200
    refused_within_a_second(v, self_contained)
    # refresh-token reuse revokes the family, and so its JWT access token
    assert refresh(srv, client, two["refresh_token"]).status_code == 200
    assert refresh(srv, client, two["refresh_token"]).status_code == 400
    refused_within_a_second(v, two["access_token"])
    assert v.ask(three["access_token"])[1] == "ok"  # another family: alive


def test_the_library_refuses_tokens_of_a_disabled_client_or_user(following, clock):
    srv, verifier = following
    v = verifier()
    client = start(srv, "--access-token-format", "jwt")
    user_token = grant(srv, client)["access_token"]
    cc = cc_client(srv, "--access-token-format", "jwt")
    client_token = cc_token(srv, cc)
    assert v.ask(user_token)[1] == "ok" and v.ask(client_token)[1] == "ok"
    srv.cli("user", "disable", "alice")
    refused_within_a_second(v, user_token)
    srv.cli("client", "disable", cc["client_id"])
    refused_within_a_second(v, client_token)
    # a library started later learns the past from cursor 0
    late = verifier()
    deadline = time.monotonic() + 1.0
    while late.ask(client_token)[1] != "revoked":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    # a client enabled again: its tokens issued after the disable (a later second) pass
    clock.advance(2)
    enabled = json.loads(srv.cli("client", "enable", cc["client_id"], "--json").stdout)
    cc["client_secret"] = enabled["client_secret"]
    fresh = cc_token(srv, cc)
    assert late.ask(fresh)[1] == "ok" and v.ask(fresh)[1] == "ok"
    assert v.ask(client_token)[1] == "revoked"


def test_the_library_refuses_jwts_of_a_retired_key_within_a_second(make_server, verifiers,
                                                                   clock):
    srv = admin_server(make_server, config_text=NO_AHEAD)
    v = verifiers(srv, "--revocation-feed", srv.admin_url + "/v1/revocations")
    cc = cc_client(srv, "--access-token-format", "jwt")
    old_token = cc_token(srv, cc)
    assert v.ask(old_token)[1] == "ok"  # its key fetched, its verdict cached
    rotated = json.loads(key_cli(srv, "rotate", "--json").stdout)
    new_token = token_by(srv, cc, rotated["kid"])
    clock.advance(61)  # past the library's JWKS cooldown, so the new kid is fetched
    assert v.ask(new_token)[1] == "ok"  # the new kid: a JWKS fetch that still has the old key
    assert v.ask(old_token)[1] == "ok"  # retiring (its event lies ahead): still good
    key_cli(srv, "retire", "--", kid_of(old_token))
    refused_within_a_second(v, old_token)
    assert v.ask(new_token)[1] == "ok" and kid_of(new_token) == rotated["kid"]
    # a verifier started now never sees the key: not published, and the feed names it
    late = verifiers(srv, "--revocation-feed", srv.admin_url + "/v1/revocations")
    deadline = time.monotonic() + 1.0
    while late.ask(old_token)[1] == "ok":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert late.ask(old_token)[1] in ("revoked", "invalid")


def test_freeing_a_following_verifier_ends_its_long_poll_at_once(make_server, verifiers):
    srv = admin_server(make_server)
    v = verifiers(srv, "--revocation-feed", srv.admin_url + "/v1/revocations")
    assert v.ask("not-a-token")[1] == "invalid"
    time.sleep(0.5)  # its long-poll (20 s) is waiting at the server now
    began = time.monotonic()
    v.close()
    assert time.monotonic() - began < 0.25, "the verifier waited out its long-poll"
