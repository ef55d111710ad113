"""Each provider's look (issue 13 item 5), over HTTP as a browser sends it: a profile's
product name, logo, colours and texts appear on the login, consent, error, landing and account
pages; `ui_locales` and `Accept-Language` pick the page's language (first the one, then the
other, then the issuer's default), carried through the login form to the consent page;
the CSP still pins exactly the inline stylesheet of the theme and the logo's one URL; and a colour that is not
#rrggbb (a CSS injection) is refused when the configuration loads.

Chromium's view of a branded login and consent page (1280 and 390 px) is in
test_browser.py."""
import base64
import hashlib
import re
from urllib.parse import urlencode

import requests


from conftest import create_client
from flow import Agent, authorize_url, hidden, make_client, make_user
from test_account import HTML, text_of
from test_config_and_logs import serve_fails

BRANDING = """
profile = {
  branding = {
    product_name = "Acme Pay";
    primary_color = "#0a7f3c";
    background_color = "#eef6f0";
    text_color = "#102a1a";
    languages = ["nl", "de", "en"];
    texts = {
      en = { authorize_button = "Connect"; sign_in_title = "Log in to Acme Pay"; };
      nl = { authorize_button = "Verbinden"; };
    };
  };
};
"""


def style_and_csp(r):
    m = re.search(r"<style>(.*?)</style>", r.text, re.S)
    assert m, r.text[:500]
    digest = base64.b64encode(hashlib.sha256(m.group(1).encode()).digest()).decode()
    return m.group(1), digest, r.headers["Content-Security-Policy"]


def lang(r):
    m = re.search(r'<html lang="([^"]+)">', r.text)
    assert m, r.text[:300]
    return m.group(1)


def branded(make_server):
    srv = make_server(config_text=BRANDING)
    make_user(srv)
    return srv, make_client(srv)


def login_page(srv, client, headers=None, **params):
    agent = Agent(srv)
    if headers:
        agent.http.headers.update(headers)
    r = agent.get(authorize_url(srv, response_type="code", client_id=client["client_id"],
                                redirect_uri="http://127.0.0.1:9/cb", scope="profile",
                                state="s", **params))
    assert r.status_code == 200 and 'name="password"' in r.text, r.text[:500]
    return agent, r


def test_login_page_carries_the_brand_and_its_default_language(make_server):
    srv, client = branded(make_server)
    _, r = login_page(srv, client)
    # no language asked for: the issuer's first one, Dutch
    assert lang(r) == "nl"
    assert "<title>Aanmelden \u2013 Acme Pay</title>" in r.text
    assert '<p class="brand" id="brand">Acme Pay</p>' in r.text
    words = text_of(r.text)
    assert "Gebruikersnaam" in words and "Wachtwoord" in words and "Username" not in words
    style, digest, csp = style_and_csp(r)
    assert style.startswith(":root{--p:#0a7f3c;--on-p:#ffffff;--bg:#eef6f0;--fg:#102a1a}")
    # the CSP pins exactly this stylesheet, and loads nothing else
    assert f"style-src 'sha256-{digest}'" in csp, csp
    assert "script-src 'none'" in csp and "img-src 'none'" in csp and "*" not in csp


def test_accept_language_and_ui_locales_choose_the_language(make_server):
    srv, client = branded(make_server)
    _, r = login_page(srv, client, {"Accept-Language": "de-DE,de;q=0.9,en;q=0.8"})
    assert lang(r) == "de" and "Anmelden" in text_of(r.text) and "Benutzername" in r.text
    # ui_locales wins over Accept-Language; its first supported tag counts
    _, r = login_page(srv, client, {"Accept-Language": "de"}, ui_locales="fr-CA en-GB de")
    assert lang(r) == "en" and "Log in to Acme Pay" in r.text  # the profile's wording
    # unsupported everywhere: the issuer's default
    _, r = login_page(srv, client, {"Accept-Language": "fr-BE, es;q=0.5"}, ui_locales="ja")
    assert lang(r) == "nl" and "Aanmelden" in r.text
    # q=0 refuses a language
    _, r = login_page(srv, client, {"Accept-Language": "de;q=0, en;q=0.1"})
    assert lang(r) == "en"


def test_the_language_follows_the_request_through_login_to_consent(make_server):
    srv, client = branded(make_server)
    agent, r = login_page(srv, client, {"Accept-Language": "nl"}, ui_locales="de")
    # a wrong password: the page that answers is still German (ui_locales rides in the form)
    bad = agent.submit(r.text, {"request": hidden(r.text, "request"),
                                "csrf": hidden(r.text, "csrf"),
                                "binding": hidden(r.text, "binding"),
                                "username": "alice", "password": "wrong"})
    assert bad.status_code == 401 and lang(bad) == "de", bad.text[:300]
    assert "Benutzername oder Passwort ist falsch." in text_of(bad.text)
    ok = agent.login(r)
    assert ok.status_code == 303
    consent = agent.get(ok.headers["Location"])
    assert consent.status_code == 200 and lang(consent) == "de", consent.text[:300]
    words = text_of(consent.text)
    assert "Test App möchte auf Ihr Konto zugreifen" in words, words
    assert "Erlauben" in words and "Abbrechen" in words
    # the same consent page in English carries the profile's button wording
    agent.http.headers["Accept-Language"] = "en"
    r2 = agent.get(authorize_url(srv, response_type="code", client_id=client["client_id"],
                                 redirect_uri="http://127.0.0.1:9/cb", scope="profile",
                                 state="s"))
    assert r2.status_code == 200 and lang(r2) == "en"
    assert '<button type="submit" name="decision" value="authorize">Connect</button>' in r2.text
    style, digest, csp = style_and_csp(r2)
    assert f"'sha256-{digest}'" in csp


