"""Apache's mod_auth_openidc signs a user in with grantd and out again (issue 14), configured
by examples/apache/mod-auth-openidc.conf with this test's addresses: OpenID Connect
Discovery from grantd's /.well-known/openid-configuration, the code flow with PKCE (S256)
and a nonce, the ID token checked by the module against grantd's keys, the claims of
/userinfo passed to the application, and RP-Initiated Logout through grantd's
end_session_endpoint.

The user is a requests.Session that follows every redirect by hand (flow.Agent): Apache sends
it to grantd's /authorize, it signs in on grantd's login page and allows the consent page,
and grantd's redirect brings it back to Apache's redirect URI, which exchanges the code and
sends it on to the page it asked for. The page is a static SSI document that prints the
claims mod_auth_openidc put in its environment (OIDC_CLAIM_*). Apache runs privately
(apache_server.py). Skipped without Apache or mod_auth_openidc (scripts/deps --test installs
them), failed instead under ctest (GRANTD_REQUIRE_APACHE)."""
import secrets
from urllib.parse import parse_qs, quote, urljoin, urlsplit

import pytest

import apache_server
from conftest import create_client
from flow import PASSWORD, Agent

EXAMPLE = apache_server.EXAMPLES / "mod-auth-openidc.conf"
MODULES = ("mpm_event", "authn_core", "authz_core", "authz_user", "include", "auth_openidc")
PAGE = "/app/index.shtml"
# The application: what mod_auth_openidc tells it about the user, one line each
CLAIMS_PAGE = "".join(f'{name}=<!--#echo var="{var}" -->\n' for name, var in (
    ("sub", "OIDC_CLAIM_sub"), ("email", "OIDC_CLAIM_email"), ("name", "OIDC_CLAIM_name"),
    ("iss", "OIDC_CLAIM_iss"), ("user", "REMOTE_USER")))
SIGNED_OUT = "you are signed out of the application\n"


@pytest.fixture(autouse=True)
def _apache_present():
    apache_server.require(apache_server.MODULES / "mod_auth_openidc.so")


@pytest.fixture
def apaches(tmp_path):
    a = apache_server.Apaches(tmp_path)
    yield a
    a.stop_all()


def start_app(srv, apaches, issuer, tenant):
    """grantd's user and client (tenant: ["--tenant", NAME] or []), then Apache with the
    example: (base URL, client)."""
    srv.cli("user", "create", "--username", "alice", "--email", "alice@example.com",
            "--name", "Alice Liddell", *tenant, input=PASSWORD + "\n")
    port = apache_server.free_port()
    base = f"http://127.0.0.1:{port}"
    client = create_client(srv, "--name", "Intranet", "--scope", "openid profile email",
                           "--redirect-uri", base + "/app/redirect_uri",
                           "--post-logout-redirect-uri", base + "/signed-out.html", *tenant)
    example = EXAMPLE.read_text()
    replace = {"https://id.example.com": issuer, "https://app.example.com": base,
               "CLIENT_ID": client["client_id"], "CLIENT_SECRET": client["client_secret"],
               "CHANGE-ME-TO-A-LONG-RANDOM-SECRET": secrets.token_hex(32)}
    for old, new in replace.items():
        assert old in example, old
        example = example.replace(old, new)
    site = example + "<Location /app>\n    Options +Includes\n    SetOutputFilter INCLUDES\n" \
                     "</Location>\n"
    apaches.start(site, MODULES, port=port,
                  files={"htdocs" + PAGE: CLAIMS_PAGE, "htdocs/signed-out.html": SIGNED_OUT})
    return base, client


class Browser(Agent):
    """flow.Agent that sends what a browser sends (mod_auth_openidc answers 401 instead of
    redirecting to requests that do not accept HTML) and resolves relative redirects."""

    def __init__(self, srv):
        super().__init__(srv)
        self.http.headers["Accept"] = "text/html,application/xhtml+xml"

    def follow(self, response):
        assert response.status_code in (302, 303), (response.status_code, response.text[:500])
        return self.get(urljoin(response.url, response.headers["Location"]))


