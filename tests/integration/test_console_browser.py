"""The developer console (issue 13 item 2) in headless Chromium (tests/browser/pages.mjs),
served with the shipped Apruve profile (examples/profiles/apruve.conf), each page looked at
1280 px and 390 px wide: a merchant (developer) signs in, clicks Create Client, copies the
Client ID and Secret with the Copy buttons (read back from the clipboard), and the Apruve
guide's flow runs with them; Revoke → the token is refused at /userinfo and /check and the
refresh token fails; Enable → a new Client ID and Secret that work, while the old ones do
not and the customer must authorize again; another developer gets a 404 for it. A browser
that speaks German gets every console page in German, and the Copy button's "Kopiert.".

Screenshots go to tests/artifacts/browser/<test name>/NAME-1280.png and NAME-390.png.
Skipped like test_browser.py when Chromium, node or playwright-core is missing, unless
GRANTD_REQUIRE_BROWSER is set (ctest sets it)."""
import json
import shutil
import subprocess
from urllib.parse import quote

import requests

from conftest import ARTIFACTS, ROOT
from flow import PASSWORD, Agent, make_user, redirect_params
from test_account_browser import assert_fits
from test_browser import _browser_present  # noqa: F401 (an autouse fixture)
from test_check import admin_server, check
from test_profiles import form_post, profile

CALLBACK = "https://spacelysprockets.com/oauth_callback"
BUYER = "buyer@spacelysprockets.com"


PAGES = ROOT / "tests" / "browser" / "pages.mjs"


def walk(request, server, steps, first=False, locale=None):
    """Runs pages.mjs over steps (a fresh browser each time, speaking locale if given);
    screenshots of every walk of the test go to one directory, emptied by the first."""
    shots = ARTIFACTS / "browser" / request.node.name
    if first:
        shutil.rmtree(shots, ignore_errors=True)
    arg = {"steps": steps, "screenshots_dir": str(shots), "timeout_ms": 45000}
    if locale:
        arg["locale"] = locale
    proc = subprocess.run(["node", str(PAGES), json.dumps(arg)], capture_output=True, text=True,
                          timeout=90, cwd=ROOT)
    if proc.returncode != 0:
        raise AssertionError(f"pages.mjs exited {proc.returncode}:\n{proc.stderr}\n"
                             f"{proc.stdout[-2000:]}\n--- grantd log ---\n"
                             f"{server.log_text()[-3000:]}")
    result = json.loads(proc.stdout)
    blocked = [e for e in result["console_errors"]
               if "Content Security Policy" in e and "/favicon.ico" not in e]
    assert not blocked, blocked
    return result


def sign_in(server, username):
    return [{"goto": server.url + "/console"}, {"fill": "#username", "value": username},
            {"fill": "#password", "value": PASSWORD}, {"click": "button[type=submit]"}]


def copy_credentials(prefix):
    return [{"copy": "#copy-client_id", "name": prefix + "client_id"},
            {"copy": "#copy-client_secret", "name": prefix + "client_secret"}]


def apruve_flow(srv, client_id, secret):
    """The guide's flow: /oauth2/authorize (Authorize on the consent page), then the code
    and the client's credentials in a form POST to /oauth2/token. Its JSON answer."""
    url = (srv.url + "/oauth2/authorize?client_id=" + client_id + "&redirect_uri=" +
           quote(CALLBACK, safe="") + "&response_type=code&state=s1")
    q = redirect_params(Agent(srv).authorize(url, username=BUYER))
    assert q["state"] == "s1" and q["code"], q
    return form_post(srv, "/oauth2/token",
                     f"client_id={client_id}&client_secret={secret}&code={q['code']}"
                     f"&grant_type=authorization_code&redirect_uri={quote(CALLBACK, safe='')}"
                     "&state=s1")


def refresh(srv, client_id, secret, rt):
    return form_post(srv, "/oauth2/token", f"client_id={client_id}&client_secret={secret}"
                                           f"&refresh_token={rt}&grant_type=refresh_token")


def userinfo(srv, token):
    return requests.get(srv.url + "/userinfo", headers={"Authorization": "Bearer " + token},
                        timeout=10)


def developer(srv, username):
    srv.cli("user", "create", "--username", username, "--developer",
            input=PASSWORD + "\n")


