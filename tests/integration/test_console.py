"""The developer console (issue 13 item 2) over HTTP as a browser sends it: a developer signs
in at ISSUER/console, registers an application and sees its Client ID and Secret once,
rotates the secret, revokes the application (its tokens die at /userinfo and /check, its
refresh token fails) and enables it again (new secret, or with profile.console.reenable =
"new_client_id" a new Client ID too), and deletes it. Another developer's application is a
404, a signed-in user who is not a developer gets a 403, a form without the session's CSRF
token changes nothing, every page is no-store with a strict CSP, and the audit trail names
the developer.

Chromium's view of the same pages (screenshots at 1280 and 390 px) is test_console_browser.py."""
import html
import json
import re

import requests

from flow import PASSWORD, Agent, hidden
from test_check import admin_server, check
from test_revocation_feed import feed
from test_tokens import CB, grant, refresh

SCOPES = 'scopes = ( { name = "profile"; description = "Your name"; },\n' \
         '           { name = "orders"; description = "Place orders"; } );\n'


def make_developer(srv, username="dev", developer=True):
    args = ["user", "create", "--username", username, "--json"]
    if developer:
        args.append("--developer")
    return json.loads(srv.cli(*args, input=PASSWORD + "\n").stdout)


def assert_page_headers(r, script=False):
    assert r.headers["Content-Type"].startswith("text/html"), r.headers
    assert r.headers["Cache-Control"] == "no-store", r.headers
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp, csp
    if script:
        assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]{44}'", csp), csp
    else:
        assert "script-src 'none'" in csp, csp
    assert r.headers["X-Frame-Options"] == "DENY"


def sign_in(srv, username="dev"):
    agent = Agent(srv)
    r = agent.get(srv.url + "/console")
    assert r.status_code == 200 and 'value="login"' in r.text, r.text[:500]
    assert_page_headers(r)
    r = agent.post("/console", {"action": "login", "csrf": hidden(r.text, "csrf"),
                                "username": username, "password": PASSWORD})
    assert r.status_code == 303 and r.headers["Location"] == srv.url + "/console", r.text[:500]
    return agent


def page(agent, query=""):
    r = agent.get(agent.srv.url + "/console" + query)
    return r


def code_of(text, element_id):
    m = re.search(r'<div class="code" id="%s">([^<]*)</div>' % element_id, text)
    return html.unescape(m.group(1)) if m else None


def create_app(agent, name="Shop", uris=CB, grants=("authorization_code", "refresh_token"),
               scopes=("profile",), extra=None):
    form = page(agent, "?new=1")
    assert form.status_code == 200, form.text[:500]
    for box in ["g." + g for g in grants] + ["s." + s for s in scopes]:
        assert 'name="%s"' % box in form.text, box  # the boxes the form offers
    data = {"action": "create", "csrf": hidden(form.text, "csrf"), "name": name,
            "redirect_uris": uris}
    data.update({"g." + g: "on" for g in grants})
    data.update({"s." + s: "on" for s in scopes})
    data.update(extra or {})
    return agent.post("/console", data)


def credentials(r, agent):
    """The credentials page a change leads to: a 303 to CONSOLE?credentials, shown once."""
    assert r.status_code == 303, (r.status_code, r.text[:1000])
    assert r.headers["Location"] == agent.srv.url + "/console?credentials=once"
    r = agent.get(r.headers["Location"])
    assert r.status_code == 200, r.text[:1000]
    assert_page_headers(r, script=True)
    cid, secret = code_of(r.text, "client_id"), code_of(r.text, "client_secret")
    assert cid and secret, r.text[:2000]
    assert "shown only this once" in r.text
    return {"client_id": cid, "client_secret": secret}


def act(agent, action, client_id, csrf=True):
    data = {"action": action, "app": client_id}
    if csrf:
        data["csrf"] = hidden(page(agent).text, "csrf")
    return agent.post("/console", data)


def audit(srv):
    return [json.loads(line) for line in srv.cli("audit", "list", "--json").stdout.splitlines()]


