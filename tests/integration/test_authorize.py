"""The authorization-code flow against a real grantd: /authorize validation order, login,
consent, codes, the token exchange and /userinfo, including every refusal the rules ask for."""
import concurrent.futures
import re

import requests

from flow import (Agent, PASSWORD, authorize_url, exchange, make_client, make_user,
                  pkce_pair, redirect_params, userinfo)

CB = "http://127.0.0.1:9/cb"


def start(server, *client_args, **kw):
    make_user(server)
    return make_client(server, *client_args, **kw)


def code_for(server, client, agent=None, **params):
    agent = agent or Agent(server)
    params.setdefault("response_type", "code")
    params.setdefault("client_id", client["client_id"])
    r = agent.authorize(authorize_url(server, **params))
    return redirect_params(r), r


# ---- the happy path -------------------------------------------------------------------------

def test_full_flow_with_state_iss_token_and_userinfo(server):
    client = start(server)
    verifier, challenge = pkce_pair()
    state = "a b/c+d%&=é?#"
    q, r = code_for(server, client, redirect_uri=CB, scope="profile", state=state,
                    code_challenge=challenge, code_challenge_method="S256")
    assert r.status_code == 303
    assert r.headers["Location"].startswith(CB + "?code=")
    assert q["state"] == state
    assert q["iss"] == server.url
    tok = exchange(server, client, q["code"], CB, verifier)
    assert tok.status_code == 200, tok.text
    body = tok.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == "profile"
    assert len(body["access_token"]) == 43 and len(body["refresh_token"]) == 43
    assert tok.headers["Cache-Control"] == "no-store"
    assert tok.headers["Pragma"] == "no-cache"
    me = userinfo(server, body["access_token"])
    assert me.status_code == 200
    assert me.json()["username"] == "alice"
    assert me.json()["account"] == "acct-42"
    assert me.json()["sub"]
    # the code and tokens are stored only as hashes
    raw = server.stored_bytes()
    for secret in (q["code"], body["access_token"], body["refresh_token"]):
        assert secret.encode() not in raw


def test_plus_in_scope_is_a_space_and_default_scope_is_the_clients(server):
    client = start(server)
    agent = Agent(server)
    url = (server.url + "/authorize?response_type=code&client_id=" + client["client_id"] +
           "&scope=profile+email&redirect_uri=" + CB)
    q = redirect_params(agent.authorize(url))
    assert exchange(server, client, q["code"], CB).json()["scope"] == "profile email"
    q, _ = code_for(server, client, agent)  # no scope, one registered redirect URI
    assert exchange(server, client, q["code"]).json()["scope"] == "profile email"


def test_client_without_refresh_grant_gets_no_refresh_token(server):
    client = start(server, "--grant", "authorization_code")
    q, _ = code_for(server, client, redirect_uri=CB)
    body = exchange(server, client, q["code"], CB).json()
    assert "access_token" in body and "refresh_token" not in body


def test_post_auth_and_json_body(server):
    client = start(server)
    q, _ = code_for(server, client, redirect_uri=CB)
    assert exchange(server, client, q["code"], CB, auth="post", json_body=True).status_code == 200
    q, _ = code_for(server, client, redirect_uri=CB)
    r = requests.post(server.url + "/token", data="grant_type=authorization_code&code=" +
                      q["code"], headers={"Content-Type": "text/plain"},
                      auth=(client["client_id"], client["client_secret"]), timeout=10)
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"


def test_public_client_with_pkce(server):
    client = start(server, "--public")
    verifier, challenge = pkce_pair()
    q, _ = code_for(server, client, redirect_uri=CB, code_challenge=challenge,
                    code_challenge_method="S256")
    r = exchange(server, client, q["code"], CB, verifier, auth="none")
    assert r.status_code == 200, r.text


def test_redirect_uri_with_query_keeps_it(server):
    client = start(server, redirect="https://app.example.com/cb?tenant=7")
    q, r = code_for(server, client, redirect_uri="https://app.example.com/cb?tenant=7")
    assert r.headers["Location"].startswith("https://app.example.com/cb?tenant=7&code=")
    assert q["tenant"] == "7"


def test_loopback_redirect_may_change_port_only(server):
    client = start(server, redirect="http://127.0.0.1/cb")
    q, r = code_for(server, client, redirect_uri="http://127.0.0.1:53117/cb")
    assert r.headers["Location"].startswith("http://127.0.0.1:53117/cb?code=")
    assert exchange(server, client, q["code"], "http://127.0.0.1:53117/cb").status_code == 200
    r = Agent(server).get(authorize_url(server, response_type="code",
                                        client_id=client["client_id"],
                                        redirect_uri="http://127.0.0.1:53117/other"))
    assert r.status_code == 400 and "Location" not in r.headers


