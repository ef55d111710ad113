"""Rate limits (issue 16, "Password guessing is free"): a real grantd-test and real HTTP.

Sign-in: thirty wrong passwords in a row for one account, and thirty at once, meet a growing
delay (429 with Retry-After and a page saying how long to wait) after the first three; one
guess each on a hundred accounts from one address meets 429 after thirty; the right password
after the delay still signs in and forgets the count. Client authentication: three hundred
wrong secrets at /token and at /introspect are ten 401s and then 429 slow_down with
Retry-After; another client from the same address is not affected, and the client itself
gets in once the window ends. Introspection: a scan by one client meets 429 over its rate,
and the client's next second is served. Two grantd processes on one database share the
counters. Every refusal is logged as "rate_limited" without a password or secret.

Time: the test clock (conftest.py) moves past delays and windows; nothing sleeps. The clock
still runs with real time, so a count that could straddle a second allows for it."""
import concurrent.futures
import json

import requests

from conftest import create_client
from flow import PASSWORD, Agent, authorize_url, hidden, make_client, make_user, pkce_pair

CB = "http://127.0.0.1:9/cb"
WRONG = "not-the-password"


def login_page(srv, client):
    """A fresh browser at the login page of an authorization request: (agent, page)."""
    agent = Agent(srv)
    _, challenge = pkce_pair()
    r = agent.get(authorize_url(srv, response_type="code", client_id=client["client_id"],
                                redirect_uri=CB, code_challenge=challenge,
                                code_challenge_method="S256", state="s"))
    assert r.status_code == 200 and 'name="password"' in r.text, r.text[:500]
    return agent, r


def post_login(agent, page, username, password):
    return agent.submit(page.text, {"request": hidden(page.text, "request"),
                                    "csrf": hidden(page.text, "csrf"),
                                    "binding": hidden(page.text, "binding"),
                                    "username": username, "password": password})


def retry_after(r):
    assert "Retry-After" in r.headers, (r.status_code, r.headers)
    return int(r.headers["Retry-After"])


def assert_too_many_page(r):
    assert r.status_code == 429, (r.status_code, r.text[:500])
    seconds = retry_after(r)
    assert 1 <= seconds <= 30
    assert "Too many failed sign-in attempts" in r.text
    assert f"try again in {seconds} second" in r.text
    assert 'name="password"' in r.text  # the form is there for the next try


def setup_flow(srv):
    make_user(srv)
    return make_client(srv, redirect=CB)


def test_thirty_wrong_passwords_in_a_row_meet_a_growing_delay(server, clock):
    client = setup_flow(server)
    agent, page = login_page(server, client)
    statuses, waits = [], []
    for _ in range(30):
        r = post_login(agent, page, "alice", WRONG)
        statuses.append(r.status_code)
        if r.status_code == 429:
            assert_too_many_page(r)
            waits.append(retry_after(r))
        else:
            assert r.status_code == 401, r.text[:300]
        page = r
    # three free tries; each later one must wait 1, 2, 4 ... s after the one before, and a
    # second of real time may let one or two through
    assert statuses[:3] == [401, 401, 401], statuses
    assert statuses.count(429) >= 25, statuses
    assert waits == sorted(waits) and waits[-1] == 30, waits
    # the right password, too early, is refused without a check ...
    assert_too_many_page(post_login(agent, page, "alice", PASSWORD))
    clock.advance(30)
    # ... and after the delay it signs in; the count starts over
    r = post_login(agent, page, "alice", PASSWORD)
    assert r.status_code == 303, (r.status_code, r.text[:300])
    agent2, page2 = login_page(server, client)
    assert post_login(agent2, page2, "alice", WRONG).status_code == 401


def test_thirty_wrong_passwords_at_once(server, clock):
    client = setup_flow(server)
    tries = [login_page(server, client) for _ in range(30)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=30) as pool:
        answers = list(pool.map(lambda t: post_login(t[0], t[1], "alice", WRONG), tries))
    statuses = [r.status_code for r in answers]
    # each try was counted before its check: only the first three are checked at once
    assert 3 <= statuses.count(401) <= 5, statuses
    assert statuses.count(429) == 30 - statuses.count(401), statuses
    for r in answers:
        if r.status_code == 429:
            assert_too_many_page(r)
    clock.advance(30)
    agent, page = login_page(server, client)
    assert post_login(agent, page, "alice", PASSWORD).status_code == 303


