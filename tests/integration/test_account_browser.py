"""The end user's pages in headless Chromium (Debian's /usr/bin/chromium driven by
tests/browser/pages.mjs through npm's playwright-core), each looked at 1280 px and 390 px
wide: the consent page naming where the user will be sent, the account page before and after
Revoke, sign-out from the consent page, the out-of-band code page, error pages, the landing
page and the page for an unknown path. Each assertion is about what a person sees: the words
on the page, that nothing is wider than the screen, that the whole code is visible.

Screenshots go to tests/artifacts/browser/<test name>/NAME-1280.png and NAME-390.png.
Skipped like test_browser.py when Chromium, node or playwright-core is missing, unless
GRANTD_REQUIRE_BROWSER is set (ctest sets it)."""
import json
import shutil
import subprocess

import requests

from conftest import ARTIFACTS, ROOT, create_client
from test_browser import (PASSWORD, _browser_present, authorize_url, catcher,  # noqa: F401
                          make_user, pkce_pair)

PAGES = ROOT / "tests" / "browser" / "pages.mjs"


def walk(request, server, steps):
    """Runs pages.mjs over steps; its JSON answer, or a failure with its words and the log."""
    shots = ARTIFACTS / "browser" / request.node.name
    shutil.rmtree(shots, ignore_errors=True)
    arg = {"steps": steps, "screenshots_dir": str(shots), "timeout_ms": 45000}
    proc = subprocess.run(["node", str(PAGES), json.dumps(arg)], capture_output=True, text=True,
                          timeout=90, cwd=ROOT)
    if proc.returncode != 0:
        raise AssertionError(f"pages.mjs exited {proc.returncode}:\n{proc.stderr}\n"
                             f"{proc.stdout[-2000:]}\n--- grantd log ---\n"
                             f"{server.log_text()[-3000:]}")
    result = json.loads(proc.stdout)
    # Chromium's own favicon request, which img-src 'none' refuses at times, is not the page's
    blocked = [e for e in result["console_errors"]
               if "Content Security Policy" in e and "/favicon.ico" not in e]
    assert not blocked, blocked
    return result


def sign_in_steps(url):
    return [{"goto": url}, {"fill": "#username", "value": "alice"},
            {"fill": "#password", "value": PASSWORD}, {"click": "button[type=submit]"}]


def assert_fits(look, status=200):
    """The page as a person gets it: the status, grantd's page headers, and at both widths
    nothing that makes the page scroll sideways."""
    assert look["status"] == status, look
    h = look["headers"]
    assert h.get("cache-control") == "no-store", h
    assert "frame-ancestors 'none'" in h.get("content-security-policy", ""), h
    for width, w in look["widths"].items():
        assert w["overflow"] is False, (width, look["url"])


def test_consent_then_account_and_revoke(request, server, catcher):
    make_user(server)
    app = create_client(server, "--name", "Photo Printer", "--redirect-uri", catcher.uri,
                        "--scope", "profile email")
    verifier, challenge = pkce_pair()
    url = authorize_url(server, app["client_id"], challenge, redirect_uri=catcher.uri)
    result = walk(request, server, sign_in_steps(url) + [
        {"look": "consent"},
        {"click": "button[value=authorize]"},
        {"goto": server.url + "/account"},
        {"look": "account"},
        {"click": "button.danger"},
        {"look": "account-revoked"},
    ])
    consent, account, revoked = (result["looks"][k] for k in
                                 ("consent", "account", "account-revoked"))
    for look in (consent, account, revoked):
        assert_fits(look)
    assert "You will be sent to 127.0.0.1" in consent["text"], consent["text"]
    assert "Not you? Sign out" in consent["text"]
    assert "Photo Printer" in account["text"] and "Authorized since" in account["text"]
    assert "Revoke access" in account["text"] and "Sign out" in account["text"]
    assert "Photo Printer can no longer use your account." in revoked["text"], revoked["text"]
    assert "No application can use your account" in revoked["text"]
    # the code the browser carried to the client before the revoke is dead too
    code = catcher.single()["code"]
    r = requests.post(server.url + "/token", auth=(app["client_id"], app["client_secret"]),
                      data={"grant_type": "authorization_code", "code": code,
                            "code_verifier": verifier, "redirect_uri": catcher.uri},
                      timeout=10)
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant", r.text


def test_not_you_signs_out_back_to_the_same_login(request, server, catcher):
    make_user(server)
    app = create_client(server, "--name", "Photo Printer", "--redirect-uri", catcher.uri,
                        "--scope", "profile")
    url = authorize_url(server, app["client_id"], pkce_pair()[1], redirect_uri=catcher.uri,
                        scope="profile")
    result = walk(request, server, sign_in_steps(url) + [
        {"click": "button[value=signout]"},
        {"look": "login-again"},
    ])
    again = result["looks"]["login-again"]
    assert_fits(again)
    assert again["url"] == url, again["url"]
    assert "Sign in" in again["text"] and "to continue to Photo Printer" in again["text"]
    assert catcher.requests == []