# ---- errors before the redirect URI is trusted: a page, never a redirect ----------------------

def assert_error_page(r):
    assert r.status_code == 400, (r.status_code, r.headers.get("Location"))
    assert "Location" not in r.headers
    assert r.headers["Content-Type"].startswith("text/html")


def test_untrusted_client_or_redirect_gets_a_page(server):
    client = start(server, "--redirect-uri", "https://two.example.com/cb")
    other = make_client(server, redirect="https://evil.example.com/cb")
    cid = client["client_id"]
    agent = Agent(server)
    base = server.url + "/authorize?response_type=code&"
    cases = [
        "redirect_uri=" + CB,                                              # no client_id
        "client_id=nope&redirect_uri=" + CB,                               # unknown client
        f"client_id={cid}&client_id={cid}&redirect_uri={CB}",              # repeated client_id
        f"client_id={cid}&redirect_uri=https://evil.example.com/cb",       # not registered
        f"client_id={cid}&redirect_uri={CB}&redirect_uri={CB}",            # repeated redirect
        f"client_id={cid}",                                                # omitted, 2 registered
        f"client_id={cid}&redirect_uri={CB}/",                             # not byte-equal
        f"client_id={cid}&scope=bogus&redirect_uri=https://evil.example.com/cb",
    ]
    for case in cases:
        r = agent.get(base + case)
        assert "Location" not in r.headers and r.status_code == 400, (case, r.status_code)
        assert_error_page(r)
    server.cli("client", "disable", other["client_id"])
    assert_error_page(agent.get(base + "client_id=" + other["client_id"]))
    # malformed percent-encoding: nothing in the query is trusted (requests would re-quote it)
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("GET", f"/authorize?response_type=code&client_id={cid}&redirect_uri={CB}"
                        "&state=%ZZ")
    r = conn.getresponse()
    assert r.status == 400 and r.getheader("Location") is None
    conn.close()


# ---- errors after: redirected with error, state and iss -------------------------------------

def redirected_error(server, agent, **params):
    r = agent.get(authorize_url(server, **params))
    assert r.status_code == 302, (r.status_code, r.text[:300])
    q = redirect_params(r)
    assert q["iss"] == server.url
    return q


def test_request_errors_are_redirected_with_state_and_iss(server):
    client = start(server)
    pub = make_client(server, "--public")
    agent = Agent(server)
    cid = client["client_id"]
    _, challenge = pkce_pair()
    cases = [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"response_type": None}, "invalid_request"),
        ({"scope": "profile admin"}, "invalid_scope"),
        ({"code_challenge": "short", "code_challenge_method": "S256"}, "invalid_request"),
        ({"code_challenge": challenge, "code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": challenge, "code_challenge_method": "S512"}, "invalid_request"),
        ({"code_challenge_method": "S256"}, "invalid_request"),
    ]
    for extra, error in cases:
        params = {"response_type": "code", "client_id": cid, "redirect_uri": CB,
                  "state": "st 1"}
        params.update(extra)
        q = redirected_error(server, agent, **params)
        assert q["error"] == error, (extra, q)
        assert q["state"] == "st 1"
        assert q["error_description"]
    q = redirected_error(server, agent, response_type="code", client_id=pub["client_id"],
                         redirect_uri=CB, state="x")
    assert q["error"] == "invalid_request" and "PKCE" in q["error_description"]
    r = agent.get(server.url + f"/authorize?response_type=code&client_id={cid}"
                  f"&redirect_uri={CB}&state=a&state=b")
    q = redirect_params(r)
    assert q["error"] == "invalid_request" and "state" in q["error_description"]


def test_plain_pkce_only_when_the_client_allows_it(server):
    client = start(server, "--allow-plain-pkce")
    verifier = "v" * 50
    q, _ = code_for(server, client, redirect_uri=CB, code_challenge=verifier,
                    code_challenge_method="plain")
    assert exchange(server, client, q["code"], CB, verifier).status_code == 200


# ---- login, sessions, consent ---------------------------------------------------------------

