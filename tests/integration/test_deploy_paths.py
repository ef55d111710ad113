"""Every path a proxy must forward (issue 16, deployment), walked through a real nginx with
examples/nginx/grantd-lb.conf and its TLS: the list in that file's comment is the list here,
each path (with a profile's alias paths and a tenant's prefix) reaches grantd (its request
log line names the path) and is answered by it, never by nginx; the admin listener's paths
stay unreachable. test_deploy.py has the load balancing and the redirect."""
import re

from conftest import create_client
from test_deploy import ROOT, free_port, lb_in_front, need_nginx

PROFILE = """profile = { paths = { token = ["/oauth/token"]; authorize = ["/oauth/authorize"];
                                introspect = ["/oauth/introspect"]; revoke = ["/oauth/revoke"];
                                account = ["/my/account"]; console = ["/dev/console"]; }; };
registration = { mode = "open"; };
"""

# (method, path) as the example's comment lists them, and the alias and prefix forms
PATHS = [("GET", "/.well-known/oauth-authorization-server"),
         ("GET", "/.well-known/openid-configuration"), ("GET", "/jwks.json"),
         ("GET", "/authorize"), ("POST", "/login"), ("POST", "/consent"),
         ("GET", "/logout"), ("POST", "/logout"), ("POST", "/token"), ("POST", "/introspect"),
         ("POST", "/revoke"), ("GET", "/userinfo"), ("POST", "/userinfo"),
         ("POST", "/register"), ("GET", "/register/CLIENT_ID"), ("GET", "/account"),
         ("POST", "/account"), ("GET", "/console"), ("POST", "/console"),
         ("GET", "/health/live"), ("GET", "/health/ready"), ("GET", "/"),
         ("POST", "/oauth/token"), ("GET", "/oauth/authorize"), ("POST", "/oauth/introspect"),
         ("POST", "/oauth/revoke"), ("GET", "/my/account"), ("GET", "/dev/console"),
         ("GET", "/shop2/.well-known/openid-configuration"), ("GET", "/shop2/jwks.json"),
         ("POST", "/shop2/token"), ("GET", "/shop2/authorize"), ("GET", "/shop2/account")]


def test_the_example_lists_every_public_route():
    """The comment's list names every path of the public routing table (src/oauth/routes.c)."""
    site = (ROOT / "examples/nginx/grantd-lb.conf").read_text()
    routes = (ROOT / "src/oauth/routes.c").read_text()
    public = routes.split("const struct grantd_routes grantd_oauth_routes")[0]
    for path in set(re.findall(r'\{"(?:GET|POST|\*)", "(/[^"]*)"', public)):
        assert path in site, path


def test_every_path_reaches_grantd_through_nginx(make_server, tmp_path):
    need_nginx()
    tls_port, http_port = free_port(), free_port()
    issuer = f"https://localhost:{tls_port}"
    srv = make_server(config_text=PROFILE, extra_args=("--issuer", issuer,
                                                       "--admin-listen", "127.0.0.1:0"),
                      defer_start=True)
    srv.cli("migrate")
    srv.cli("tenant", "create", "shop2", "--issuer", "/shop2")
    srv.start()
    client = create_client(srv, "--name", "walk", "--grant", "client_credentials")
    proc, http = lb_in_front(tmp_path, tls_port, http_port, (srv.port, srv.port))
    try:
        for method, path in PATHS:
            path = path.replace("CLIENT_ID", client["client_id"])
            r = http.request(method, issuer + path, data={} if method == "POST" else None,
                             allow_redirects=False, timeout=10)
            assert r.status_code < 500, (method, path, r.status_code, r.text[:300])
            # grantd answered it (its log line), not nginx
            assert srv.wait_request(path.split("?")[0]), (method, path)
            if path not in ("/", "/register/" + client["client_id"]):
                assert r.status_code != 404, (method, path, r.text[:300])
        # the admin listener's paths never reach grantd through the public front
        for path in ("/check", "/check/error/missing", "/v1/tenants", "/v1/revocations"):
            assert http.get(issuer + path, timeout=10).status_code == 404
            assert not [e for e in srv.log_events()
                        if e.get("event") == "request" and e.get("path") == path]
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