def test_one_guess_each_on_a_hundred_accounts(server, clock):
    client = setup_flow(server)
    agent, page = login_page(server, client)
    statuses = []
    for i in range(100):
        r = post_login(agent, page, f"user{i}", WRONG)
        statuses.append(r.status_code)
        if r.status_code == 429:
            assert "Too many failed sign-in attempts" in r.text
            assert 1 <= retry_after(r) <= 300
        page = r
    assert statuses == [401] * 30 + [429] * 70, statuses
    # the owner at that address waits for the window's end, then signs in
    r = post_login(agent, page, "alice", PASSWORD)
    assert r.status_code == 429
    clock.advance(retry_after(r))
    assert post_login(agent, r, "alice", PASSWORD).status_code == 303


def token_with(srv, client_id, secret):
    return requests.post(srv.url + "/token", data={"grant_type": "client_credentials"},
                         auth=(client_id, secret), timeout=10)


def introspect_with(srv, client_id, secret, token="nothing"):
    return requests.post(srv.url + "/introspect", data={"token": token},
                         auth=(client_id, secret), timeout=10)


def service(srv, name="svc"):
    return create_client(srv, "--name", name, "--grant", "client_credentials")


def assert_slow_down(r):
    assert r.status_code == 429, (r.status_code, r.text)
    assert r.json()["error"] == "slow_down"
    assert 1 <= retry_after(r) <= 300
    assert r.headers["Cache-Control"] == "no-store"


def three_hundred_wrong(srv, clock, call):
    victim, bystander = service(srv, "victim"), service(srv, "bystander")
    statuses = []
    for _ in range(300):
        r = call(srv, victim["client_id"], "wrong-secret")
        statuses.append(r.status_code)
        if r.status_code == 429:
            assert_slow_down(r)
        else:
            assert r.json()["error"] == "invalid_client"
    assert statuses == [401] * 10 + [429] * 290, statuses
    # from that address the right secret waits for the window; another client does not
    r = call(srv, victim["client_id"], victim["client_secret"])
    assert_slow_down(r)
    assert call(srv, bystander["client_id"], bystander["client_secret"]).status_code == 200
    clock.advance(retry_after(r))
    assert call(srv, victim["client_id"], victim["client_secret"]).status_code == 200
    events = srv.wait_log(lambda e: e.get("event") == "rate_limited", count=291)
    assert len(events) >= 291
    e = events[0]
    assert e["limit"] == "client" and e["client_id"] == victim["client_id"]
    assert e["address"] == "127.0.0.1" and e["issuer"] == srv.url and e["request_id"]
    assert "wrong-secret" not in srv.log_text()


def test_three_hundred_wrong_secrets_at_token(server, clock):
    three_hundred_wrong(server, clock, token_with)


def test_three_hundred_wrong_secrets_at_introspect(server, clock):
    three_hundred_wrong(server, clock, introspect_with)


def test_an_introspection_scan_meets_its_rate(make_server, clock):
    srv = make_server("rate_limits = { introspect = { rate = 20; }; };\n")
    scanner, other = service(srv, "scanner"), service(srv, "other")
    token = token_with(srv, scanner["client_id"], scanner["client_secret"]).json()
    answers = [introspect_with(srv, scanner["client_id"], scanner["client_secret"],
                               f"guess-{i}") for i in range(200)]
    statuses = [r.status_code for r in answers]
    # 20 a second: the scan may straddle a second or two of real time
    assert statuses.count(200) <= 60, statuses
    assert statuses.count(429) >= 140, statuses
    for r in answers:
        if r.status_code == 429:
            assert_slow_down(r)
            assert retry_after(r) == 1
    # another caller is served meanwhile, and the scanner's next second too
    assert introspect_with(srv, other["client_id"], other["client_secret"]).status_code == 200
    clock.advance(1)
    r = introspect_with(srv, scanner["client_id"], scanner["client_secret"],
                        token["access_token"])
    assert r.status_code == 200 and r.json()["active"] is True
    e = srv.wait_event("rate_limited")
    assert e["limit"] == "introspect" and e["client_id"] == scanner["client_id"]


def test_limits_follow_the_configuration(make_server, clock):
    srv = make_server("rate_limits = { client = { failures = 2; window = 60; }; "
                      "login = { failures = 0; }; address = { failures = 0; }; };\n")
    svc = service(srv)
    assert [token_with(srv, svc["client_id"], "x").status_code for _ in range(3)] == \
        [401, 401, 429]
    client = setup_flow(srv)
    agent, page = login_page(srv, client)
    for _ in range(40):  # sign-in limits off: every try is checked
        page = post_login(agent, page, "alice", WRONG)
        assert page.status_code == 401