def test_login_page_session_cookie_and_security_headers(server):
    client = start(server)
    agent = Agent(server)
    r = agent.get(authorize_url(server, response_type="code", client_id=client["client_id"],
                                redirect_uri=CB))
    assert r.status_code == 200
    for h, v in (("X-Frame-Options", "DENY"), ("Referrer-Policy", "no-referrer"),
                 ("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff")):
        assert r.headers[h] == v
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assert 'autocomplete="username"' in r.text and 'autocomplete="current-password"' in r.text
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    before = agent.http.cookies.get("grantd_session")
    r = agent.login(r)
    assert r.status_code == 303
    assert agent.http.cookies.get("grantd_session") != before, "session id not rotated"
    consent = agent.get(r.headers["Location"])
    assert consent.status_code == 200
    assert "Test App" in consent.text and "alice" in consent.text
    assert ">Authorize<" in consent.text and ">Cancel<" in consent.text
    assert "<code>profile</code>" in consent.text or "profile" in consent.text


def test_wrong_password_and_unknown_user_look_the_same(server):
    client = start(server)
    url = authorize_url(server, response_type="code", client_id=client["client_id"],
                        redirect_uri=CB)
    answers = []
    for user, pw in (("alice", "wrong password"), ("nobody", PASSWORD)):
        agent = Agent(server)
        r = agent.login(agent.get(url), user, pw)
        assert r.status_code == 401
        assert "Location" not in r.headers
        answers.append(re.search(r'role="alert"[^>]*>(.*?)<', r.text, re.S).group(1))
    assert answers[0] == answers[1]
    server.wait_log(lambda e: e.get("event") == "request" and e.get("status") == 401, count=2)
    assert PASSWORD not in server.log_text()
    assert "wrong password" not in server.log_text()


def test_csrf_is_checked_on_login_and_consent(server):
    client = start(server)
    url = authorize_url(server, response_type="code", client_id=client["client_id"],
                        redirect_uri=CB)
    agent = Agent(server)
    page = agent.get(url)
    from flow import hidden
    r = agent.post("/login", {"request": hidden(page.text, "request"), "csrf": "x" * 43,
                              "username": "alice", "password": PASSWORD})
    assert r.status_code == 403 and "Location" not in r.headers
    r = agent.login(agent.get(url))
    consent = agent.get(r.headers["Location"])
    r = agent.post("/consent", {"request": hidden(consent.text, "request"), "csrf": "y" * 43,
                                "decision": "authorize"})
    assert r.status_code == 403 and "Location" not in r.headers
    # another browser's session cannot reuse this form
    stranger = Agent(server)
    r = stranger.post("/consent", {"request": hidden(consent.text, "request"),
                                   "csrf": hidden(consent.text, "csrf"), "decision": "authorize"})
    assert "Location" not in r.headers or "code=" not in r.headers["Location"]


def test_cancel_redirects_access_denied(server):
    client = start(server)
    agent = Agent(server)
    r = agent.authorize(authorize_url(server, response_type="code", client_id=client["client_id"],
                                      redirect_uri=CB, state="keep me"), decision="cancel")
    assert r.status_code == 303
    q = redirect_params(r)
    assert q["error"] == "access_denied" and q["state"] == "keep me" and q["iss"] == server.url
    assert "code" not in q


def test_logged_in_user_with_consent_is_not_asked_again(server):
    client = start(server)
    agent = Agent(server)
    code_for(server, client, agent, redirect_uri=CB, scope="profile")
    r = agent.get(authorize_url(server, response_type="code", client_id=client["client_id"],
                                redirect_uri=CB, scope="profile", state="again"))
    assert r.status_code == 302 and "code=" in r.headers["Location"]
    # more scope than consented: asked again (but not to log in)
    r = agent.get(authorize_url(server, response_type="code", client_id=client["client_id"],
                                redirect_uri=CB, scope="profile email"))
    assert r.status_code == 200 and 'value="authorize"' in r.text


def test_always_consent_client_asks_every_time(server):
    client = start(server, "--always-consent")
    agent = Agent(server)
    code_for(server, client, agent, redirect_uri=CB)
    r = agent.get(authorize_url(server, response_type="code", client_id=client["client_id"],
                                redirect_uri=CB))
    assert r.status_code == 200 and 'value="authorize"' in r.text


def test_session_expires(make_server, clock):
    srv = make_server(config_text="lifetimes = { session = 60; };")
    client = start(srv)
    agent = Agent(srv)
    code_for(srv, client, agent, redirect_uri=CB)
    url = authorize_url(srv, response_type="code", client_id=client["client_id"],
                        redirect_uri=CB)
    # late in its minute the session still signs the user in (consent was given: a code)
    clock.advance(50)
    r = agent.get(url)
    assert r.status_code == 302 and "code=" in r.headers["Location"], (r.status_code, r.text)
    # past it the server asks for the password again, though the agent still sends the cookie
    # (its jar runs on real time, where the cookie's Max-Age=60 has not passed)
    clock.advance(11)
    r = agent.get(url)
    assert r.status_code == 200 and 'name="password"' in r.text


