"""Helpers for the authorization-code flow: a user agent that follows grantd's login and
consent forms the way a browser does (cookies, hidden fields, 303s), built on requests."""
import base64
import hashlib
import html
import re
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from conftest import create_client

PASSWORD = "correct horse battery staple"


def pkce_pair():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def make_user(srv, username="alice", account="acct-42", password=PASSWORD):
    srv.cli("user", "create", "--username", username, "--account", account,
            input=password + "\n")
    return username


def make_client(srv, *args, redirect="http://127.0.0.1:9/cb", scope="profile email"):
    extra = ["--redirect-uri", redirect] if redirect else []
    return create_client(srv, "--name", "Test App", "--scope", scope, *extra, *args)


def authorize_url(srv, **params):
    return srv.url + "/authorize?" + urlencode({k: v for k, v in params.items()
                                                if v is not None})


def hidden(page, name):
    m = re.search(r'name="%s"[^>]*value="([^"]*)"' % name, page) or \
        re.search(r'value="([^"]*)"[^>]*name="%s"' % name, page)
    assert m, f"no hidden field {name} in page:\n{page[:2000]}"
    return html.unescape(m.group(1))


class Agent:
    """One browser: a cookie jar and no automatic redirects, so each step can be checked."""

    def __init__(self, srv):
        self.srv = srv
        self.http = requests.Session()

    def get(self, url):
        return self.http.get(url, allow_redirects=False, timeout=10)

    def post(self, path, data):
        return self.http.post(self.srv.url + path, data=data, allow_redirects=False, timeout=10)

    def submit(self, page, fields):
        """Posts fields to the page's form action, as a browser does."""
        m = re.search(r'<form[^>]*action="([^"]+)"', page)
        assert m, page[:1000]
        return self.http.post(html.unescape(m.group(1)), data=fields, allow_redirects=False,
                              timeout=10)

    def login(self, page_response, username="alice", password=PASSWORD):
        page = page_response.text
        assert 'name="password"' in page, page[:1000]
        return self.submit(page, {"request": hidden(page, "request"),
                                  "csrf": hidden(page, "csrf"),
                                  "binding": hidden(page, "binding"),
                                  "username": username, "password": password})

    def consent(self, page_response, decision="authorize"):
        page = page_response.text
        assert 'value="authorize"' in page, page[:1000]
        return self.submit(page, {"request": hidden(page, "request"),
                                  "csrf": hidden(page, "csrf"),
                                  "binding": hidden(page, "binding"), "decision": decision})

    def authorize(self, url, decision="authorize", username="alice", password=PASSWORD):
        """Runs login (if needed) and consent (if asked); returns the final response."""
        r = self.get(url)
        if r.status_code == 200 and 'name="password"' in r.text:
            r = self.login(r, username, password)
            assert r.status_code == 303, (r.status_code, r.text[:500])
            r = self.get(r.headers["Location"])
        if r.status_code == 200 and 'value="authorize"' in r.text:
            r = self.consent(r, decision)
        return r


def redirect_params(response):
    """The query of a redirect answer as a dict of single values."""
    assert response.status_code in (302, 303), (response.status_code, response.text[:500])
    loc = response.headers["Location"]
    q = parse_qs(urlsplit(loc).query, keep_blank_values=True)
    assert all(len(v) == 1 for v in q.values()), loc
    return {k: v[0] for k, v in q.items()}


def is_public(client):
    return not client.get("client_secret")


def with_client_auth(client, data, auth=None):
    """(data, requests kwargs) authenticating as client: basic, post or none (public)."""
    auth = auth or ("none" if is_public(client) else "basic")
    data = dict(data)
    kw = {}
    if auth == "basic":
        kw["auth"] = (client["client_id"], client["client_secret"])
    elif auth == "post":
        data["client_id"] = client["client_id"]
        data["client_secret"] = client["client_secret"]
    else:
        data["client_id"] = client["client_id"]
    return data, kw


def exchange(srv, client, code, redirect_uri=None, verifier=None, auth="basic", json_body=False):
    data = {"grant_type": "authorization_code", "code": code}
    if redirect_uri:
        data["redirect_uri"] = redirect_uri
    if verifier:
        data["code_verifier"] = verifier
    data, kw = with_client_auth(client, data, auth)
    if json_body:
        kw["json"] = data
    else:
        kw["data"] = data
    return requests.post(srv.url + "/token", timeout=10, **kw)


def userinfo(srv, token):
    return requests.get(srv.url + "/userinfo", headers={"Authorization": "Bearer " + token},
                        timeout=10)
