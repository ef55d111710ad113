"""Long parameter values through the real pages: every `state` up to the documented
parameter limit (`limits.max_param_value`, 4096 decoded bytes by default) survives
/authorize, the login page, POST /login, the consent page and the redirect, with the code
flow's other parameters present; beyond the limit the user gets a page that says why, never
a dropped connection."""
import pytest
import requests

from flow import (Agent, authorize_url, exchange, make_client, make_user, pkce_pair,
                  redirect_params)

CB = "http://127.0.0.1:9/cb"
LIMIT = 4096  # README.md "Limits": max_param_value

STATES = {
    "one": "s",
    "thousand": "x" * 1000,
    "2600-ampersands": "&" * 2600,          # 7,800 bytes once percent-encoded
    "4000-utf8": "é" * 2000,                # 4,000 bytes of UTF-8, 12,000 encoded
    "limit-ampersands": "&" * LIMIT,        # the limit exactly, 12,288 bytes encoded
    "limit-utf8": "€" * (LIMIT // 3) + "e",  # 4,096 bytes of 3-byte UTF-8
}


def full_params(client, state):
    verifier, challenge = pkce_pair()
    return verifier, dict(response_type="code", client_id=client["client_id"],
                          redirect_uri=CB, scope="openid profile email", state=state,
                          nonce="n" * 64, code_challenge=challenge,
                          code_challenge_method="S256", prompt="consent")


@pytest.mark.parametrize("state", STATES.values(), ids=STATES.keys())
def test_state_up_to_the_limit_survives_the_whole_flow(server, state):
    assert len(state.encode()) <= LIMIT
    make_user(server)
    client = make_client(server, scope="openid profile email")
    verifier, params = full_params(client, state)
    agent = Agent(server)
    r = agent.get(authorize_url(server, **params))
    assert r.status_code == 200 and 'name="password"' in r.text, (r.status_code, r.text[:300])
    r = agent.login(r)
    assert r.status_code == 303, (r.status_code, r.text[:500])
    r = agent.get(r.headers["Location"])
    assert r.status_code == 200 and 'value="authorize"' in r.text, (r.status_code, r.text[:300])
    r = agent.consent(r)
    q = redirect_params(r)
    assert q["state"] == state
    tok = exchange(server, client, q["code"], CB, verifier)
    assert tok.status_code == 200, tok.text


@pytest.mark.parametrize("state", STATES.values(), ids=STATES.keys())
def test_state_up_to_the_limit_when_consent_is_remembered(server, state):
    """Consent given once, the next /authorize redirects at once: the long request target
    and the long Location share one answer (libmicrohttpd's per-connection memory)."""
    make_user(server)
    client = make_client(server, scope="openid profile email")
    agent = Agent(server)
    _, params = full_params(client, "first")
    assert redirect_params(agent.authorize(authorize_url(server, **params)))["state"] == "first"
    verifier, params = full_params(client, state)
    del params["prompt"]
    r = agent.get(authorize_url(server, **params))
    q = redirect_params(r)
    assert q["state"] == state
    assert exchange(server, client, q["code"], CB, verifier).status_code == 200


@pytest.mark.parametrize("state", ["x" * (LIMIT + 1), "&" * (LIMIT + 1),
                                   "é" * (LIMIT // 2) + "e"],
                         ids=["x", "ampersands", "utf8"])
def test_state_over_the_limit_gets_a_page_that_says_so(server, state):
    make_user(server)
    client = make_client(server, scope="openid profile email")
    _, params = full_params(client, state)
    r = requests.get(authorize_url(server, **params), allow_redirects=False, timeout=10)
    assert r.status_code in (400, 414), (r.status_code, r.text[:300])
    assert r.headers["Content-Type"].startswith("text/html")
    assert "too long" in r.text
    # not redirected to the client: the request could not be read whole
    assert "Location" not in r.headers


def test_request_target_over_the_header_cap_gets_414_page(server):
    """A request target longer than limits.header_bytes (16 KiB) is answered, not dropped:
    414, with a page for a browser and the JSON error for anything else."""
    url = server.url + "/authorize?client_id=x&state=" + "%26" * 6000
    r = requests.get(url, headers={"Accept": "text/html"}, allow_redirects=False, timeout=10)
    assert r.status_code == 414, (r.status_code, r.text[:300])
    assert r.headers["Content-Type"].startswith("text/html")
    assert "too long" in r.text
    r = requests.get(url, allow_redirects=False, timeout=10)
    assert r.status_code == 414
    assert r.json()["error"] == "invalid_request" and "too long" in r.json()["error_description"]


def test_headers_over_the_header_cap_get_431(server):
    r = requests.get(server.url + "/health/live", headers={"X-Big": "a" * 17000}, timeout=10)
    assert r.status_code == 431
    assert r.json()["error"] == "invalid_request"