# ---- out of band ----------------------------------------------------------------------------

def test_client_without_redirect_uri_gets_the_oob_page(server):
    client = start(server, redirect=None)
    agent = Agent(server)
    r = agent.authorize(authorize_url(server, response_type="code", client_id=client["client_id"]))
    assert r.status_code == 200, r.text[:300]
    code = re.search(r'id="code"[^>]*>([^<]+)</p>', r.text)
    assert code, r.text[:2000]
    assert "60 seconds" in r.text
    assert exchange(server, client, code.group(1)).status_code == 200
    r = agent.authorize(authorize_url(server, response_type="code", client_id=client["client_id"],
                                      redirect_uri="urn:ietf:wg:oauth:2.0:oob"))
    code = re.search(r'id="code"[^>]*>([A-Za-z0-9_-]{43})</p>', r.text).group(1)
    r = exchange(server, client, code, "urn:ietf:wg:oauth:2.0:oob")
    assert r.status_code == 200, r.text


# ---- the code at /token ---------------------------------------------------------------------

def test_code_exchange_refusals_are_invalid_grant(server):
    client = start(server)
    other = make_client(server)
    verifier, challenge = pkce_pair()

    def fresh(**kw):
        q, _ = code_for(server, client, redirect_uri=CB, **kw)
        return q["code"]

    cases = [
        lambda: exchange(server, client, "not-a-code", CB),
        lambda: exchange(server, other, fresh(), CB),
        lambda: exchange(server, client, fresh(), "http://127.0.0.1:9/other"),
        lambda: exchange(server, client, fresh()),  # redirect_uri was sent at /authorize
        lambda: exchange(server, client, fresh(code_challenge=challenge,
                                               code_challenge_method="S256"), CB),
        lambda: exchange(server, client, fresh(code_challenge=challenge,
                                               code_challenge_method="S256"), CB, "x" * 43),
        lambda: exchange(server, client, fresh(), CB, verifier),  # no challenge was sent
    ]
    for i, case in enumerate(cases):
        r = case()
        assert r.status_code == 400, (i, r.text)
        assert r.json()["error"] == "invalid_grant", (i, r.text)
    r = requests.post(server.url + "/token", data={"grant_type": "authorization_code"},
                      auth=(client["client_id"], client["client_secret"]), timeout=10)
    assert r.json()["error"] == "invalid_request"


def test_code_expires(server, clock):
    client = start(server)
    q, _ = code_for(server, client, redirect_uri=CB)
    clock.advance(61)  # codes live 60 s by default
    r = exchange(server, client, q["code"], CB)
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    assert "expired" in r.json()["error_description"]


def test_second_redemption_revokes_the_first_tokens(server):
    client = start(server)
    q, _ = code_for(server, client, redirect_uri=CB)
    first = exchange(server, client, q["code"], CB)
    assert first.status_code == 200
    token = first.json()["access_token"]
    assert userinfo(server, token).status_code == 200
    again = exchange(server, client, q["code"], CB)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert userinfo(server, token).status_code == 401


def test_a_replay_with_wrong_parameters_revokes_nothing(server):
    """OAuth 2.1 §7.5.2: whoever holds a leaked code of a public client but not its verifier
    (or sends another redirect URI, or is another client) must not be able to revoke what
    its redemption issued; the same replay with the right parameters revokes it."""
    client = start(server, "--public")
    other = make_client(server)
    verifier, challenge = pkce_pair()
    q, _ = code_for(server, client, redirect_uri=CB, code_challenge=challenge,
                    code_challenge_method="S256")
    first = exchange(server, client, q["code"], CB, verifier, auth="none")
    assert first.status_code == 200, first.text
    token = first.json()["access_token"]
    refresh = first.json()["refresh_token"]
    wrong_verifier, _ = pkce_pair()
    for replay in (lambda: exchange(server, client, q["code"], CB, wrong_verifier, auth="none"),
                   lambda: exchange(server, client, q["code"], CB, auth="none"),
                   lambda: exchange(server, client, q["code"], "http://127.0.0.1:9/other",
                                    verifier, auth="none"),
                   lambda: exchange(server, other, q["code"], CB, verifier)):
        r = replay()
        assert r.status_code == 400 and r.json()["error"] == "invalid_grant", r.text
        assert "revoked" not in r.json()["error_description"], r.text
        assert userinfo(server, token).status_code == 200, "a wrong replay revoked the token"
    # the refresh token of that grant still rotates
    r = requests.post(server.url + "/token", timeout=10,
                      data={"grant_type": "refresh_token", "refresh_token": refresh,
                            "client_id": client["client_id"]})
    assert r.status_code == 200, r.text
    token = r.json()["access_token"]
    # the replay that would have redeemed the code revokes everything the grant has issued
    again = exchange(server, client, q["code"], CB, verifier, auth="none")
    assert again.status_code == 400 and "revoked" in again.json()["error_description"]
    assert userinfo(server, token).status_code == 401