def test_out_of_band_code_is_whole_at_every_width(request, server):
    make_user(server)
    app = create_client(server, "--name", "TV App", "--scope", "profile")
    verifier, challenge = pkce_pair()
    url = authorize_url(server, app["client_id"], challenge, scope="profile")
    result = walk(request, server, sign_in_steps(url) + [
        {"click": "button[value=authorize]"},
        {"look": "oob"},
    ])
    oob = result["looks"]["oob"]
    assert_fits(oob)
    code = oob["code"].strip()
    assert len(code) == 43, oob
    assert code in oob["text"].replace("\n", ""), oob["text"]
    for width, w in oob["widths"].items():
        assert w["code_fits"] is True, (width, w)
    # the 43 characters are wider than a phone's card: they wrap (an input clipped them)
    assert oob["widths"]["390"]["code_lines"] >= 2, oob["widths"]
    r = requests.post(server.url + "/token", auth=(app["client_id"], app["client_secret"]),
                      data={"grant_type": "authorization_code", "code": code,
                            "code_verifier": verifier}, timeout=10)
    assert r.status_code == 200, r.text


def test_error_pages_landing_and_not_found(request, server):
    make_user(server)
    tv = create_client(server, "--name", "TV App", "--scope", "profile")
    cancel = authorize_url(server, tv["client_id"], pkce_pair()[1], scope="profile")
    result = walk(request, server, [
        {"goto": authorize_url(server, "no-such-app", pkce_pair()[1])},
        {"look": "error-unknown-app"},
        {"goto": server.url + "/"},
        {"look": "landing"},
        {"goto": server.url + "/no/such/page"},
        {"look": "not-found"},
    ] + sign_in_steps(cancel) + [
        {"click": "button[value=cancel]"},
        {"look": "cancelled"},
    ])
    looks = result["looks"]
    unknown = looks["error-unknown-app"]
    assert_fits(unknown, 400)
    assert "We don't recognise the application that sent you here" in unknown["text"]
    assert "Go back to the application" in unknown["text"]
    assert unknown["text"].index("Details for support") > unknown["text"].index("Go back")
    assert_fits(looks["landing"], 200)
    assert "Go to your account" in looks["landing"]["text"]
    assert_fits(looks["not-found"], 404)
    assert "Page not found" in looks["not-found"]["text"]
    cancelled = looks["cancelled"]
    assert_fits(cancelled, 403)
    assert "You did not allow access" in cancelled["text"]
    before, details = cancelled["text"].split("Details for support")
    assert "access_denied" in details and "access_denied" not in before


def test_branded_login_and_consent_in_chromium(request, make_server, catcher):
    """A profile's look as Chromium draws it (issue 13 item 5): a browser set to German gets
    the German pages with the product's name, and the stylesheet with the brand's colours is
    applied (the CSP let it in: the computed colours are the brand's, not the browser's)."""
    server = make_server(config_text="""
profile = { branding = {
  product_name = "Acme Pay";
  primary_color = "#0a7f3c";
  background_color = "#eef6f0";
  languages = ["en", "de"];
}; };
""")
    make_user(server)
    app = create_client(server, "--name", "Photo Printer", "--redirect-uri", catcher.uri,
                        "--scope", "profile email")
    _, challenge = pkce_pair()
    url = authorize_url(server, app["client_id"], challenge, redirect_uri=catcher.uri)
    shots = ARTIFACTS / "browser" / request.node.name
    shutil.rmtree(shots, ignore_errors=True)
    arg = {"steps": [{"goto": url}, {"look": "branded-login"},
                     {"fill": "#username", "value": "alice"},
                     {"fill": "#password", "value": PASSWORD},
                     {"click": "button[type=submit]"}, {"look": "branded-consent"}],
           "screenshots_dir": str(shots), "timeout_ms": 45000, "locale": "de-DE"}
    proc = subprocess.run(["node", str(PAGES), json.dumps(arg)], capture_output=True,
                          text=True, timeout=90, cwd=ROOT)
    assert proc.returncode == 0, (proc.stderr, proc.stdout[-2000:], server.log_text()[-2000:])
    result = json.loads(proc.stdout)
    blocked = [e for e in result["console_errors"]
               if "Content Security Policy" in e and "/favicon.ico" not in e]
    assert not blocked, blocked
    login, consent = result["looks"]["branded-login"], result["looks"]["branded-consent"]
    for look in (login, consent):
        assert_fits(look)
        assert look["lang"] == "de" and "Acme Pay" in look["text"], look["text"]
        assert look["colors"] == {"body": "rgb(238, 246, 240)", "button": "rgb(10, 127, 60)"}
    assert "Benutzername" in login["text"] and "Anmelden" in login["text"]
    assert "Photo Printer möchte auf Ihr Konto zugreifen" in consent["text"], consent["text"]
    assert "Erlauben" in consent["text"] and "Abbrechen" in consent["text"]
    for name in ("branded-login", "branded-consent"):
        for width in (1280, 390):
            assert (shots / f"{name}-{width}.png").stat().st_size > 0
