"""OpenID Connect Discovery 1.0: /.well-known/openid-configuration of every issuer (a host
issuer, a path issuer at ISSUER/.well-known/openid-configuration and at RFC 8414's
/.well-known/openid-configuration/PATH), each member checked against Discovery §3 and the
RFC 8414 document it shares its builder with; authlib's OpenIDProviderMetadata validates it;
the JWKS it names holds an RS256 key once one is published (`grantd key rotate --alg
RS256`); a turned-off route's member is absent."""
import json
from urllib.parse import urlsplit

import jwt
import requests
from authlib.oidc.discovery import OpenIDProviderMetadata

from conftest import ROOT

REQUIRED = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri",
            "response_types_supported", "subject_types_supported",
            "id_token_signing_alg_values_supported")
ENDPOINTS = {"authorization_endpoint": "/authorize", "token_endpoint": "/token",
             "userinfo_endpoint": "/userinfo", "jwks_uri": "/jwks.json",
             "introspection_endpoint": "/introspect", "revocation_endpoint": "/revoke"}
USER_CLAIMS = ("email", "email_verified", "name", "given_name", "family_name",
               "preferred_username", "phone_number", "phone_number_verified", "locale",
               "address")
SCOPES = '''scopes = ( { name = "profile"; description = "Your profile"; },
                       { name = "orders:read"; description = "Your orders"; } );
'''


def get(srv, path, host=None):
    r = requests.get(srv.url + path, timeout=10, headers={"Host": host} if host else {})
    assert r.status_code == 200, (path, r.status_code, r.text)
    assert r.headers["Content-Type"].startswith("application/json")
    return r.json()


def check_document(doc, issuer, registration=False):
    """Discovery §3's rules, and what grantd promises beyond them."""
    for member in REQUIRED:
        assert member in doc, member
    assert doc["issuer"] == issuer
    for member, path in ENDPOINTS.items():
        assert doc[member] == issuer + path, member
        assert urlsplit(doc[member]).scheme in ("http", "https")
    assert ("registration_endpoint" in doc) == registration
    if registration:
        assert doc["registration_endpoint"] == issuer + "/register"
    assert "openid" in doc["scopes_supported"]
    for scope in ("profile", "email", "phone", "address"):
        assert scope in doc["scopes_supported"]
    assert len(set(doc["scopes_supported"])) == len(doc["scopes_supported"])
    assert doc["response_types_supported"] == ["code"]
    assert doc["response_modes_supported"] == ["query"]
    assert set(doc["grant_types_supported"]) == {"authorization_code", "refresh_token",
                                                 "client_credentials"}
    assert doc["subject_types_supported"] == ["public"]
    assert doc["id_token_signing_alg_values_supported"] == ["RS256", "ES256"]
    assert "none" not in doc["id_token_signing_alg_values_supported"]
    assert set(doc["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic", "client_secret_post", "none"}
    for claim in ("sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "azp",
                  "amr") + USER_CLAIMS:
        assert claim in doc["claims_supported"], claim
    assert doc["code_challenge_methods_supported"] == ["S256"]
    # false, said explicitly: request_uri_parameter_supported defaults to true
    for member in ("claims_parameter_supported", "request_parameter_supported",
                   "request_uri_parameter_supported"):
        assert doc[member] is False, member
    assert doc["prompt_values_supported"] == ["none", "login", "consent"]
    assert doc["ui_locales_supported"] == ["en"]
    assert doc["authorization_response_iss_parameter_supported"] is True
    assert "client_secret_basic" in doc["introspection_endpoint_auth_methods_supported"]
    assert "client_secret_basic" in doc["revocation_endpoint_auth_methods_supported"]


def test_default_issuer_matches_its_rfc8414_document(make_server):
    srv = make_server(SCOPES)
    doc = get(srv, "/.well-known/openid-configuration")
    check_document(doc, srv.url)
    assert doc["scopes_supported"] == ["openid", "profile", "email", "phone", "address",
                                       "orders:read"]
    # one builder, two documents: every RFC 8414 member is in the OpenID one with the same
    # value, but scopes_supported (the OpenID one names the OpenID scopes)
    oauth = get(srv, "/.well-known/oauth-authorization-server")
    assert oauth["scopes_supported"] == ["profile", "orders:read"]
    for member, value in oauth.items():
        if member != "scopes_supported":
            assert doc[member] == value, member
    assert "subject_types_supported" not in oauth
    # with no scopes configured the OpenID document still names the OpenID ones
    (srv.workdir / "bare").mkdir()
    bare = make_server(workdir=srv.workdir / "bare")
    assert get(bare, "/.well-known/openid-configuration")["scopes_supported"] == [
        "openid", "profile", "email", "phone", "address"]
    assert "scopes_supported" not in get(bare, "/.well-known/oauth-authorization-server")


def test_registration_endpoint_only_when_registration_is_on(make_server):
    srv = make_server(SCOPES + 'registration = { mode = "open"; };\n')
    check_document(get(srv, "/.well-known/openid-configuration"), srv.url, registration=True)


def test_host_and_path_issuers(make_server):
    srv = make_server(defer_start=True)
    srv.cli("tenant", "create", "shop2", "--issuer", "/shop2")
    srv.cli("tenant", "create", "op", "--issuer", "https://op.example")
    srv.cli("tenant", "create", "op3", "--issuer", "https://op.example/shop3")
    srv.start()
    path_issuer = srv.url + "/shop2"
    at_issuer = get(srv, "/shop2/.well-known/openid-configuration")
    check_document(at_issuer, path_issuer)
    # RFC 8414 §3.1's form, which OpenID relying parties built on RFC 8414 clients ask for
    assert get(srv, "/.well-known/openid-configuration/shop2") == at_issuer
    host = get(srv, "/.well-known/openid-configuration", host="op.example")
    check_document(host, "https://op.example")
    assert get(srv, "/.well-known/openid-configuration")["issuer"] == srv.url
    hosted_path = get(srv, "/.well-known/openid-configuration/shop3", host="op.example")
    check_document(hosted_path, "https://op.example/shop3")
    assert get(srv, "/shop3/.well-known/openid-configuration", host="op.example") == hosted_path
    # authlib's own check of Discovery §3 (it wants https URLs: the issuers under a host)
    OpenIDProviderMetadata(host).validate()
    OpenIDProviderMetadata(hosted_path).validate()
    # an unknown path issuer's well-known document is not another issuer's
    r = requests.get(srv.url + "/.well-known/openid-configuration/nobody", timeout=10)
    assert r.status_code == 404


def test_jwks_uri_has_an_rs256_key_once_published(make_server, clock):
    srv = make_server("keys = { reload = 30; publish_ahead = 0; };\n")
    doc = get(srv, "/.well-known/openid-configuration")
    jwks_path = urlsplit(doc["jwks_uri"]).path
    keys = get(srv, jwks_path)["keys"]
    assert [k["alg"] for k in keys] == ["ES256"]
    srv.cli("key", "rotate", "--alg", "RS256", "--config", str(srv.workdir / "grantd.conf"))
    clock.advance(31)
    keys = get(srv, jwks_path)["keys"]
    assert sorted(k["alg"] for k in keys) == ["ES256", "RS256"]
    rs = [k for k in keys if k["alg"] == "RS256"][0]
    assert rs["kty"] == "RSA" and rs["use"] == "sig" and rs["kid"]
    jwt.PyJWK(rs)  # a usable RSA public key
    # every alg the document offers for ID tokens has a published key now
    assert set(doc["id_token_signing_alg_values_supported"]) <= {k["alg"] for k in keys}