def test_a_replay_with_the_right_parameters_revokes_after_the_code_expired(server, clock):
    client = start(server)
    q, _ = code_for(server, client, redirect_uri=CB)
    first = exchange(server, client, q["code"], CB)
    assert first.status_code == 200
    clock.advance(61)  # past the code's life, well within the token's
    again = exchange(server, client, q["code"], CB)
    assert again.status_code == 400 and "revoked" in again.json()["error_description"]
    assert userinfo(server, first.json()["access_token"]).status_code == 401


def test_32_parallel_redemptions_one_wins_then_it_is_revoked(server):
    client = start(server)
    q, _ = code_for(server, client, redirect_uri=CB)
    with concurrent.futures.ThreadPoolExecutor(32) as pool:
        results = list(pool.map(lambda _: exchange(server, client, q["code"], CB), range(32)))
    ok = [r for r in results if r.status_code == 200]
    assert len(ok) == 1, [r.status_code for r in results]
    assert all(r.json()["error"] == "invalid_grant" for r in results if r.status_code != 200)
    assert userinfo(server, ok[0].json()["access_token"]).status_code == 401


# ---- /userinfo ------------------------------------------------------------------------------

def test_userinfo_bearer_rules(server):
    client = start(server)
    q, _ = code_for(server, client, redirect_uri=CB)
    token = exchange(server, client, q["code"], CB).json()["access_token"]
    r = requests.get(server.url + "/userinfo", timeout=10)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == f'Bearer realm="{server.url}"'
    r = requests.get(server.url + "/userinfo?access_token=" + token, timeout=10)
    assert r.status_code == 401 and "error=" not in r.headers["WWW-Authenticate"]
    r = requests.get(server.url + "/userinfo", headers={"Authorization": "bearer " + token},
                     timeout=10)
    assert r.status_code == 200
    r = userinfo(server, token[:-1] + ("A" if token[-1] != "A" else "B"))
    assert r.status_code == 401
    assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]
    server.cli("client", "disable", client["client_id"])
    assert userinfo(server, token).status_code == 401


def test_concurrent_logins_and_shutdown_in_the_middle_of_them(make_server):
    """Logins (argon2id) run on worker threads while their connections are suspended. With
    one I/O thread, 8 concurrent logins all succeed and health answers meanwhile; a SIGTERM
    in the middle of further logins still exits 0 within the harness's 30 s, which needs
    every suspended connection to be resumed before libmicrohttpd stops."""
    srv = make_server(config_text="limits = { threads = 1; };")
    client = start(srv)
    url = authorize_url(srv, response_type="code", client_id=client["client_id"],
                        redirect_uri=CB)
    agents = [Agent(srv) for _ in range(8)]
    pages = [a.get(url) for a in agents]
    with concurrent.futures.ThreadPoolExecutor(9) as pool:
        logins = [pool.submit(a.login, p) for a, p in zip(agents, pages)]
        health = pool.submit(requests.get, srv.url + "/health/live", timeout=10)
        assert health.result().status_code == 200
        assert all(f.result().status_code == 303 for f in logins)
        fresh = [Agent(srv) for _ in range(4)]
        more = [pool.submit(a.login, a.get(url)) for a in fresh]
        code = srv.stop()
        for f in more:
            try:
                f.result()
            except requests.RequestException:
                pass  # the server went away mid-request: allowed, hanging is not
    assert code == 0


def test_https_issuer_makes_the_cookie_secure_and_host_only(make_server):
    srv = make_server(extra_args=["--issuer", "https://auth.example.test"])
    client = start(srv)
    r = Agent(srv).get(authorize_url(srv, response_type="code", client_id=client["client_id"],
                                     redirect_uri=CB))
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("__Host-grantd_session=")
    assert "; Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie
    # forms post to the issuer's URL, not to whatever host the request named
    assert 'action="https://auth.example.test/login"' in r.text
