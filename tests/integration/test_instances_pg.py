"""Two grantd instances on one PostgreSQL database (issue 15): real `grantd serve`
processes A and B, as two hosts behind one load balancer would run, and what a client
must not be able to tell: which instance answered. A code minted by A redeems on B; one
code redeemed 64 times at once over both gives exactly one token answer (and the replay
revokes it); 20 parallel refreshes of one token over both rotate it once (or, inside the
grace window, all get the same answer); a revocation, a client's disabling and a key
rotation made through A are seen by B within a bound; a tenant created through A is
served by both without a restart; `kill -9` of A under load leaves B serving and every
token A answered 200 valid. Then the database's own faults: PostgreSQL
stopped and started under load gives 503 with Retry-After (never 500) and an unready
/health/ready meanwhile, and service resumes by itself with no answered token lost.

Runs in every run of the suite: on a PostgreSQL run (GRANTD_TEST_DB=postgres) in the
session's cluster, otherwise in a private cluster of its own (pg_cluster.py), so `make
check` always runs it; a machine that cannot make a cluster fails it, with the reason.

Not here: one instance's behaviour on PostgreSQL (the whole suite with
GRANTD_TEST_DB=postgres), the driver's own guarantees (the pg/* conformance suites)."""
import concurrent.futures
import json
import os
import signal
import threading
import time
from types import SimpleNamespace

import pytest
import requests

import conftest
import pg_cluster
from conftest import PG_MASTER_KEY, create_client
from flow import Agent, authorize_url, exchange, make_client, make_user, pkce_pair, \
    redirect_params, userinfo
from test_admin_api import Api, admin_key
from test_tokens import INACTIVE, client_credentials, introspect, refresh

CB = "http://127.0.0.1:9/cb"
ADMIN = ("--admin-listen", "127.0.0.1:0")
PROPAGATION = 0.1  # seconds: a change made through A is seen by B within this


@pytest.fixture(scope="module")
def cluster():
    if conftest._cluster is not None:
        yield conftest._cluster
        return
    why = pg_cluster.available()
    if why:
        pytest.fail(f"two instances on PostgreSQL need a private cluster: {why}")
    c = pg_cluster.start_cluster()
    try:
        yield c
    finally:
        c.stop()


@pytest.fixture
def pair(cluster, make_server, tmp_path, monkeypatch):
    """pair(config_text=None) -> (A, B): two servers on one fresh database (A migrates it,
    B starts on it), both with an admin listener, every CLI command of the test on it."""
    monkeypatch.setenv("GRANTD_MASTER_KEY", PG_MASTER_KEY)
    url = cluster.url(cluster.new_database("pair"))

    def factory(config_text=None):
        servers = []
        for name in ("a", "b"):
            (tmp_path / name).mkdir()
            srv = make_server(config_text, ADMIN, workdir=tmp_path / name, defer_start=True)
            srv.db_url = url
            servers.append(srv.start())
        return servers

    return factory


def cluster_db(srv):
    return conftest.pg_database_of(srv.db_url)


def code_on(srv, client):
    """An authorization code minted by srv (login and consent on srv) and its verifier."""
    verifier, challenge = pkce_pair()
    params = {"response_type": "code", "client_id": client["client_id"], "redirect_uri": CB,
              "code_challenge": challenge, "code_challenge_method": "S256"}
    q = redirect_params(Agent(srv).authorize(authorize_url(srv, **params)))
    return q["code"], verifier


def active_on(srv, caller, token):
    r = introspect(srv, caller, token)
    assert r.status_code == 200, r.text
    return r.json().get("active") is True


def within(seconds, predicate, step=0.005):
    """Whether predicate() holds within seconds (polled; never a fixed sleep)."""
    deadline = time.monotonic() + seconds
    while True:
        if predicate():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(step)


def alternate(servers, n, call):
    """call(server, i) for i in 0..n-1 at once, i on servers[i % len(servers)]."""
    with concurrent.futures.ThreadPoolExecutor(n) as pool:
        return list(pool.map(lambda i: call(servers[i % len(servers)], i), range(n)))


