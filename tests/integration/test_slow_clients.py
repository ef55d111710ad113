"""Slow clients against a real server: a request that drips in, a byte at a time, is cut at
its total deadline (limits.header_timeout, limits.body_timeout) with a 408, logged and
counted; one address cannot take more than limits.connections_per_ip connections, which is
on by default, while other clients are served. Real sockets on 127.0.0.1, a few seconds
each: the deadlines are the server's network timers, not lifetimes the test clock moves."""
import socket
import threading
import time

import requests

from test_http_limits import assert_alive, raw

FAST = "limits = { header_timeout = 2; body_timeout = 2; };\n"


def drip(port, head, trickle, seconds=8.0, every=0.25):
    """Sends head, then trickle one byte every `every` seconds (restarting the idle timer
    each time) until the server answers or closes. Returns (what it answered, seconds)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(head)
    s.settimeout(every)
    t0 = time.monotonic()
    got = b""
    try:
        for i in range(int(seconds / every)):
            try:
                s.sendall(trickle[i % len(trickle):i % len(trickle) + 1])
            except OSError:
                break  # closed by the server
            try:
                data = s.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                break
            if not data:
                break
            got += data
        s.settimeout(2)
        try:
            while True:
                data = s.recv(4096)
                if not data:
                    break
                got += data
        except OSError:
            pass
        return got, time.monotonic() - t0
    finally:
        s.close()


def timeouts(srv):
    return [e for e in srv.log_events() if e.get("event") == "request_timeout"]


def test_drip_fed_headers_are_cut_with_408(make_server):
    srv = make_server(config_text=FAST)
    got, took = drip(srv.port, b"GET /health/live HTTP/1.1\r\nHost: x\r\nX-Slow: ",
                     b"abcdefgh")
    assert got.startswith(b"HTTP/1.1 408"), got[:200]
    assert b"headers did not arrive in time" in got
    assert 1.5 < took < 5, took  # 2 s after the request line, not 8 s nor never
    srv.wait_event("request_timeout")
    e = timeouts(srv)[0]
    assert e["phase"] == "headers" and e["status"] == 408 and e["remote"] == "127.0.0.1"
    assert_alive(srv)


def test_drip_fed_body_is_cut_with_408(make_server):
    srv = make_server(config_text=FAST)
    secret = b"client_secret=never-logged"
    got, took = drip(srv.port, b"POST /token HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: application/x-www-form-urlencoded\r\n"
                     b"Content-Length: 200\r\n\r\ngrant_type=client_credentials&", secret)
    assert got.startswith(b"HTTP/1.1 408"), got[:200]
    assert b"body did not arrive in time" in got
    assert 1.5 < took < 5, took
    srv.wait_event("request_timeout")
    assert timeouts(srv)[0]["phase"] == "body"
    assert b"never-logged" not in srv.log_text().encode()
    assert_alive(srv)


def test_drip_fed_request_line_is_closed(make_server):
    """Before a request line there is nothing to answer (it could be an idle keep-alive
    connection): closed, not answered, after limits.connection_timeout in total."""
    srv = make_server(config_text="limits = { connection_timeout = 1; header_timeout = 2; };")
    got, took = drip(srv.port, b"GET /health/l", b"iveeeeeeeeeeeeeeeeeeeee")
    assert got == b""
    assert took < 5, took
    srv.wait_event("request_timeout")
    assert timeouts(srv)[0]["phase"] == "request_line"


def test_prompt_requests_are_not_cut(make_server):
    """The deadline counts from each request, not from the connection's start: a
    keep-alive connection serves requests for longer than any one deadline."""
    srv = make_server(config_text=FAST)
    with requests.Session() as sess:
        for _ in range(6):
            r = sess.post(srv.url + "/token", data={"grant_type": "client_credentials"},
                          timeout=5)
            assert r.status_code in (400, 401)
            time.sleep(0.5)
    assert timeouts(srv) == []


def test_default_per_address_cap_keeps_others_served(server):
    """Without any setting: 300 drip-feeding sockets from one address hold no more than
    the default limits.connections_per_ip (256), and a client from another address is
    served meanwhile."""
    socks = []
    try:
        for _ in range(300):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            s.connect(("127.0.0.1", server.port))
            s.sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\n")
            socks.append(s)
        time.sleep(0.5)
        alive = 0
        for s in socks:
            s.setblocking(False)
            try:
                s.send(b"X")  # a drip: still held by the server?
                if s.recv(1) == b"":
                    continue
            except BlockingIOError:
                alive += 1
            except OSError:
                continue
        assert 200 <= alive <= 256, alive
        status, head, body = raw(server, b"GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n",
                                 source="127.0.0.2")
        assert status == 200
    finally:
        for s in socks:
            s.close()
    assert_alive(server)