def test_the_sealed_credentials_open_once_in_their_session_only(make_server, clock):
    srv = make_server(config_text=SCOPES)
    make_developer(srv)
    agent = sign_in(srv)
    r = create_app(agent)
    assert r.status_code == 303
    sealed = agent.http.cookies.get("grantd_console_once")
    assert sealed and "HttpOnly" in r.headers["Set-Cookie"] and \
        "SameSite=Strict" in r.headers["Set-Cookie"]
    # another session (another developer's browser) cannot open it
    thief = sign_in(srv)
    thief.http.cookies.set("grantd_console_once", sealed)
    stolen = page(thief, "?credentials=once")
    assert stolen.status_code == 200 and 'id="client_secret"' not in stolen.text
    # nor can its own session once it has expired (the server's clock decides, not the jar)
    clock.advance(121)
    agent.http.cookies.set("grantd_console_once", sealed)
    late = page(agent, "?credentials=once")
    assert late.status_code == 200 and 'id="client_secret"' not in late.text
    assert "shown only once" in late.text
    # a tampered value is refused too
    agent.http.cookies.set("grantd_console_once", sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1])
    assert 'id="client_secret"' not in page(agent, "?credentials=once").text


def test_create_revoke_enable_delete(make_server):
    srv = admin_server(make_server, config_text=SCOPES)
    dev = make_developer(srv)
    make_developer(srv, "alice", developer=False)
    agent = sign_in(srv)
    empty = page(agent)
    assert empty.status_code == 200 and 'id="no-apps"' in empty.text
    app = credentials(create_app(agent), agent)
    # listed, and its page shows the id but never the secret again
    listing = page(agent)
    assert app["client_id"] in listing.text and "Shop" in listing.text
    detail = page(agent, "?app=" + app["client_id"])
    assert detail.status_code == 200, detail.text[:500]
    assert_page_headers(detail)
    assert app["client_secret"] not in detail.text and app["client_secret"] not in listing.text
    # the credentials page does not come back on reload
    again = page(agent, "?credentials=once")
    assert again.status_code == 200 and app["client_secret"] not in again.text
    assert "shown only once" in again.text
    assert CB in detail.text and "Created" in detail.text

    tokens = grant(srv, app, scope="profile")
    at, rt = tokens["access_token"], tokens["refresh_token"]
    assert requests.get(srv.url + "/userinfo", headers={"Authorization": "Bearer " + at},
                        timeout=10).status_code == 200
    assert check(srv, at).status_code == 200

    before = feed(srv)["cursor"]
    r = act(agent, "revoke", app["client_id"])
    assert r.status_code == 200 and "Revoked" in r.text, r.text[:500]
    announced = feed(srv, before)["events"]
    assert [e.get("client_id") for e in announced if e["kind"] == "client"] == \
        [app["client_id"]], announced
    assert requests.get(srv.url + "/userinfo", headers={"Authorization": "Bearer " + at},
                        timeout=10).status_code == 401
    assert check(srv, at).status_code == 401
    assert refresh(srv, app, rt).status_code in (400, 401)

    again = credentials(act(agent, "enable", app["client_id"]), agent)
    assert again["client_id"] == app["client_id"]
    assert again["client_secret"] != app["client_secret"]
    old = dict(app)
    assert requests.post(srv.url + "/token", data={"grant_type": "client_credentials"},
                         auth=(old["client_id"], old["client_secret"]),
                         timeout=10).status_code == 401
    fresh = grant(srv, again, scope="profile")
    assert check(srv, fresh["access_token"]).status_code == 200

    rotated = credentials(act(agent, "rotate", app["client_id"]), agent)
    assert rotated["client_secret"] != again["client_secret"]

    confirm = page(agent, "?app=%s&confirm=delete" % app["client_id"])
    assert confirm.status_code == 200 and 'value="delete"' in confirm.text
    r = act(agent, "delete", app["client_id"])
    assert r.status_code == 200 and "is deleted" in r.text, r.text[:500]
    assert page(agent, "?app=" + app["client_id"]).status_code == 404

    mine = [e for e in audit(srv) if e["target"]["id"] == app["client_id"]]
    assert [e["action"] for e in mine] == ["client.create", "client.disable", "client.enable",
                                           "client.secret_rotate", "client.delete"], mine
    assert all(e["actor"] == {"kind": "developer", "id": dev["id"], "name": "dev"}
               for e in mine), mine
    # the events list of the page reads the same trail
    app2 = credentials(create_app(agent, name="Second"), agent)
    act(agent, "revoke", app2["client_id"])
    events = page(agent, "?app=" + app2["client_id"]).text
    assert re.search(r"Revoked</strong>.*by dev", events), events[-2000:]
    assert re.search(r"Created</strong>.*by dev", events)