# ---- one database, two instances ------------------------------------------------------------

def test_a_code_minted_by_a_is_redeemed_on_b(pair):
    a, b = pair()
    make_user(a)
    client = make_client(a)
    code, verifier = code_on(a, client)
    r = exchange(b, client, code, CB, verifier)
    assert r.status_code == 200, r.text
    token = r.json()["access_token"]
    assert userinfo(a, token).status_code == 200 and userinfo(b, token).status_code == 200
    # and it was redeemed once for both
    again = exchange(a, client, code, CB, verifier)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_64_parallel_redemptions_over_both_one_wins_then_it_is_revoked(pair):
    a, b = pair()
    make_user(a)
    client = make_client(a)
    code, verifier = code_on(a, client)
    answers = alternate([a, b], 64, lambda srv, _: exchange(srv, client, code, CB, verifier))
    ok = [r for r in answers if r.status_code == 200]
    assert len(ok) == 1, [(r.status_code, r.text[:80]) for r in answers]
    assert all(r.status_code == 400 and r.json()["error"] == "invalid_grant"
               for r in answers if r.status_code != 200)
    token = ok[0].json()["access_token"]
    # the replays revoked what the winner was given, on both instances
    assert within(1, lambda: userinfo(a, token).status_code == 401
                  and userinfo(b, token).status_code == 401)
    rt = ok[0].json().get("refresh_token")
    if rt:
        r = refresh(b, client, rt)
        assert r.status_code == 400 and r.json()["error"] == "invalid_grant", r.text


def _grant(a, client):
    code, verifier = code_on(a, client)
    r = exchange(a, client, code, CB, verifier)
    assert r.status_code == 200, r.text
    return r.json()


def test_20_parallel_refreshes_over_both_rotate_once(pair):
    a, b = pair()
    make_user(a)
    client = make_client(a)
    rt = _grant(a, client)["refresh_token"]
    answers = alternate([a, b], 20, lambda srv, _: refresh(srv, client, rt))
    ok = [r for r in answers if r.status_code == 200]
    assert len(ok) == 1, [(r.status_code, r.text[:80]) for r in answers]
    assert all(r.status_code == 400 and r.json()["error"] == "invalid_grant"
               for r in answers if r.status_code != 200)
    # the losers were reuse of a rotated token: the family, winner included, is revoked
    winner = ok[0].json()
    for srv in (a, b):
        assert introspect(srv, client, winner["access_token"]).json() == INACTIVE


def test_20_parallel_refreshes_over_both_in_the_grace_window_answer_alike(pair):
    a, b = pair("lifetimes = { refresh_grace = 30; };\n")
    make_user(a)
    client = make_client(a)
    rt = _grant(a, client)["refresh_token"]
    answers = alternate([a, b], 20, lambda srv, _: refresh(srv, client, rt))
    assert all(r.status_code == 200 for r in answers), \
        [(r.status_code, r.text[:80]) for r in answers if r.status_code != 200]
    pairs = {(r.json()["access_token"], r.json()["refresh_token"]) for r in answers}
    assert len(pairs) == 1, pairs
    at, new_rt = pairs.pop()
    assert active_on(a, client, at) and active_on(b, client, at)
    assert refresh(b, client, new_rt).status_code == 200


def test_a_revocation_on_a_is_seen_by_b_within_100_ms(pair):
    a, b = pair()
    make_user(a)
    client = make_client(a)
    body = _grant(a, client)
    token = body["access_token"]
    # B has the token in its caches
    assert active_on(b, client, token) and userinfo(b, token).status_code == 200
    data = {"token": body["refresh_token"]}
    r = requests.post(a.url + "/revoke", data=data, auth=(client["client_id"],
                      client["client_secret"]), timeout=10)
    assert r.status_code == 200
    assert within(PROPAGATION, lambda: not active_on(b, client, token)), \
        "B still finds the revoked family's access token active"
    assert userinfo(b, token).status_code == 401