def test_merchant_creates_revokes_and_enables_a_client(request, make_server):
    srv = admin_server(make_server, config_text=profile("apruve"))
    developer(srv, "merchant")
    developer(srv, "competitor")
    make_user(srv, BUYER, account="corp-7741")
    first = walk(request, srv, sign_in(srv, "merchant") + [
        {"look": "list-empty"},
        {"click": "#new"},
        {"look": "create-client"},
        {"fill": "#name", "value": "Spacely Sprockets"},
        {"fill": "#redirect_uris", "value": CALLBACK},
        {"click": "#create"},
        {"look": "credentials"},
    ] + copy_credentials("") + [
        {"click": "#done"},
        {"look": "client"},
    ], first=True)
    looks, copied = first["looks"], first["copied"]
    for name in ("list-empty", "create-client", "credentials", "client"):
        assert_fits(looks[name])
    assert "Create Client" in looks["list-empty"]["text"]
    assert "shown only this once" in looks["credentials"]["text"]
    assert "script-src 'sha256-" in looks["credentials"]["headers"]["content-security-policy"]
    cid, secret = copied["client_id"], copied["client_secret"]
    assert cid and len(secret) >= 43 and cid in looks["credentials"]["text"]
    assert secret not in looks["client"]["text"]  # never shown again
    assert "Revoke" in looks["client"]["text"]

    r = apruve_flow(srv, cid, secret)
    assert r.status_code == 200, r.text
    tokens = r.json()
    assert tokens["token"] == tokens["access_token"]
    assert tokens["corporate_account_id"] == "corp-7741"
    assert userinfo(srv, tokens["token"]).status_code == 200
    assert check(srv, tokens["token"]).status_code == 200

    second = walk(request, srv, sign_in(srv, "merchant") + [
        {"goto": srv.url + "/console?app=" + cid},
        {"click": "#revoke"},
        {"look": "revoked"},
    ])
    revoked = second["looks"]["revoked"]
    assert_fits(revoked)
    assert "Revoked" in revoked["text"] and "new Client ID" in revoked["text"]
    assert userinfo(srv, tokens["token"]).status_code == 401
    assert check(srv, tokens["token"]).status_code == 401
    assert refresh(srv, cid, secret, tokens["refresh_token"]).status_code in (400, 401)
    assert apruve_flow_refused(srv, cid)

    third = walk(request, srv, sign_in(srv, "merchant") + [
        {"goto": srv.url + "/console?app=" + cid},
        {"click": "#enable"},
        {"look": "enabled"},
    ] + copy_credentials("new_"))
    enabled, copied = third["looks"]["enabled"], third["copied"]
    assert_fits(enabled)
    new_id, new_secret = copied["new_client_id"], copied["new_client_secret"]
    assert new_id != cid and new_secret != secret
    assert "Everyone who used it must authorize it again" in enabled["text"]
    # the customer is asked again (no remembered consent), and the new credentials work
    r = apruve_flow(srv, new_id, new_secret)
    assert r.status_code == 200, r.text
    fresh = r.json()
    assert userinfo(srv, fresh["token"]).status_code == 200
    assert check(srv, fresh["token"]).status_code == 200
    # the old ones do not
    old = requests.post(srv.url + "/oauth2/token", timeout=10,
                        data={"grant_type": "refresh_token", "client_id": cid,
                              "client_secret": secret,
                              "refresh_token": tokens["refresh_token"]})
    assert old.status_code == 401, old.text
    assert userinfo(srv, tokens["token"]).status_code == 401

    other = walk(request, srv, sign_in(srv, "competitor") + [
        {"look": "other-list"},
        {"goto": srv.url + "/console?app=" + new_id},
        {"look": "other-app"},
    ])
    assert_fits(other["looks"]["other-list"])
    assert "Spacely Sprockets" not in other["looks"]["other-list"]["text"]
    assert_fits(other["looks"]["other-app"], 404)
    assert "Application not found" in other["looks"]["other-app"]["text"]
    events = [json.loads(line) for line in srv.cli("audit", "list", "--json").stdout.split("\n")
              if line]
    assert {e["actor"]["name"] for e in events if e["actor"]["kind"] == "developer"} == \
        {"merchant"}


def apruve_flow_refused(srv, client_id):
    """A revoked client cannot start the guide's flow: /oauth2/authorize answers an error
    page, never a redirect with a code."""
    url = (srv.url + "/oauth2/authorize?client_id=" + client_id + "&redirect_uri=" +
           quote(CALLBACK, safe="") + "&response_type=code&state=s2")
    r = requests.get(url, allow_redirects=False, timeout=10)
    return r.status_code in (400, 401, 403) and "code=" not in r.headers.get("Location", "")


GERMAN = 'profile = { branding = { languages = ["en", "de", "nl"]; }; };\n'


def test_a_german_browser_gets_the_console_in_german(request, make_server):
    """A developer whose browser speaks German registers an application: every page is
    German, fits a phone, and the Copy button says so in German."""
    srv = make_server(config_text=GERMAN)
    developer(srv, "entwickler")
    result = walk(request, srv, sign_in(srv, "entwickler") + [
        {"look": "liste"},
        {"click": "#new"},
        {"look": "neu"},
        {"fill": "#name", "value": "Sprockets GmbH"},
        {"fill": "#redirect_uris", "value": CALLBACK},
        {"click": "#create"},
        {"look": "zugangsdaten"},
        {"copy": "#copy-client_id", "name": "client_id", "says": "Kopiert."},
        {"click": "#done"},
        {"look": "anwendung"},
    ], first=True, locale="de-DE")
    looks = result["looks"]
    for name in ("liste", "neu", "zugangsdaten", "anwendung"):
        assert_fits(looks[name])
        assert looks[name]["lang"] == "de", name
    assert "Ihre Anwendungen" in looks["liste"]["text"]
    assert "Weiterleitungs-URIs" in looks["neu"]["text"]
    assert "nur dieses eine Mal" in looks["zugangsdaten"]["text"]
    assert result["copied"]["client_id"] in looks["zugangsdaten"]["text"]
    assert "Letzte Ereignisse" in looks["anwendung"]["text"]
    assert "Developer console" not in looks["anwendung"]["text"]