def test_only_the_owner_sees_an_application(make_server):
    srv = make_server(config_text=SCOPES)
    make_developer(srv, "dev")
    make_developer(srv, "mallory")
    make_developer(srv, "alice", developer=False)
    owner = sign_in(srv, "dev")
    app = credentials(create_app(owner, name="Owner's <b>shop</b>"), owner)
    assert "&lt;b&gt;shop&lt;/b&gt;" in page(owner).text

    other = sign_in(srv, "mallory")
    assert app["client_id"] not in page(other).text
    r = page(other, "?app=" + app["client_id"])
    assert r.status_code == 404 and "Application not found" in r.text
    assert_page_headers(r)
    for action in ("revoke", "rotate", "enable", "delete"):
        r = act(other, action, app["client_id"])
        assert r.status_code == 404, (action, r.status_code)
    assert app["client_secret"] not in json.dumps(audit(srv))
    # a client made outside the console is in nobody's console
    cli = json.loads(srv.cli("client", "create", "--json", "--name", "CLI app",
                             "--redirect-uri", CB).stdout)
    assert page(owner, "?app=" + cli["client_id"]).status_code == 404
    assert "CLI app" not in page(owner).text

    user = sign_in(srv, "alice")
    r = page(user)
    assert r.status_code == 403 and "cannot register applications" in r.text
    # the session's CSRF token (the account page shows it) does not make them a developer
    csrf = hidden(user.get(srv.url + "/account").text, "csrf")
    r = user.post("/console", {"action": "revoke", "app": app["client_id"], "csrf": csrf})
    assert r.status_code == 403 and "cannot register applications" in r.text
    still = page(owner, "?app=" + app["client_id"])
    assert 'id="revoke"' in still.text  # nothing was revoked


def test_forms_without_the_csrf_token_change_nothing(make_server):
    srv = make_server(config_text=SCOPES)
    make_developer(srv)
    agent = sign_in(srv)
    app = credentials(create_app(agent), agent)
    for action in ("revoke", "rotate", "delete"):
        r = act(agent, action, app["client_id"], csrf=False)
        assert r.status_code == 403 and "expired" in r.text, r.text[:300]
        bad = agent.post("/console", {"action": action, "app": app["client_id"],
                                      "csrf": "x" * 43})
        assert bad.status_code == 403
    form = page(agent, "?new=1")
    r = agent.post("/console", {"action": "create", "name": "Nope", "redirect_uris": CB,
                                "g.authorization_code": "on"})
    assert r.status_code == 403
    assert "Nope" not in page(agent).text
    assert 'id="revoke"' in page(agent, "?app=" + app["client_id"]).text
    assert form.status_code == 200


def test_bad_input_is_refused_with_the_form_again(make_server):
    srv = make_server(config_text=SCOPES)
    make_developer(srv)
    agent = sign_in(srv)
    r = create_app(agent, name="Bad", uris="http://127.0.0.1:9/cb#frag")
    assert r.status_code == 400 and 'class="error"' in r.text and "fragment" in r.text, \
        r.text[:1500]
    assert 'value="Bad"' in r.text
    r = create_app(agent, name="", uris=CB)
    assert r.status_code == 400
    assert 'id="no-apps"' in page(agent).text


def test_post_logout_redirect_uris_for_openid_connect_sign_out(make_server):
    srv = make_server(config_text=SCOPES)
    make_developer(srv)
    agent = sign_in(srv)
    form = page(agent, "?new=1").text
    assert 'name="post_logout_redirect_uris"' in form and "Post-logout redirect URIs" in form
    # checked by the admin API's rules: the form comes back with what was typed
    bad = "https://shop.example/bye#x"
    r = create_app(agent, name="Shop", extra={"post_logout_redirect_uris": bad})
    assert r.status_code == 400 and "post_logout_redirect_uris" in r.text, r.text[:1500]
    assert html.escape(bad) in r.text or bad in r.text
    bye = "https://shop.example/bye"
    app = credentials(create_app(agent, name="Shop", extra={
        "post_logout_redirect_uris": "  %s \r\n\r\nhttps://shop.example/later\n" % bye}), agent)
    shown = json.loads(srv.cli("client", "show", app["client_id"], "--json").stdout)
    assert shown["post_logout_redirect_uris"] == [bye, "https://shop.example/later"]
    r = page(agent, "?app=" + app["client_id"])
    assert "Post-logout redirect URIs" in r.text and '<code class="d">%s</code>' % bye in r.text
    # an application without them does not show the heading
    plain = credentials(create_app(agent, name="Plain"), agent)
    assert json.loads(srv.cli("client", "show", plain["client_id"], "--json").stdout)[
        "post_logout_redirect_uris"] == []
    assert "Post-logout redirect URIs" not in page(agent, "?app=" + plain["client_id"]).text