def test_a_client_disabled_through_a_is_refused_by_b_within_100_ms(pair):
    a, b = pair()
    api = Api(a, admin_key(a)["key"])
    client = create_client(a, "--name", "Backend", "--grant", "client_credentials")
    assert client_credentials(b, client).status_code == 200  # B caches the client
    api.ok("POST", f"/v1/tenants/default/clients/{client['client_id']}/disable")
    assert within(PROPAGATION, lambda: client_credentials(b, client).status_code == 401), \
        "B still issues tokens to the disabled client"


def jwks_kids(srv):
    r = requests.get(srv.url + "/jwks.json", timeout=10)
    assert r.status_code == 200
    return {k["kid"] for k in r.json()["keys"]}


def test_a_key_rotated_through_a_is_published_by_b(pair):
    a, b = pair("keys = { publish_ahead = 0; };\n")
    api = Api(a, admin_key(a)["key"])
    before = jwks_kids(b)
    new = api.ok("POST", "/v1/tenants/default/keys/rotate", {}, status=201)
    assert new["kid"] not in before
    # the keyring reloads when the store's generation moves (at most every 40 ms)
    assert within(1, lambda: new["kid"] in jwks_kids(b)), \
        f"B does not publish {new['kid']}: {jwks_kids(b)}"
    assert new["kid"] in jwks_kids(a)


def test_a_tenant_created_through_a_is_served_by_both(pair):
    a, b = pair()
    a.cli("tenant", "create", "shop3", "--issuer", "/shop3")
    # A follows its own write at once, B through its watcher; both by the time the CLI
    # returns (it waits GRANTD_STORE_CHANGE_BOUND_MS), bounded here at 2 s
    for srv in (a, b):
        assert within(2, lambda: requests.get(
            srv.url + "/shop3/.well-known/oauth-authorization-server", timeout=10)
            .status_code == 200), f"{srv.url} does not serve the new tenant"
        meta = requests.get(srv.url + "/shop3/.well-known/oauth-authorization-server",
                            timeout=10).json()
        assert meta["issuer"] == srv.url + "/shop3"
        assert srv.wait_event("tenant_added")["name"] == "shop3"
    client = create_client(a, "--name", "Backend", "--grant", "client_credentials",
                           "--tenant", "shop3")
    on_a, on_b = (SimpleNamespace(url=srv.url + "/shop3") for srv in (a, b))
    r = client_credentials(on_a, client)
    assert r.status_code == 200, r.text
    token = r.json()["access_token"]
    answer = introspect(on_b, client, token)
    assert answer.status_code == 200 and answer.json()["active"] is True, answer.text
    assert client_credentials(on_b, client).status_code == 200
    assert client_credentials(b, client).status_code == 401  # not the default tenant's

def _load(servers, client, stop, answers, lock):
    """Client-credentials requests to servers in turn until stop is set; (server index,
    status, body, Retry-After) of each answer; status None and the exception for a request
    that got none."""
    def run(k):
        i = k
        while not stop.is_set():
            i += 1
            srv = servers[i % len(servers)]
            try:
                r = client_credentials(srv, client)
                item = (i % len(servers), r.status_code, r.text, r.headers.get("Retry-After"))
            except requests.RequestException as e:
                item = (i % len(servers), None, repr(e), None)
            with lock:
                answers.append(item)

    threads = [threading.Thread(target=run, args=(k,), daemon=True) for k in range(8)]
    for t in threads:
        t.start()
    return threads


