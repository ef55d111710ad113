"""Hostile and malformed HTTP against a real server: every refusal is the right status with
a JSON error, and the server keeps serving afterwards."""
import socket
import time

import requests

BIG = 10 * 1024 * 1024


def raw(srv, data, read_timeout=10, source="127.0.0.1"):
    """Sends raw bytes, returns (status, headers_text, body) of the first response."""
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=read_timeout,
                                 source_address=(source, 0))
    try:
        s.sendall(data)
        chunks = b""
        while b"\r\n\r\n" not in chunks:
            got = s.recv(65536)
            if not got:
                break
            chunks += got
        head, _, body = chunks.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1]) if head else 0
        return status, head.decode("latin-1"), body
    finally:
        s.close()


def assert_alive(srv):
    r = requests.get(srv.url + "/health/live", timeout=5)
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_health_endpoints(server):
    r = requests.get(server.url + "/health/live", timeout=5)
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}
    assert r.headers["Cache-Control"] == "no-store"
    assert r.headers["X-Request-Id"]
    r = requests.get(server.url + "/health/ready", timeout=5)
    assert r.status_code == 200
    assert r.json()["database"] == "ok"


def test_ready_reports_unusable_database(server):
    server.tamper_schema_version(999)  # as a newer grantd would leave it
    r = requests.get(server.url + "/health/ready", timeout=5)
    assert r.status_code == 503
    assert r.json()["status"] == "unavailable"
    assert_alive(server)


def test_ten_megabyte_body_declared_is_413(server):
    status, head, body = raw(server, b"POST /token HTTP/1.1\r\nHost: x\r\n"
                             b"Content-Type: application/x-www-form-urlencoded\r\n"
                             b"Content-Length: %d\r\n\r\n" % BIG)
    assert status == 413
    assert b"invalid_request" in body
    assert_alive(server)


def test_ten_megabyte_body_sent_is_413(server):
    r = requests.post(server.url + "/token", data=b"a=" + b"x" * BIG,
                      headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=30)
    assert r.status_code == 413
    assert r.json()["error"] == "invalid_request"
    assert_alive(server)


def test_ten_megabyte_chunked_body_is_413(server):
    """No Content-Length to refuse up front: the server stops storing at the cap, discards
    the rest (up to GRANTD_BODY_DRAIN_MAX) and answers 413."""
    import threading
    s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    s.sendall(b"POST /token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
              b"Content-Type: application/x-www-form-urlencoded\r\n\r\n")
    chunk = b"%x\r\n%s\r\n" % (65536, b"y" * 65536)
    sent = [0]

    def upload():
        try:
            while sent[0] < BIG:
                s.sendall(chunk)
                sent[0] += 65536
            s.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered and closed before we finished: that is the point

    t = threading.Thread(target=upload, daemon=True)
    t.start()
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            got = s.recv(65536)
            if not got:
                break
            data += got
    except (ConnectionResetError, socket.timeout):
        pass
    t.join(10)
    s.close()
    assert data.startswith(b"HTTP/1.1 413"), data[:200]
    assert_alive(server)


def test_repeated_client_id_is_400(server):
    r = requests.post(server.url + "/token",
                      data="grant_type=client_credentials&client_id=a&client_id=b",
                      headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=5)
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_request"
    assert "client_id" in r.json()["error_description"]
    assert r.headers["Cache-Control"] == "no-store"
    assert r.headers["Pragma"] == "no-cache"


def test_repeated_member_in_json_is_400(server):
    r = requests.post(server.url + "/token",
                      data='{"grant_type":"client_credentials","client_id":"a","client_id":"b"}',
                      headers={"Content-Type": "application/json"}, timeout=5)
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_request"


def test_malformed_percent_encoding_is_400(server):
    for body in ("grant_type=client%ZZcredentials", "grant_type=abc%4", "grant_type=%00x"):
        r = requests.post(server.url + "/token", data=body,
                          headers={"Content-Type": "application/x-www-form-urlencoded"},
                          timeout=5)
        assert r.status_code == 400, body
        assert r.json()["error"] == "invalid_request", body


def test_invalid_json_is_400_with_json_error(server):
    for body in ('{"grant_type": "client_credentials"', "[1,2]", '"x"', "{} trailing",
                 '{"grant_type": 5}', '{"grant_type": ["a"]}', '{"grant_type": {"a": "b"}}',
                 '{"grant_type": true}', "[" * 60000):
        r = requests.post(server.url + "/token", data=body,
                          headers={"Content-Type": "application/json"}, timeout=5)
        assert r.status_code == 400, body[:40]
        assert r.headers["Content-Type"].startswith("application/json")
        assert r.json()["error"] == "invalid_request", body[:40]
    assert_alive(server)


def test_wrong_type_names_the_member(server):
    r = requests.post(server.url + "/token", data='{"grant_type": 5}',
                      headers={"Content-Type": "application/json"}, timeout=5)
    assert "grant_type" in r.json()["error_description"]


def test_unsupported_content_type_is_400(server):
    r = requests.post(server.url + "/token", data="grant_type=client_credentials",
                      headers={"Content-Type": "text/plain"}, timeout=5)
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_request"


