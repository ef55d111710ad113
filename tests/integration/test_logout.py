"""The end-session endpoint (OpenID Connect RP-Initiated Logout 1.0) as a browser meets it:
ISSUER/logout, published in discovery as end_session_endpoint. Nobody signed in: nothing to
end. Someone signed in whom the request cannot be tied to (no id_token_hint): a confirmation
page whose form, with the session's CSRF token, ends the session, and "Stay signed in"
keeps it. A post_logout_redirect_uri must be registered for the client exactly, or the
answer is a 400 page and never a redirect; state comes back on the redirect. Sessions are
per issuer. An id_token_hint naming the user signed in ends the session at once; another
user's hint, or one expired beyond lifetimes.session, only asks; a forged one is refused."""
import re
from urllib.parse import urlencode

import requests

from conftest import create_client
from flow import (PASSWORD, Agent, authorize_url, exchange, hidden, make_user, pkce_pair,
                  redirect_params)
from test_account import text_of

BYE = "http://127.0.0.1:9/bye"
BYE_Q = "http://127.0.0.1:9/out?from=idp"
LANGUAGES = """profile = {
  branding = { languages = ["en", "de", "nl"]; product_name = "Example ID"; };
};
"""


def app(srv, *args, client_id="rp"):
    return create_client(srv, "--id", client_id, "--name", "Relying Party", "--scope",
                         "openid profile", "--redirect-uri", "http://127.0.0.1:9/cb",
                         "--post-logout-redirect-uri", BYE, "--post-logout-redirect-uri", BYE_Q,
                         *args)


def sign_in(srv, agent, base=None, username="alice"):
    """Signs in on the account page of the issuer at base (default: srv.url)."""
    base = base or srv.url
    r = agent.get(base + "/account")
    assert r.status_code == 200 and 'value="login"' in r.text, r.text[:500]
    r = agent.submit(r.text, {"action": "login", "csrf": hidden(r.text, "csrf"),
                              "username": username, "password": PASSWORD})
    assert r.status_code == 303, r.text[:500]
    assert signed_in(agent, base)


def signed_in(agent, base):
    r = agent.get(base + "/account")
    assert r.status_code == 200
    return "Your account" in r.text


def logout_url(base, **params):
    return base + "/logout" + ("?" + urlencode(params) if params else "")


def confirm(agent, page, answer="yes", csrf=None):
    """Answers the confirmation page as its form would."""
    fields = {m.group(1): hidden(page, m.group(1))
              for m in re.finditer(r'<input type="hidden" name="([^"]+)"', page)}
    fields["confirm"] = answer
    if csrf is not None:
        fields["csrf"] = csrf
    return agent.submit(page, fields)


def test_discovery_names_the_end_session_endpoint(server):
    m = requests.get(server.url + "/.well-known/oauth-authorization-server", timeout=10).json()
    assert m["end_session_endpoint"] == server.url + "/logout"
    m = requests.get(server.url + "/.well-known/openid-configuration", timeout=10).json()
    assert m["end_session_endpoint"] == server.url + "/logout"


def test_nobody_signed_in_nothing_to_end(server):
    app(server)
    agent = Agent(server)
    r = agent.get(logout_url(server.url))
    assert r.status_code == 200 and "You are signed out" in text_of(r.text)
    assert r.headers["Cache-Control"] == "no-store"
    # with a registered URI: straight back, state echoed (302 for GET, 303 for POST)
    r = agent.get(logout_url(server.url, client_id="rp", post_logout_redirect_uri=BYE,
                             state="s 1&x"))
    assert r.status_code == 302 and r.headers["Location"] == BYE + "?state=s%201%26x"
    r = agent.post("/logout", {"client_id": "rp", "post_logout_redirect_uri": BYE_Q,
                               "state": "abc"})
    assert r.status_code == 303 and r.headers["Location"] == BYE_Q + "&state=abc"
    r = agent.get(logout_url(server.url, client_id="rp", post_logout_redirect_uri=BYE))
    assert r.status_code == 302 and r.headers["Location"] == BYE