def test_kill_9_of_a_under_load_leaves_b_serving_and_a_s_tokens_valid(pair):
    a, b = pair()
    client = create_client(a, "--name", "Backend", "--grant", "client_credentials")
    stop, lock, answers = threading.Event(), threading.Lock(), []
    threads = _load([a, b], client, stop, answers, lock)
    try:
        assert within(5, lambda: len(answers) >= 200, step=0.05), f"{len(answers)} answers"
        a.proc.send_signal(signal.SIGKILL)
        a.proc.wait(10)
        killed_at = len(answers)
        assert within(5, lambda: sum(1 for s, st, _, _ in answers[killed_at:]
                                     if s == 1 and st == 200) >= 100, step=0.05), \
            "B stopped answering when A was killed"
    finally:
        stop.set()
        for t in threads:
            t.join(15)
    a.proc = None  # killed on purpose: no exit status to check
    bad = [(s, st, text[:120]) for s, st, text, _ in answers if s == 1 and st != 200]
    assert not bad, f"B answered {len(bad)} requests other than 200: {bad[:5]}"
    from_a = [json.loads(text)["access_token"] for s, st, text, _ in answers
              if s == 0 and st == 200]
    assert from_a
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        lost = [t for t, ok in zip(from_a, pool.map(lambda t: active_on(b, client, t), from_a))
                if not ok]
    assert not lost, f"{len(lost)} of {len(from_a)} tokens A answered 200 are not valid on B"


def _needing_the_database(srv, client):
    """Answers of other endpoints that cannot be given without the database: a token
    never seen (so in no cache) introspected, revoked and presented to /userinfo."""
    unknown = "never-issued-" + os.urandom(8).hex()
    auth = (client["client_id"], client["client_secret"])
    return [
        requests.post(srv.url + "/introspect", data={"token": unknown}, auth=auth, timeout=10),
        requests.post(srv.url + "/revoke", data={"token": unknown}, auth=auth, timeout=10),
        requests.get(srv.url + "/userinfo", headers={"Authorization": "Bearer " + unknown},
                     timeout=10),
    ]


# ---- the database stops and starts ----------------------------------------------------------

def test_postgres_stopped_and_started_under_load(pair, cluster):
    """While PostgreSQL is down every answer that needs it is 503 with Retry-After (no 500,
    no hang past the bound), /health/ready says not ready; once it is back both instances
    serve again by themselves, and every token answered 200 is still valid."""
    a, b = pair()
    client = create_client(a, "--name", "Backend", "--grant", "client_credentials")
    stop, lock, answers = threading.Event(), threading.Lock(), []
    threads = _load([a, b], client, stop, answers, lock)
    try:
        assert within(5, lambda: len(answers) >= 100, step=0.05), f"{len(answers)} answers"
        cluster.pause()
        try:
            down_at = len(answers)
            assert within(10, lambda: sum(1 for _, st, _, _ in answers[down_at:] if st == 503)
                          >= 20, step=0.05), "no 503 while PostgreSQL is down"
            for srv in (a, b):
                r = requests.get(srv.url + "/health/ready", timeout=10)
                assert r.status_code == 503, (r.status_code, r.text)
                for r in _needing_the_database(srv, client):
                    assert r.status_code == 503 and r.headers.get("Retry-After"), \
                        (r.request.method, r.request.url, r.status_code, r.headers, r.text[:200])
        finally:
            cluster.resume()
        up_at = len(answers)
        assert within(15, lambda: sum(1 for s, st, _, _ in answers[up_at:] if st == 200 and s == 0)
                      >= 20 and sum(1 for s, st, _, _ in answers[up_at:] if st == 200 and s == 1)
                      >= 20, step=0.05), "service did not resume on both instances"
        for srv in (a, b):
            assert within(5, lambda: requests.get(srv.url + "/health/ready",
                                                  timeout=10).status_code == 200)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert not any(t.is_alive() for t in threads)
    statuses = {}
    for _, st, _, _ in answers:
        statuses[st] = statuses.get(st, 0) + 1
    assert set(statuses) <= {200, 503}, statuses
    assert statuses.get(503), statuses
    no_retry = [text[:120] for _, st, text, retry in answers if st == 503 and not retry]
    assert not no_retry, f"{len(no_retry)} 503 answers without Retry-After: {no_retry[:3]}"
    issued = [json.loads(text)["access_token"] for _, st, text, _ in answers if st == 200]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        lost = [t for t, ok in zip(issued, pool.map(lambda t: active_on(b, client, t), issued))
                if not ok]
    assert not lost, f"{len(lost)} of {len(issued)} tokens answered 200 are not valid"