def test_error_landing_and_account_pages_are_branded(make_server):
    srv, _ = branded(make_server)
    agent = Agent(srv)
    agent.http.headers.update({**HTML, "Accept-Language": "de"})
    for path, status, words in (("/", 200, "Anmeldedienst"),
                                ("/nowhere", 404, "Seite nicht gefunden"),
                                ("/account", 200, "Anmelden"),
                                ("/authorize?client_id=nobody", 400,
                                 "Wir kennen die Anwendung nicht")):
        r = agent.get(srv.url + path)
        assert r.status_code == status, (path, r.status_code, r.text[:300])
        assert lang(r) == "de" and "Acme Pay" in r.text and words in text_of(r.text), path
        _, digest, csp = style_and_csp(r)
        assert f"'sha256-{digest}'" in csp, path


def test_default_look_is_unchanged_without_branding(server):
    make_user(server)
    client = make_client(server)
    _, r = login_page(server, client, {"Accept-Language": "de"})
    # grantd's own look: English only (no languages listed), no product line
    assert lang(r) == "en" and "<title>Sign in</title>" in r.text and 'class="brand"' not in r.text
    assert ":root{--p:#1e40af;" in r.text


def test_a_colour_that_is_not_rrggbb_is_refused(tmp_path):
    for value in ('#0a7f3c;}body{background:url(https://evil.example/x)}', "red", "#fff"):
        p = serve_fails(tmp_path, 'profile = { branding = { primary_color = "%s"; }; };\n'
                        % value.replace('"', '\\"'))
        assert p.returncode == 2 and "bad.conf:1" in p.stderr, p.stderr
        assert "primary_color must be a colour written #rrggbb" in p.stderr, p.stderr
    p = serve_fails(tmp_path, 'profile = { branding = { languages = ["tlh"]; }; };\n')
    assert p.returncode == 2 and "is not a language grantd ships" in p.stderr, p.stderr
    p = serve_fails(tmp_path, 'profile = { branding = { texts = { de = { nope = "x"; }; }; }; };\n')
    assert p.returncode == 2 and "unknown text 'nope'" in p.stderr, p.stderr


def test_a_logo_is_pinned_by_its_exact_url(make_server):
    srv = make_server(config_text="""
profile = { branding = {
  product_name = "Acme Pay";
  logo_url = "https://cdn.acme.example/brand/logo.png";
}; };
""")
    r = requests.get(srv.url + "/", headers=HTML, timeout=10)
    assert r.status_code == 200
    assert ('<p class="brand" id="brand"><img class="logo" '
            'src="https://cdn.acme.example/brand/logo.png" alt="Acme Pay"></p>') in r.text
    csp = r.headers["Content-Security-Policy"]
    # exactly that image and nothing else: no origin, no directory, no wildcard
    assert "; img-src https://cdn.acme.example/brand/logo.png;" in csp, csp
    assert "*" not in csp and "data:" not in csp
    for bad in ("https://cdn.acme.example/", "https://cdn.acme.example/l.png; script-src *",
                "http://cdn.acme.example/logo.png"):
        p = serve_fails(srv.workdir, 'profile = { branding = { logo_url = "%s"; }; };\n' % bad)
        assert p.returncode == 2 and "logo_url must be https://" in p.stderr, (bad, p.stderr)


def test_shipped_profiles_carry_their_names_and_apruves_wording(make_server):
    from test_profiles import profile
    srv = make_server(config_text=profile("apruve"))
    make_user(srv)
    client = create_client(srv, "--name", "Spacely Sprockets", "--redirect-uri",
                           "https://spacelysprockets.com/oauth_callback")
    agent = Agent(srv)
    r = agent.get(srv.url + "/oauth2/authorize?" + urlencode({
        "client_id": client["client_id"], "response_type": "code",
        "redirect_uri": "https://spacelysprockets.com/oauth_callback", "state": "s"}))
    assert r.status_code == 200 and "<title>Sign in \u2013 Apruve</title>" in r.text
    r = agent.get(agent.login(r).headers["Location"])
    words = text_of(r.text)
    # the guide: the customer authorizes the merchant "to place orders on their behalf",
    # with "options to Authorize or Cancel"
    assert "Spacely Sprockets wants to place orders on your behalf" in words, words
    assert "Authorize" in words and "Cancel" in words
    for name, product in (("billit", "Billit"), ("apicbase", "Apicbase"),
                          ("procurios", "Procurios")):
        p = make_server(config_text=profile(name))
        page = requests.get(p.url + "/", headers=HTML, timeout=10)
        assert page.status_code == 200 and f'id="brand">{product}</p>' in page.text, name


def test_discovery_lists_the_languages(make_server, server):
    srv, _ = branded(make_server)
    doc = requests.get(srv.url + "/.well-known/oauth-authorization-server", timeout=10).json()
    assert doc["ui_locales_supported"] == ["nl", "de", "en"]
    doc = requests.get(server.url + "/.well-known/oauth-authorization-server", timeout=10).json()
    assert doc["ui_locales_supported"] == ["en"]