def test_untied_request_asks_then_signs_out(server):
    app(server)
    make_user(server)
    agent = Agent(server)
    sign_in(server, agent)
    r = agent.get(logout_url(server.url, client_id="rp", post_logout_redirect_uri=BYE,
                             state="xyz", logout_hint="ignored"))
    words = text_of(r.text)
    assert r.status_code == 200, words
    assert "Sign out of " + server.url + "?" in words
    assert "Relying Party asks you to sign out." in words and "Signed in as alice" in words
    assert 'value="yes"' in r.text and "Stay signed in" in words
    assert hidden(r.text, "state") == "xyz" and hidden(r.text, "client_id") == "rp"
    assert "logout_hint" not in r.text
    assert signed_in(agent, server.url), "asking must not end the session"

    r = confirm(agent, r.text)
    assert r.status_code == 303 and r.headers["Location"] == BYE + "?state=xyz"
    assert "Max-Age=0" in r.headers["Set-Cookie"]
    assert not signed_in(agent, server.url)
    event = server.wait_event("logout")
    assert event["client_id"] == "rp" and event["user_id"] and event["request_id"]
    assert "xyz" not in str(event)
    # the authorization request asks for a login again
    r = agent.get(authorize_url(server, response_type="code", client_id="rp",
                                redirect_uri="http://127.0.0.1:9/cb", scope="profile",
                                code_challenge="E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                                code_challenge_method="S256", state="s"))
    assert r.status_code == 200 and 'name="password"' in r.text


def test_confirmation_without_an_application_shows_the_signed_out_page(server):
    make_user(server)
    agent = Agent(server)
    sign_in(server, agent)
    r = agent.get(logout_url(server.url))
    assert r.status_code == 200 and "asks you to sign out" not in text_of(r.text)
    r = confirm(agent, r.text)
    assert r.status_code == 200 and "You are signed out" in text_of(r.text)
    assert not signed_in(agent, server.url)


def test_a_wrong_csrf_token_ends_nothing(server):
    app(server)
    make_user(server)
    agent = Agent(server)
    sign_in(server, agent)
    page = agent.get(logout_url(server.url, client_id="rp", post_logout_redirect_uri=BYE))
    r = confirm(agent, page.text, csrf="forged")
    assert r.status_code == 403 and "This page has expired" in text_of(r.text)
    assert "Location" not in r.headers
    r = agent.post("/logout", {"confirm": "yes"})
    assert r.status_code == 403
    assert signed_in(agent, server.url)
    # another browser's token does not work either
    other = Agent(server)
    sign_in(server, other)
    theirs = hidden(other.get(logout_url(server.url)).text, "csrf")
    r = confirm(agent, page.text, csrf=theirs)
    assert r.status_code == 403 and signed_in(agent, server.url)


def test_stay_signed_in(server):
    app(server)
    make_user(server)
    agent = Agent(server)
    sign_in(server, agent)
    page = agent.get(logout_url(server.url, client_id="rp", post_logout_redirect_uri=BYE_Q,
                                state="k"))
    r = confirm(agent, page.text, "no")
    assert r.status_code == 303 and r.headers["Location"] == BYE_Q + "&state=k"
    assert signed_in(agent, server.url)
    r = confirm(agent, agent.get(logout_url(server.url)).text, "no")
    assert r.status_code == 200 and "You are still signed in" in text_of(r.text)
    assert signed_in(agent, server.url)


def test_unregistered_or_unknown_targets_are_refused(server):
    app(server)
    make_user(server)
    agent = Agent(server)
    sign_in(server, agent)
    cases = [
        ({"client_id": "rp", "post_logout_redirect_uri": "http://127.0.0.1:9/evil"},
         "not registered"),
        ({"client_id": "rp", "post_logout_redirect_uri": BYE + "/"}, "not registered"),
        ({"client_id": "rp", "post_logout_redirect_uri": BYE.upper()}, "not registered"),
        ({"post_logout_redirect_uri": BYE}, "does not name an application"),
        ({"client_id": "nobody", "post_logout_redirect_uri": BYE},
         "does not name an application"),
    ]
    for params, says in cases:
        for r in (agent.get(logout_url(server.url, **params)), agent.post("/logout", params)):
            assert r.status_code == 400, (params, r.status_code)
            assert "Location" not in r.headers
            assert says in text_of(r.text), (params, text_of(r.text))
    # the refusal came before anything ended
    assert signed_in(agent, server.url)


def test_repeated_parameters_and_forged_hints_are_refused(server):
    app(server)
    agent = Agent(server)
    r = agent.get(server.url + "/logout?client_id=rp&client_id=rp")
    assert r.status_code == 400 and "repeated" in text_of(r.text)
    r = agent.get(server.url + "/logout?state=a&state=b&post_logout_redirect_uri=" + BYE)
    assert r.status_code == 400 and "Location" not in r.headers
    forged = "eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0."
    r = agent.get(logout_url(server.url, id_token_hint=forged, client_id="rp",
                             post_logout_redirect_uri=BYE))
    assert r.status_code == 400 and "did not make" in text_of(r.text)
    assert "Location" not in r.headers
    assert forged not in server.log_text()


def test_pages_speak_the_asked_language(make_server):
    server = make_server(config_text=LANGUAGES)
    app(server)
    make_user(server)
    agent = Agent(server)
    sign_in(server, agent)
    r = agent.get(logout_url(server.url, client_id="rp", ui_locales="fr de"))
    words = text_of(r.text)
    assert 'lang="de"' in r.text and "Von Example ID abmelden?" in words
    assert "Angemeldet bleiben" in words
    assert hidden(r.text, "ui_locales") == "fr de"
    r = confirm(agent, r.text)
    assert r.status_code == 200 and "Sie sind abgemeldet" in text_of(r.text)
    r = agent.get(logout_url(server.url, ui_locales="nl"))
    assert "U bent afgemeld" in text_of(r.text)


def test_sessions_are_per_issuer(make_server):
    server = make_server(defer_start=True)
    server.cli("tenant", "create", "shop2", "--issuer", "/shop2")
    server.start()
    make_user(server)
    server.cli("user", "create", "--username", "alice", "--tenant", "shop2",
               input=PASSWORD + "\n")
    app(server)
    app(server, "--tenant", "shop2")
    agent = Agent(server)
    shop2 = server.url + "/shop2"
    sign_in(server, agent)
    sign_in(server, agent, shop2)
    page = agent.get(logout_url(shop2, client_id="rp"))
    assert "Sign out of " + shop2 + "?" in text_of(page.text)
    assert re.search(r'action="' + re.escape(shop2) + '/logout"', page.text)
    r = confirm(agent, page.text)
    assert r.status_code == 200 and "You are signed out" in text_of(r.text)
    assert not signed_in(agent, shop2)
    assert signed_in(agent, server.url), "the other issuer's session must stay"
    # and the other way round: the default issuer's logout leaves a new shop2 session alone
    sign_in(server, agent, shop2)
    r = confirm(agent, agent.get(logout_url(server.url)).text)
    assert r.status_code == 200
    assert not signed_in(agent, server.url) and signed_in(agent, shop2)
    # a default issuer's form cannot end shop2's session: its CSRF token is another one
    page = agent.get(logout_url(shop2)).text
    sign_in(server, agent)
    default_csrf = hidden(agent.get(logout_url(server.url)).text, "csrf")
    r = confirm(agent, page, csrf=default_csrf)
    assert r.status_code == 403 and signed_in(agent, shop2)


def oidc_sign_in(srv, agent, client, username="alice"):
    """The code flow with openid on agent's browser; returns the ID token."""
    client_id = client["client_id"]
    verifier, challenge = pkce_pair()
    r = agent.authorize(authorize_url(srv, response_type="code", client_id=client_id,
                                      redirect_uri="http://127.0.0.1:9/cb",
                                      scope="openid profile", code_challenge=challenge,
                                      code_challenge_method="S256"), username=username)
    tok = exchange(srv, client, redirect_params(r)["code"],
                   "http://127.0.0.1:9/cb", verifier)
    assert tok.status_code == 200, tok.text
    return tok.json()["id_token"]


def test_the_signed_in_users_hint_ends_the_session_at_once(server):
    rp = app(server, "--grant", "authorization_code")
    make_user(server)
    agent = Agent(server)
    hint = oidc_sign_in(server, agent, rp)
    assert signed_in(agent, server.url)
    # the client comes from the hint's aud; no page, straight back with state
    r = agent.get(logout_url(server.url, id_token_hint=hint, post_logout_redirect_uri=BYE,
                             state="z"))
    assert r.status_code == 302 and r.headers["Location"] == BYE + "?state=z"
    assert "Max-Age=0" in r.headers["Set-Cookie"]
    assert not signed_in(agent, server.url)
    event = server.wait_event("logout")
    assert event["client_id"] == "rp" and event["user_id"]
    assert hint not in server.log_text() and hint.split(".")[1] not in server.log_text()
    # POST, without a redirect URI: the signed-out page
    hint = oidc_sign_in(server, agent, rp)
    r = agent.post("/logout", {"id_token_hint": hint, "client_id": "rp"})
    assert r.status_code == 200 and "You are signed out" in text_of(r.text)
    assert not signed_in(agent, server.url)
    # and the next authorization request asks for a login
    r = agent.get(authorize_url(server, response_type="code", client_id="rp",
                                redirect_uri="http://127.0.0.1:9/cb", scope="openid",
                                code_challenge=pkce_pair()[1], code_challenge_method="S256"))
    assert r.status_code == 200 and 'name="password"' in r.text
    # with a registered URI and a query of its own, POST answers 303
    hint = oidc_sign_in(server, agent, rp)
    r = agent.post("/logout", {"id_token_hint": hint, "post_logout_redirect_uri": BYE_Q,
                               "state": "q"})
    assert r.status_code == 303 and r.headers["Location"] == BYE_Q + "&state=q"


def test_hints_that_cannot_end_the_session_alone(server, clock):
    rp = app(server, "--grant", "authorization_code")
    create_client(server, "--id", "other", "--name", "Other", "--grant", "authorization_code",
                  "--scope", "openid", "--redirect-uri", "http://127.0.0.1:9/cb",
                  "--post-logout-redirect-uri", BYE)
    make_user(server)
    make_user(server, username="bob", account="acct-7")
    alice = Agent(server)
    hint = oidc_sign_in(server, alice, rp)
    # client_id not among the hint's audiences: refused, nothing ends
    r = alice.get(logout_url(server.url, id_token_hint=hint, client_id="other",
                             post_logout_redirect_uri=BYE))
    assert r.status_code == 400 and "not the one you signed in to" in text_of(r.text)
    assert "Location" not in r.headers and signed_in(alice, server.url)
    # a changed payload is no hint of ours
    head, body, sig = hint.split(".")
    r = alice.get(logout_url(server.url, id_token_hint=f"{head}.{body}x.{sig}"))
    assert r.status_code == 400 and signed_in(alice, server.url)
    # alice's hint on bob's browser: bob is asked, and stays signed in until he says so
    bob = Agent(server)
    sign_in(server, bob, username="bob")
    r = bob.get(logout_url(server.url, id_token_hint=hint, post_logout_redirect_uri=BYE))
    assert r.status_code == 200 and "Signed in as bob" in text_of(r.text)
    assert "Relying Party asks you to sign out." in text_of(r.text)
    assert signed_in(bob, server.url)
    r = confirm(bob, r.text)
    assert r.status_code == 303 and r.headers["Location"] == BYE
    assert not signed_in(bob, server.url)
    # a hint expired beyond lifetimes.session counts as absent: alice, signed in again, is
    # asked; and without client_id there is no client to send her back to
    clock.advance(30 * 86400)
    sign_in(server, alice)
    r = alice.get(logout_url(server.url, id_token_hint=hint))
    assert r.status_code == 200 and 'value="yes"' in r.text and signed_in(alice, server.url)
    r = alice.get(logout_url(server.url, id_token_hint=hint, post_logout_redirect_uri=BYE))
    assert r.status_code == 400 and "does not name an application" in text_of(r.text)
    r = alice.get(logout_url(server.url, id_token_hint=hint, client_id="other",
                             post_logout_redirect_uri=BYE))
    assert r.status_code == 200 and 'value="yes"' in r.text