def two_on_one_database(make_server, tmp_path):
    a = make_server(workdir=tmp_path)
    (tmp_path / "b").mkdir()
    b = make_server(workdir=tmp_path / "b", defer_start=True)
    b.db_url = a.db_url
    return a, b.start()


def test_two_instances_share_the_counters(make_server, tmp_path, clock):
    a, b = two_on_one_database(make_server, tmp_path)
    svc = service(a)
    assert [token_with(a, svc["client_id"], "x").status_code for _ in range(10)] == [401] * 10
    assert_slow_down(token_with(b, svc["client_id"], "x"))  # B counted A's ten
    assert_slow_down(token_with(a, svc["client_id"], svc["client_secret"]))
    # sign-in: wrong tries on A until the delay (2 s and more from then on: a second of
    # real time cannot let the next through) ...
    client = setup_flow(a)
    agent, page = login_page(a, client)
    statuses = []
    while not statuses or statuses[-1] != 429:
        page = post_login(agent, page, "alice", WRONG)
        statuses.append(page.status_code)
        assert len(statuses) <= 6, statuses
    # ... and on B the right password meets it
    agent_b, page_b = login_page(b, client)
    assert_too_many_page(post_login(agent_b, page_b, "alice", PASSWORD))
    clock.advance(30)
    assert post_login(agent_b, page_b, "alice", PASSWORD).status_code == 303
    # the success on B forgot the count for A too
    agent, page = login_page(a, client)
    for _ in range(3):
        page = post_login(agent, page, "alice", WRONG)
        assert page.status_code == 401, page.status_code


def test_refusals_are_logged_without_secrets(server, clock):
    client = setup_flow(server)
    agent, page = login_page(server, client)
    for _ in range(5):
        page = post_login(agent, page, "alice", "hunter2-guess")
    assert page.status_code == 429
    e = server.wait_event("rate_limited")
    assert e["limit"] == "login" and e["username"] == "alice"
    assert e["address"] == "127.0.0.1" and e["issuer"] == server.url
    assert e["request_id"] and e["retry_after"] >= 1
    assert "hunter2-guess" not in server.log_text()
    assert "hunter2-guess" not in json.dumps(server.log_events())


def test_check_callers_meet_their_rate_when_set(make_server, clock):
    srv = make_server("rate_limits = { check = { rate = 10; }; };\n",
                      ("--admin-listen", "127.0.0.1:0"))
    answers = [requests.get(srv.admin_url + "/check", timeout=10,
                            headers={"Authorization": f"Bearer guess-{i}"}) for i in range(60)]
    statuses = [r.status_code for r in answers]
    assert statuses.count(401) <= 30 and statuses.count(429) >= 30, statuses
    for r in answers:
        if r.status_code == 429:
            assert r.json()["error"] == "slow_down" and r.headers["Retry-After"] == "1"
    clock.advance(1)
    assert requests.get(srv.admin_url + "/check", timeout=10,
                        headers={"Authorization": "Bearer guess"}).status_code == 401
    e = srv.wait_event("rate_limited")
    assert e["limit"] == "check" and e["address"] == "127.0.0.1"


def test_refusals_reach_the_metrics_and_the_audit_events(make_server, tmp_path, clock):
    """Every refusal counted in grantd_rate_limited_total{limit} on the admin listener's
    /metrics and written as a "rate_limited" audit event (issue 16: refusals counted in the
    metrics and written to the audit events), without the secret that was tried."""
    from test_metrics import scrape, value
    path = tmp_path / "events.jsonl"
    srv = make_server(f'admin_listen = "127.0.0.1:0";\naudit_events = "{path}";\n'
                      "rate_limits = { client = { failures = 2; window = 60; }; };\n")
    victim = service(srv, "victim")
    before = value(scrape(srv), "grantd_rate_limited_total", limit="client")
    statuses = [token_with(srv, victim["client_id"], "wrong-secret-5e1").status_code
                for _ in range(5)]
    assert statuses == [401, 401, 429, 429, 429], statuses
    after = value(scrape(srv), "grantd_rate_limited_total", limit="client")
    assert after - before == 3
    events = [json.loads(line) for line in path.read_text().splitlines()]
    limited = [e for e in events if e["event"] == "rate_limited"]
    assert len(limited) == 3, limited
    for e in limited:
        assert e["client"] == victim["client_id"] and e["address"] == "127.0.0.1"
        assert e["issuer"] == srv.url and e["request_id"]
    assert "wrong-secret-5e1" not in path.read_text()