def query(url):
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def sign_in(browser, issuer, base, apaches):
    """From the protected page to grantd's pages and back: the page's response."""
    r = browser.get(base + PAGE)
    assert r.status_code == 302, (r.status_code, r.text[:500], apaches.logs())
    to_grantd = r.headers["Location"]
    assert to_grantd.startswith(issuer + "/authorize?"), to_grantd
    r = browser.authorize(to_grantd)  # login page, consent page
    assert r.status_code == 303, (r.status_code, r.text[:500])
    back = r.headers["Location"]
    assert back.startswith(base + "/app/redirect_uri?"), back
    r = browser.get(back)  # mod_auth_openidc: code exchange, ID token, /userinfo
    assert r.status_code == 302, (r.status_code, r.text[:1000], apaches.logs())
    assert urljoin(back, r.headers["Location"]) == base + PAGE
    return browser.follow(r), query(to_grantd)


@pytest.mark.parametrize("prefix", ["", "/corp"], ids=["host-issuer", "path-issuer"])
def test_sign_in_claims_session_and_logout(make_server, apaches, prefix):
    """At an issuer of its own host, and at one under a path of it (its discovery document
    at ISSUER/.well-known/openid-configuration)."""
    srv = make_server(defer_start=True)
    tenant = ["--tenant", "corp"] if prefix else []
    if prefix:
        srv.cli("tenant", "create", "corp", "--issuer", prefix)
    srv.start()
    issuer = srv.url + prefix
    base, client = start_app(srv, apaches, issuer, tenant)
    browser = Browser(srv)
    page, asked = sign_in(browser, issuer, base, apaches)
    # what mod_auth_openidc asked grantd for: the code flow with PKCE and a nonce
    assert asked["response_type"] == "code" and asked["client_id"] == client["client_id"]
    assert set(asked["scope"].split()) == {"openid", "profile", "email"}
    assert asked["code_challenge_method"] == "S256" and asked["nonce"]
    # the claims reached the application
    assert page.status_code == 200, (page.status_code, page.text[:500], apaches.logs())
    lines = dict(line.split("=", 1) for line in page.text.splitlines())
    assert lines["email"] == "alice@example.com" and lines["name"] == "Alice Liddell", lines
    assert lines["iss"] == issuer and lines["sub"] not in ("", "(none)"), lines
    assert lines["user"].startswith(lines["sub"] + "@"), lines
    # the session is reused: no trip to grantd
    authorizations = len(srv.wait_request(prefix + "/authorize", 2))  # login, then consent
    assert authorizations >= 2
    again = browser.get(base + PAGE)
    assert again.status_code == 200 and again.text == page.text, again.status_code
    assert len(srv.wait_request(prefix + "/authorize", authorizations + 1, timeout=0.5)) == \
        authorizations

    # logout: Apache's session, then grantd's (end_session_endpoint), then the page
    signed_out = base + "/signed-out.html"
    r = browser.get(base + "/app/redirect_uri?logout=" + quote(signed_out, safe=""))
    assert r.status_code in (302, 303), (r.status_code, r.text[:500], apaches.logs())
    end_session = r.headers["Location"]
    q = query(end_session)
    assert q.get("id_token_hint") and q.get("post_logout_redirect_uri") == signed_out, q
    r = browser.get(end_session)
    assert r.status_code in (302, 303), (r.status_code, r.text[:1000])
    assert r.headers["Location"].split("?")[0] == signed_out, r.headers["Location"]
    r = browser.follow(r)
    assert r.status_code == 200 and r.text == SIGNED_OUT
    # signed out at both: the page sends the user to grantd, which asks for the password
    r = browser.get(base + PAGE)
    assert r.status_code == 302, (r.status_code, r.text[:300])
    assert r.headers["Location"].startswith(issuer + "/authorize?")
    r = browser.get(r.headers["Location"])
    assert r.status_code == 200 and 'name="password"' in r.text, (r.status_code, r.text[:500])

