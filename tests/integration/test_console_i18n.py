"""The developer console in the issuer's languages (issue 13 item 5 for item 2): with the
profile listing German and Dutch, `Accept-Language` (and `ui_locales` on the address) picks
the language of the console's sign-in, list, new-application, credentials, application and
404 pages, down to the Copy button's status messages and the names in "Recent events"; a
profile text (profile.branding.texts.LANG.NAME) replaces a console text, while the profile's
console button labels stay the provider's wording in every language. grantd(1) names every
text a profile may override.

The English console is test_console.py."""
import re
from pathlib import Path

from flow import Agent
from test_account import text_of
from test_console import SCOPES, create_app, make_developer, page, sign_in

CONFIG = SCOPES + """profile = {
  branding = {
    languages = ["en", "de", "nl"];
    texts = { de = { console_no_apps = "Noch nichts registriert."; }; };
  };
  console = { revoke_label = "Abschalten"; };
};
"""


def lang(r):
    m = re.search(r'<html lang="([^"]+)">', r.text)
    assert m, r.text[:300]
    return m.group(1)


def speaking(agent, language):
    agent.http.headers.update({"Accept-Language": language})
    return agent


def test_the_sign_in_page_follows_accept_language_and_ui_locales(make_server):
    srv = make_server(config_text=CONFIG)
    r = speaking(Agent(srv), "de-DE, en;q=0.5").get(srv.url + "/console")
    assert r.status_code == 200 and lang(r) == "de"
    words = text_of(r.text)
    assert "Bei der Entwicklerkonsole anmelden" in words and "Entwicklerkonsole" in words
    assert "Developer console" not in words and "Sign in" not in words
    r = Agent(srv).get(srv.url + "/console?ui_locales=nl")
    assert r.status_code == 200 and lang(r) == "nl"
    assert "Ontwikkelaarsconsole" in text_of(r.text)
    r = Agent(srv).get(srv.url + "/console")  # nothing asked for: the first listed, English
    assert lang(r) == "en" and "Developer console" in text_of(r.text)


def test_list_new_credentials_and_app_pages_in_german(make_server):
    srv = make_server(config_text=CONFIG)
    make_developer(srv)
    agent = speaking(sign_in(srv), "de")
    r = page(agent)
    words = text_of(r.text)
    assert lang(r) == "de" and "Ihre Anwendungen" in words
    assert "angemeldet als dev" in words and "Abmelden" in words
    # the profile's German text replaces the catalog's
    assert "Noch nichts registriert." in words and "Sie haben noch keine" not in words
    assert "Anwendung registrieren" in words and "Your applications" not in words

    r = page(agent, "?new=1")
    words = text_of(r.text)
    for text in ("Neue Anwendung", "Weiterleitungs-URIs", "Grant-Typen", "Scopes", "Abbrechen"):
        assert text in words, text
    assert "New application" not in words and "Redirect URIs" not in words

    r = create_app(agent)
    assert r.status_code == 303, r.text[:500]
    r = agent.get(r.headers["Location"])
    words = text_of(r.text)
    assert "Ihre Anwendung ist bereit" in words and "nur dieses eine Mal" in words
    assert "Kopieren" in words and "Ich habe sie kopiert" in words
    assert 'data-copied="Kopiert."' in r.text
    assert re.search(r'data-manual="Markiert\. Drücken Sie Strg\+C', r.text), r.text[-2000:]
    client_id = re.search(r'<div class="code" id="client_id">([^<]*)</div>', r.text).group(1)

    r = page(agent, "?app=" + client_id)
    words = text_of(r.text)
    for text in ("Client-Typ", "Vertraulich (hat ein Secret)", "Secret erneuern",
                 "Letzte Ereignisse", "Erstellt", "Diese Anwendung löschen", "Aktiv"):
        assert text in words, text
    assert "Abschalten" in words  # profile.console.revoke_label: the provider's wording
    assert "Recent events" not in words and "Client type" not in words

    r = speaking(agent, "nl").get(srv.url + "/console?app=" + client_id)
    words = text_of(r.text)
    assert lang(r) == "nl" and "Recente gebeurtenissen" in words and "Aangemaakt" in words

    r = speaking(agent, "de").get(srv.url + "/console?app=nope")
    assert r.status_code == 404
    assert "Anwendung nicht gefunden" in text_of(r.text)


def test_the_man_page_names_every_text():
    """grantd(1), BRANDING lists every name a profile may override, the console's too."""
    root = Path(__file__).resolve().parents[2]
    names = re.findall(r"^\s+X\((\w+),", (root / "src/core/ui_texts.h").read_text(), re.M)
    assert "console_no_apps" in names and "sign_in_title" in names
    man = (root / "docs/grantd.1").read_text()
    listed = re.search(r"^sign_in_title, .*\.$", man, re.M)
    assert listed, "no list of text names in grantd.1"
    assert set(listed.group(0).rstrip(".").split(", ")) == set(names)
