"""Apache's mod_oauth2 accepts grantd's tokens for one API unchanged (issue 12 item 6, RFC
8707): examples/apache/orders-api.conf protects a location with `OAuth2TokenVerify jwks_uri`
at grantd's JWKS and `Require oauth2_claim aud:<the API's URL>`. A JWT asked for that
resource gets 200 and the content; one asked for no resource (aud = the issuer) or for
another API, a forged one and an expired one get 401.

Apache runs privately (apache_server.py: its own configuration under tmp_path, a free
loopback port, stopped at the end). It checks exp by its own clock, which the test clock
(grantd-test's offset) does not move: libfaketime starts Apache two hours ahead, so a token
grantd issued before the test clock moved two hours on is expired for Apache, and every
token issued after it is not. Skipped without Apache, mod_oauth2 or libfaketime
(scripts/deps --test installs them), failed instead under ctest (GRANTD_REQUIRE_APACHE)."""
import pytest
import requests

import apache_server
from conftest import create_client

FAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
AHEAD = 7200  # seconds Apache's clock runs ahead of the servers' until the test clock moves
ORDERS = "https://api.example.com/orders"  # the example's API
BILLING = "https://api.example.com/billing"
EXAMPLE = apache_server.EXAMPLES / "orders-api.conf"


@pytest.fixture(autouse=True)
def _apache_present():
    apache_server.require(apache_server.MODULES / "mod_oauth2.so", FAKETIME)


@pytest.fixture
def apache(tmp_path):
    """start(jwks_uri) -> Apache's base URL, serving /orders/index.html behind the example."""
    apaches = apache_server.Apaches(tmp_path)

    def start(jwks_uri):
        example = EXAMPLE.read_text()
        assert "https://id.example.com/jwks.json" in example and ORDERS in example
        return apaches.start(example.replace("https://id.example.com/jwks.json", jwks_uri),
                             ("mpm_event", "authn_core", "authz_core", "oauth2"),
                             env={"LD_PRELOAD": FAKETIME, "FAKETIME": f"+{AHEAD}s",
                                  "FAKETIME_DONT_RESET": "1"},
                             files={"htdocs/orders/index.html": "the orders\n"})

    yield start
    apaches.stop_all()


def cc_token(srv, client, *resources):
    data = [("grant_type", "client_credentials")] + [("resource", r) for r in resources]
    r = requests.post(srv.url + "/token", data=data, timeout=10,
                      auth=(client["client_id"], client["client_secret"]))
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def get(base, token):
    return requests.get(base + "/orders/index.html", timeout=10,
                        headers={"Authorization": "Bearer " + token} if token else {})


def test_mod_oauth2_requires_the_apis_audience(make_server, apache, clock):
    srv = make_server()
    client = create_client(srv, "--name", "svc", "--grant", "client_credentials",
                           "--access-token-format", "jwt", "--resource", ORDERS,
                           "--resource", BILLING)
    base = apache(srv.url + "/jwks.json")
    expired = cc_token(srv, client, ORDERS)  # an hour's life, over for Apache already
    clock.advance(AHEAD)                      # grantd now agrees with Apache
    good = cc_token(srv, client, ORDERS)
    r = get(base, good)
    assert r.status_code == 200 and r.text == "the orders\n", (r.status_code, r.text)
    assert get(base, cc_token(srv, client, ORDERS, BILLING)).status_code == 200  # aud array
    for token in (cc_token(srv, client),           # aud: the issuer
                  cc_token(srv, client, BILLING),  # aud: another API
                  good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB"),
                  expired, None):
        r = get(base, token)
        assert r.status_code == 401, (r.status_code, r.text[:200])
        assert "the orders" not in r.text