APRUVE = SCOPES + '''profile = { name = "apruve";
  console = { reenable = "new_client_id"; create_label = "Create Client";
              revoke_label = "Revoke"; };
};
'''


def test_reenable_with_a_new_client_id(make_server):
    srv = admin_server(make_server, config_text=APRUVE)
    make_developer(srv)
    make_developer(srv, "alice", developer=False)  # the customer who authorizes
    agent = sign_in(srv)
    assert "Create Client" in page(agent).text
    app = credentials(create_app(agent), agent)
    tokens = grant(srv, app, scope="profile")
    act(agent, "revoke", app["client_id"])
    r = act(agent, "enable", app["client_id"])
    new = credentials(r, agent)
    assert new["client_id"] != app["client_id"]
    assert page(agent, "?app=" + app["client_id"]).status_code == 404
    assert refresh(srv, app, tokens["refresh_token"]).status_code in (400, 401)
    assert check(srv, tokens["access_token"]).status_code == 401
    fresh = grant(srv, new, scope="profile")
    assert check(srv, fresh["access_token"]).status_code == 200
    entry = [e for e in audit(srv) if e["target"]["id"] == new["client_id"]][0]
    assert entry["action"] == "client.enable"
    assert entry["details"]["previous_client_id"] == app["client_id"]


def test_the_admin_api_grants_and_withdraws_developer_access(make_server):
    from test_admin_api import Api, admin_key
    srv = admin_server(make_server, config_text=SCOPES)
    api = Api(srv, admin_key(srv)["key"])  # every answer checked against docs/admin-api.yaml
    users = "/v1/tenants/default/users"
    dev = api.ok("POST", users, {"username": "dev", "password": PASSWORD, "developer": True},
                 status=201)
    assert dev["developer"] is True
    plain = api.ok("POST", users, {"username": "plain", "password": PASSWORD}, status=201)
    assert plain["developer"] is False
    assert "developer must be true or false" in api.bad("PATCH", users + "/" + dev["id"],
                                                        {"developer": "yes"})
    agent = sign_in(srv, "dev")
    app = credentials(create_app(agent), agent)
    # the console's client is an ordinary client to the admin API
    shown = api.ok("GET", "/v1/tenants/default/clients/" + app["client_id"])
    assert shown["client_name"] == "Shop" and shown["redirect_uris"] == [CB]
    assert api.ok("PATCH", users + "/" + dev["id"], {"developer": False})["developer"] is False
    r = page(agent)
    assert r.status_code == 403 and "cannot register applications" in r.text
    assert api.ok("PATCH", users + "/" + dev["id"], {"developer": True})["developer"] is True
    assert app["client_id"] in page(agent).text


def test_bad_console_settings_stop_the_server(make_server):
    import pytest
    for setting, why in (('reenable = "new_everything";', "must be new_secret or new_client_id"),
                         ('create_label = "";', "must be 1 to 40 bytes")):
        srv = make_server(config_text="profile = { console = { %s }; };\n" % setting,
                          defer_start=True)
        with pytest.raises(AssertionError) as e:
            srv.start()
        assert why in str(e.value), str(e.value)[-500:]
        srv.proc = None


def test_a_profile_path_and_sign_out(make_server):
    srv = make_server(config_text=SCOPES + 'profile = { paths = { console = ["/developers"]; }; };\n')
    make_developer(srv)
    agent = sign_in(srv)
    r = agent.get(srv.url + "/developers")
    assert r.status_code == 200 and "Your applications" in r.text, r.text[:300]
    assert_page_headers(r)
    r = agent.post("/console", {"action": "signout", "csrf": hidden(r.text, "csrf")})
    assert r.status_code == 200 and "You are signed out." in r.text
    r = page(agent)
    assert r.status_code == 200 and 'value="login"' in r.text and "Your applications" not in r.text
