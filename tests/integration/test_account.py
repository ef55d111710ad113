"""The end user's side (issue 13 item 4), over HTTP as a browser sends it: the account page at
ISSUER/account lists the applications a signed-in user has authorized and revokes any of them
(its tokens die everywhere: /introspect, /check, the refresh grant, /userinfo, and the
revocation feed announces it); its forms refuse a missing CSRF token and act only on the
signed-in user's own grants. The consent page names where the user will be sent and signs
out back to the same request's login page; error pages speak to people; a browser gets HTML
at / and unknown paths while API clients keep their JSON.

Chromium's view of the same pages (screenshots at 1280 and 390 px) is test_account_browser.py."""
import html
import re

import requests

from conftest import create_client
from flow import (PASSWORD, Agent, authorize_url, hidden, make_user,
                  pkce_pair, userinfo)
from test_check import admin_server, check
from test_revocation_feed import feed, following, refused_within_a_second, token_hash  # noqa: F401
from test_verify_lib import verifiers  # noqa: F401 (a fixture)
from test_tokens import CB, grant, introspect_json, observer, refresh

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def app_named(srv, name, *args, redirect=CB, scope="profile email"):
    return create_client(srv, "--name", name, "--scope", scope, "--redirect-uri", redirect,
                         *args)


def text_of(page):
    """What a person reads: the page without tags, entities decoded, spaces collapsed."""
    body = re.sub(r"<style>.*?</style>|<script>.*?</script>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def assert_page_headers(r):
    assert r.headers["Content-Type"].startswith("text/html"), r.headers
    assert r.headers["Cache-Control"] == "no-store", r.headers
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp, csp
    assert "script-src 'none'" in csp, csp
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Referrer-Policy"] == "no-referrer"


def sign_in(srv, agent=None, username="alice"):
    """Signs in on the account page; returns (agent, the account page)."""
    agent = agent or Agent(srv)
    r = agent.get(srv.url + "/account")
    assert r.status_code == 200 and 'name="action" value="login"' in r.text, r.text[:500]
    r = agent.submit(r.text, {"action": "login", "csrf": hidden(r.text, "csrf"),
                              "username": username, "password": PASSWORD})
    assert r.status_code == 303 and r.headers["Location"] == srv.url + "/account", r.text[:500]
    page = agent.get(srv.url + "/account")
    assert page.status_code == 200 and "Your account" in page.text, page.text[:500]
    return agent, page


def revoke_on_page(agent, srv, page, client_id, csrf=True):
    data = {"action": "revoke", "client_id": client_id}
    if csrf is True:
        data["csrf"] = hidden(page.text, "csrf")
    elif csrf:
        data["csrf"] = csrf
    return agent.post("/account", data)


def listed(page):
    """The application names the account page lists."""
    return re.findall(r"<h3>([^<]*)</h3>", page.text)


def test_revoking_an_application_kills_its_tokens_everywhere(make_server):
    srv = admin_server(make_server)
    make_user(srv)
    photos = app_named(srv, "Photo Printer", redirect=CB)
    jwts = app_named(srv, "Calendar Sync", "--access-token-format", "jwt",
                       redirect=CB, scope="profile")
    watcher = observer(srv)
    agent = Agent(srv)
    p1, p2 = grant(srv, photos, agent), grant(srv, photos, agent)  # two authorizations
    j = grant(srv, jwts, agent)

    agent, page = sign_in(srv)
    assert_page_headers(page)
    assert listed(page) == ["Calendar Sync", "Photo Printer"] or \
        sorted(listed(page)) == ["Calendar Sync", "Photo Printer"]
    words = text_of(page.text)
    assert "Signed in as alice (account acct-42" in words, words
    assert "Authorized since" in words and "profile" in words and "email" in words, words
    for t in (p1, p2, j):
        assert check(srv, t["access_token"]).status_code == 200  # in the token cache now
    cursor = feed(srv)["cursor"]

    after = revoke_on_page(agent, srv, page, photos["client_id"])
    assert after.status_code == 200, after.text[:500]
    assert_page_headers(after)
    assert "Photo Printer can no longer use your account." in text_of(after.text)
    assert listed(after) == ["Calendar Sync"]
    for t in (p1, p2):
        assert introspect_json(srv, watcher, t["access_token"]) == {"active": False}
        assert introspect_json(srv, watcher, t["refresh_token"]) == {"active": False}
        assert check(srv, t["access_token"]).status_code == 401
        assert userinfo(srv, t["access_token"]).status_code == 401
        r = refresh(srv, photos, t["refresh_token"])
        assert r.status_code == 400 and r.json()["error"] == "invalid_grant", r.text
    events = feed(srv, cursor)["events"]
    assert [e["kind"] for e in events].count("family") == 2, events
    assert {e["token_hash"] for e in events if e["kind"] == "token"} == {
        token_hash(p1["access_token"]), token_hash(p2["access_token"])}
    # the other application is untouched, until it is revoked too: its JWT dies as well
    assert check(srv, j["access_token"]).status_code == 200
    cursor = feed(srv)["cursor"]
    r = revoke_on_page(agent, srv, after, jwts["client_id"])
    assert r.status_code == 200 and listed(r) == []
    assert "No application can use your account" in text_of(r.text)
    assert check(srv, j["access_token"]).status_code == 401
    events = feed(srv, cursor)["events"]
    assert token_hash(j["access_token"]) in {e.get("token_hash") for e in events}
    # the next authorization asks again: the consent is gone
    r = agent.get(authorize_url(srv, response_type="code", client_id=photos["client_id"],
                                redirect_uri=CB, code_challenge=pkce_pair()[1],
                                code_challenge_method="S256"))
    assert r.status_code == 200 and 'value="authorize"' in r.text, r.text[:300]
    log = srv.log_text()
    for t in (p1, j):
        assert t["access_token"] not in log and t["refresh_token"] not in log


def test_the_library_refuses_a_revoked_applications_jwt(following):
    """libgrantd-verify, following the feed, refuses the JWT of a revoked application within
    a second, though it had verified and cached it before."""
    srv, verifier = following
    v = verifier()
    make_user(srv)
    app = app_named(srv, "Calendar Sync", "--access-token-format", "jwt", scope="profile")
    other = app_named(srv, "Photo Printer", "--access-token-format", "jwt", scope="profile")
    t, keep = grant(srv, app), grant(srv, other)
    assert v.ask(t["access_token"])[1] == "ok" and v.ask(keep["access_token"])[1] == "ok"
    agent, page = sign_in(srv)
    assert revoke_on_page(agent, srv, page, app["client_id"]).status_code == 200
    refused_within_a_second(v, t["access_token"])
    assert v.ask(keep["access_token"])[1] == "ok"


def test_a_form_without_its_csrf_token_revokes_nothing(server):
    make_user(server)
    app = app_named(server, "Photo Printer", redirect=CB)
    watcher = observer(server)
    tok = grant(server, app)
    agent, page = sign_in(server)
    for csrf in (None, "forged-" + "x" * 36, hidden(Agent(server).get(server.url + "/account").text,
                                                    "csrf")):
        r = revoke_on_page(agent, server, page, app["client_id"], csrf=csrf)
        assert r.status_code == 403, (csrf, r.status_code, r.text[:300])
        assert_page_headers(r)
        words = text_of(r.text)
        assert "This page has expired" in words and "Nothing was changed" in words, words
        assert introspect_json(server, watcher, tok["access_token"])["active"] is True
    assert listed(agent.get(server.url + "/account")) == ["Photo Printer"]


def test_another_users_grant_cannot_be_revoked(server):
    make_user(server, "alice")
    make_user(server, "bob", account="acct-7")
    shared = app_named(server, "Shared App", redirect=CB)
    alices = app_named(server, "Alice Only", redirect=CB)
    watcher = observer(server)
    a_shared, a_own = grant(server, shared), grant(server, alices)
    b_shared = grant(server, shared, username="bob")
    agent, page = sign_in(server, username="bob")
    assert listed(page) == ["Shared App"]
    # bob guesses the id of an application only alice authorized: nothing of hers changes
    r = revoke_on_page(agent, server, page, alices["client_id"])
    assert r.status_code == 404, r.text[:300]
    assert "not among those you have authorized" in text_of(r.text)
    assert introspect_json(server, watcher, a_own["access_token"])["active"] is True
    # revoking the shared application withdraws bob's grant only
    r = revoke_on_page(agent, server, page, shared["client_id"])
    assert r.status_code == 200
    assert introspect_json(server, watcher, b_shared["access_token"]) == {"active": False}
    assert introspect_json(server, watcher, a_shared["access_token"])["active"] is True
    _, alice_page = sign_in(server)
    assert sorted(listed(alice_page)) == ["Alice Only", "Shared App"]


def test_the_account_page_signs_in_and_out(server):
    make_user(server)
    agent = Agent(server)
    r = agent.get(server.url + "/account")
    assert r.status_code == 200
    assert_page_headers(r)
    assert "Sign in" in text_of(r.text) and 'name="password"' in r.text
    r = agent.submit(r.text, {"action": "login", "csrf": hidden(r.text, "csrf"),
                              "username": "alice", "password": "wrong"})
    assert r.status_code == 401 and "incorrect" in text_of(r.text)
    agent, page = sign_in(server, agent)
    cookie = dict(agent.http.cookies)
    r = agent.post("/account", {"action": "signout", "csrf": hidden(page.text, "csrf")})
    assert r.status_code == 200 and "You are signed out." in text_of(r.text)
    assert 'name="password"' in r.text
    # the old session's cookie no longer opens the page
    stale = requests.get(server.url + "/account", cookies=cookie, timeout=10)
    assert "Your account" not in stale.text and 'name="password"' in stale.text


def test_consent_names_the_host_and_signs_out_to_the_same_login(server):
    make_user(server)
    app = app_named(server, "Photo Printer", redirect=CB)
    agent = Agent(server)
    url = authorize_url(server, response_type="code", client_id=app["client_id"],
                        redirect_uri=CB, state="s1", code_challenge=pkce_pair()[1],
                        code_challenge_method="S256")
    r = agent.login(agent.get(url))
    consent = agent.get(r.headers["Location"])
    words = text_of(consent.text)
    assert "You will be sent to 127.0.0.1" in words, words
    assert "Signed in as alice" in words and "Not you? Sign out" in words, words
    r = agent.consent(consent, decision="signout")
    assert r.status_code == 303
    assert r.headers["Location"] == url.replace(server.url + "/authorize?",
                                                server.url + "/authorize?"), r.headers
    login = agent.get(r.headers["Location"])
    assert login.status_code == 200 and 'name="password"' in login.text
    assert hidden(login.text, "request") == url.split("?", 1)[1]
    # a wrong password keeps the name and offers a way out to another account
    r = agent.login(login, password="wrong")
    assert r.status_code == 401 and "Not you? Use another account" in text_of(r.text)


def test_consent_names_the_redirect_uris_host_only(server):
    make_user(server)
    app = app_named(server, "Photo Printer", redirect="https://app.example.com:8443/cb?x=1")
    agent = Agent(server)
    r = agent.login(agent.get(authorize_url(server, response_type="code",
                                            client_id=app["client_id"],
                                            code_challenge=pkce_pair()[1],
                                            code_challenge_method="S256")))
    words = text_of(agent.get(r.headers["Location"]).text)
    assert "You will be sent to app.example.com Authorize" in words, words


def test_error_pages_speak_to_people(server):
    make_user(server)
    app = app_named(server, "Photo Printer", redirect=CB)
    oob = create_client(server, "--name", "TV App", "--scope", "profile")
    r = requests.get(authorize_url(server, response_type="code", client_id="nobody"),
                     headers=HTML, timeout=10)
    assert r.status_code == 400
    assert_page_headers(r)
    words = text_of(r.text)
    assert "We don't recognise the application that sent you here" in words, words
    assert words.index("Go back to the application") < words.index("Details for support")
    assert words.index("invalid_client") > words.index("Details for support")
    r = requests.get(authorize_url(server, response_type="code", client_id=app["client_id"],
                                   redirect_uri="https://evil.example/cb"), timeout=10)
    words = text_of(r.text)
    assert r.status_code == 400 and "This sign-in link can't be used" in words, words
    assert "has not registered" in words
    # Cancel with no redirect URI: a page, and the protocol's words only in its details
    agent = Agent(server)
    r = agent.authorize(authorize_url(server, response_type="code", client_id=oob["client_id"]),
                        decision="cancel")
    assert r.status_code == 403, r.text[:300]
    words = text_of(r.text)
    assert "You did not allow access" in words and "Nothing was shared" in words, words
    assert "access_denied" in words.split("Details for support")[1]
    assert "access_denied" not in words.split("Details for support")[0]
    assert "denied the request" not in words
    # a consent form without its CSRF token
    r = agent.get(authorize_url(server, response_type="code", client_id=app["client_id"],
                                redirect_uri=CB, code_challenge=pkce_pair()[1],
                                code_challenge_method="S256"))
    r = agent.submit(r.text, {"request": hidden(r.text, "request"), "decision": "authorize"})
    assert r.status_code == 403 and "This page has expired" in text_of(r.text)


def test_a_browser_gets_pages_at_the_root_and_unknown_paths(server):
    r = requests.get(server.url + "/", headers=HTML, timeout=10)
    assert r.status_code == 200
    assert_page_headers(r)
    assert f'href="{server.url}/account"' in r.text and "Sign-in service" in text_of(r.text)
    r = requests.get(server.url + "/no/such/page", headers=HTML, timeout=10)
    assert r.status_code == 404
    assert_page_headers(r)
    assert "Page not found" in text_of(r.text)
    # API clients, curl and the rest of this suite keep the JSON they rely on
    for accept in (None, "*/*", "application/json", "text/html;q=0"):
        h = {"Accept": accept} if accept else {}
        for path in ("/", "/no/such/page"):
            r = requests.get(server.url + path, headers=h, timeout=10)
            assert r.status_code == 404 and r.json()["error"] == "not_found", (accept, path)
    # a known path with the wrong method is still 405
    assert requests.get(server.url + "/token", headers=HTML, timeout=10).status_code == 405


def test_a_profile_may_add_a_path_for_the_account_page(make_server):
    srv = make_server(config_text='profile = { paths = { account = ["/my/apps"]; }; };\n')
    make_user(srv)
    agent = Agent(srv)
    r = agent.get(srv.url + "/my/apps")
    assert r.status_code == 200 and 'name="action" value="login"' in r.text, r.text[:300]
    r = agent.submit(r.text, {"action": "login", "csrf": hidden(r.text, "csrf"),
                              "username": "alice", "password": PASSWORD})
    assert r.status_code == 303
    assert "Your account" in agent.get(srv.url + "/my/apps").text
    assert "Your account" in agent.get(srv.url + "/account").text  # the standard path stays