def test_too_many_and_too_long_parameters_are_400(server):
    many = "&".join(f"p{i}=v" for i in range(65))
    r = requests.post(server.url + "/token", data=many,
                      headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=5)
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
    long = "grant_type=" + "x" * 5000
    r = requests.post(server.url + "/token", data=long,
                      headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=5)
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"


def test_oversized_headers_are_431(server):
    status, head, body = raw(server, b"GET /health/live HTTP/1.1\r\nHost: x\r\n"
                             b"X-Big: " + b"a" * 40000 + b"\r\n\r\n")
    assert status == 431
    assert_alive(server)


def test_smuggling_vectors_are_400(server):
    vectors = [
        b"POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde",
        b"POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        b"GET /health/live HTTP/1.1\r\n\r\n",
        b"POST /token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        b"POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    ]
    for v in vectors:
        status, head, body = raw(server, v)
        assert status == 400, (v, head)
    assert_alive(server)


def test_nul_bytes_and_folded_lines_in_headers_are_400(server):
    """libmicrohttpd 0.9.75 cuts a header value at a NUL and passes the rest over; a proxy in
    front may read the whole value (request smuggling), so such requests are refused."""
    vectors = [
        b"GET /health/live HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\nX-B: c\r\n\r\n",
        b"GET /health/live HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n",
        b"GET /health/live HTTP/1.1\r\nHost: x\x00.evil\r\n\r\n",
        b"GET /health/live HTTP/1.1\r\nHost: x\r\nX-A: ab\x00\r\n\r\n",
        b"GET /health/live HTTP/1.1\r\nHost: x\r\nX-A: \x00\r\n\r\n",
        b"GET /health/live HTTP/1.1\nHost: x\nX-A: a\x00b\n\n",
        b"POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: 3\x00 0\r\n\r\nabc",
        b"GET /health/live HTTP/1.1\r\nHost: x\r\nX-A: a\r\n folded\r\n\r\n",
    ]
    for v in vectors:
        status, head, body = raw(server, v)
        assert status == 400, (v, head)
    # the same requests without the NUL are served: the check looks at nothing else
    for v in [b"GET /health/live HTTP/1.1\r\nHost: x\r\nX-A: ab\r\nX-E:\r\nX-B: c \r\n\r\n",
              b"GET /health/live HTTP/1.1\nHost: x\nX-A: ab\n\n",
              b"GET /health/live HTTP/1.0\r\n\r\n"]:
        status, head, body = raw(server, v)
        assert status == 200, (v, head)
    assert_alive(server)


def test_unknown_path_404_and_wrong_method_405(server):
    r = requests.get(server.url + "/nope", timeout=5)
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    r = requests.get(server.url + "/token", timeout=5)
    assert r.status_code == 405
    assert r.headers["Allow"] == "POST"
    r = requests.post(server.url + "/health/live", timeout=5)
    assert r.status_code == 405


def open_idle(port, count, source="127.0.0.1"):
    socks = []
    for _ in range(count):
        s = socket.socket()
        s.bind((source, 0))
        s.connect(("127.0.0.1", port))
        s.sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\n")  # never finished
        socks.append(s)
    return socks


def test_500_idle_connections_do_not_block_health(make_server):
    """Idle connections do not hold the I/O threads (the per-address cap, 256 by default,
    is off here so that all 500 come in from 127.0.0.1)."""
    server = make_server(config_text="limits = { connections_per_ip = 0; };\n")
    socks = open_idle(server.port, 500)
    try:
        time.sleep(0.5)
        t0 = time.monotonic()
        assert_alive(server)
        assert time.monotonic() - t0 < 5
    finally:
        for s in socks:
            s.close()
    assert_alive(server)


def test_per_ip_limit_caps_one_address(make_server):
    srv = make_server(config_text="limits = { connections_per_ip = 20; };\n")
    socks = open_idle(srv.port, 60)
    try:
        time.sleep(0.5)
        alive = 0
        for s in socks:
            s.setblocking(False)
            try:
                if s.recv(1) == b"":
                    continue  # closed by the server
            except BlockingIOError:
                alive += 1
            except ConnectionResetError:
                continue
        assert alive <= 20
        # another client address still gets served while 127.0.0.1 is at its cap
        status, head, body = raw(srv, b"GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n",
                                 source="127.0.0.2")
        assert status == 200
    finally:
        for s in socks:
            s.close()


def test_idle_connection_times_out(make_server):
    srv = make_server(config_text="limits = { connection_timeout = 1; };\n")
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    s.sendall(b"GET /health/live HTTP/1.1\r\n")
    t0 = time.monotonic()
    assert s.recv(100) == b""  # closed by the server
    assert time.monotonic() - t0 < 8
    s.close()


def test_keep_alive_is_kept(server):
    with requests.Session() as sess:
        for _ in range(20):
            r = sess.get(server.url + "/health/live", timeout=5)
            assert r.status_code == 200
            assert r.headers.get("Connection", "").lower() != "close"
