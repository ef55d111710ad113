"""trusted_proxies and forwarded_header (issue 16: "behind a proxy every log line and
rate-limit counter sees the proxy's address"): when the peer is a trusted proxy, the client's
address is the rightmost untrusted hop of X-Forwarded-For (or of Forwarded's for=, RFC 7239),
and that is the address of the request's log line (and of everything else that reads the
request's address). Headers from a peer that is not trusted are ignored. Through a real
nginx with examples/nginx/grantd-lb.conf's proxy headers, and with headers sent directly.
The walk itself, hop by hop, is tests/unit/http/test_client_addr.c."""
import requests

from conftest import run_cli
from test_deploy import free_port, lb_in_front, need_nginx


def remote_of(srv, path):
    lines = srv.wait_request(path)
    assert lines, srv.log_text()[-2000:]
    return lines[-1]["remote"]


def test_without_trusted_proxies_headers_are_ignored(make_server):
    srv = make_server()
    r = requests.get(srv.url + "/jwks.json", headers={"X-Forwarded-For": "203.0.113.5",
                                                      "Forwarded": "for=203.0.113.6"},
                     timeout=10)
    assert r.status_code == 200
    assert remote_of(srv, "/jwks.json") == "127.0.0.1"


def test_a_trusted_peer_names_the_client(make_server):
    srv = make_server(config_text='trusted_proxies = ["127.0.0.1", "10.0.0.0/8"];\n')
    cases = [("/.well-known/openid-configuration", "203.0.113.5", "203.0.113.5"),
             # what the client wrote left of the untrusted hop is not believed
             ("/jwks.json", "6.6.6.6, 203.0.113.7, 10.1.2.3", "203.0.113.7"),
             # no address: the proxy
             ("/.well-known/oauth-authorization-server", "unknown", "127.0.0.1")]
    for path, xff, want in cases:
        assert requests.get(srv.url + path, headers={"X-Forwarded-For": xff},
                            timeout=10).status_code == 200
        assert remote_of(srv, path) == want, (xff, want)
    # forwarded_header is x-forwarded-for: a Forwarded header is not read
    requests.get(srv.url + "/health", headers={"Forwarded": "for=203.0.113.9"}, timeout=10)
    assert remote_of(srv, "/health") == "127.0.0.1"


def test_forwarded_header(make_server):
    srv = make_server(config_text='trusted_proxies = ["127.0.0.1"];\n'
                                  'forwarded_header = "forwarded";\n')
    r = requests.get(srv.url + "/jwks.json",
                     headers={"Forwarded": 'for=192.0.2.1, for="[2001:db8::17]:4711";proto=https',
                              "X-Forwarded-For": "203.0.113.5"}, timeout=10)
    assert r.status_code == 200
    assert remote_of(srv, "/jwks.json") == "2001:db8::17"


def test_bad_settings_are_refused(tmp_path, db_url):
    conf = tmp_path / "grantd.conf"
    for text in ('trusted_proxies = ["10.0.0.0/33"];', 'trusted_proxies = ["proxy.local"];',
                 'forwarded_header = "x-real-ip";'):
        conf.write_text(text + "\n")
        r = run_cli(db_url(), "user", "list", "--config", str(conf), check=False)
        assert r.returncode == 2, (text, r.stderr)


def test_through_nginx(make_server, tmp_path):
    """examples/nginx/grantd-lb.conf sends X-Forwarded-For ($proxy_add_x_forwarded_for):
    nginx appends the address it saw. With trusted_proxies naming nginx's address, grantd
    logs the hop before nginx's (here an outer proxy's, which the test sends); a client
    that sends nothing is the address nginx saw."""
    need_nginx()
    tls_port, http_port = free_port(), free_port()
    issuer = f"https://localhost:{tls_port}"
    srv = make_server(config_text='trusted_proxies = ["127.0.0.1"];\n',
                      extra_args=("--issuer", issuer))
    proc, http = lb_in_front(tmp_path, tls_port, http_port, (srv.port, srv.port))
    try:
        r = http.get(issuer + "/jwks.json", headers={"X-Forwarded-For": "198.51.100.7"},
                     timeout=10)
        assert r.status_code == 200
        assert remote_of(srv, "/jwks.json") == "198.51.100.7"
        r = http.get(issuer + "/.well-known/openid-configuration", timeout=10)
        assert r.status_code == 200
        assert remote_of(srv, "/.well-known/openid-configuration") == "127.0.0.1"
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
