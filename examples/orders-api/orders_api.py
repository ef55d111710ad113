#!/usr/bin/env python3
"""A small orders API behind nginx and grantd's /check: the Apruve guide's "create orders on
their behalf and get data about their account such as credit limit".

    GET  /api/v1/accounts/me/credit_limit   the account's credit limit      (scope profile)
    GET  /api/v1/orders                      the account's orders            (scope orders)
    POST /api/v1/orders                      a new order, JSON body          (scope orders)

It checks no token itself. nginx (examples/nginx/orders-api.conf) asks grantd's /check for
every request, requires the scope of each location, and passes the token's facts on as
X-Grantd-* headers, overwriting whatever a client sent under those names. So this program
trusts those headers, and it must therefore listen on loopback only, reachable through
nginx alone: anyone who can talk to it directly can claim any account.

Orders live in memory, per account (X-Grantd-Account; a token without an account, such as a
client_credentials one, uses its subject). Standard library only:

    python3 examples/orders-api/orders_api.py [--listen 127.0.0.1:9000]
"""
import argparse
import http.server
import json
import threading

CREDIT_LIMIT = {"amount_cents": 500000, "currency": "USD"}
MAX_BODY = 16384


class Store:
    def __init__(self):
        self.lock = threading.Lock()
        self.orders = {}  # account -> [order]

    def add(self, account, order):
        with self.lock:
            mine = self.orders.setdefault(account, [])
            order = {"id": f"{account}-{len(mine) + 1}", **order}
            mine.append(order)
            return order

    def list(self, account):
        with self.lock:
            return list(self.orders.get(account, []))


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "orders-api"
    protocol_version = "HTTP/1.1"

    def identity(self):
        """The token's facts, as nginx set them (absent ones are not sent)."""
        h = lambda name: self.headers.get("X-Grantd-" + name, "")
        return {"account": h("Account") or h("Subject"), "subject": h("Subject"),
                "client_id": h("Client-Id"), "scope": h("Scope"), "username": h("Username")}

    def reply(self, status, value):
        body = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        me = self.identity()
        if self.path == "/api/v1/accounts/me/credit_limit":
            self.reply(200, {"account": me["account"], "credit_limit": CREDIT_LIMIT})
        elif self.path == "/api/v1/orders":
            self.reply(200, {"account": me["account"],
                             "orders": self.server.store.list(me["account"])})
        else:
            self.reply(404, {"error": "not_found"})

    def do_POST(self):
        me = self.identity()
        if self.path != "/api/v1/orders":
            self.reply(404, {"error": "not_found"})
            return
        try:
            length = int(self.headers.get("Content-Length", "0"))
            if not 0 < length <= MAX_BODY:
                raise ValueError("a JSON body of 1 to 16384 bytes")
            order = json.loads(self.rfile.read(length))
            if not isinstance(order, dict):
                raise ValueError("a JSON object")
        except ValueError as e:
            self.close_connection = True
            self.reply(400, {"error": "bad_request", "error_description": str(e)})
            return
        order = self.server.store.add(me["account"], {
            "items": order.get("items", []), "account": me["account"],
            "created_by": {"subject": me["subject"], "client_id": me["client_id"],
                           "username": me["username"]}})
        self.reply(201, order)

    def log_message(self, fmt, *args):
        if not self.server.quiet:
            super().log_message(fmt, *args)


def make_server(host="127.0.0.1", port=9000, quiet=False):
    httpd = http.server.ThreadingHTTPServer((host, port), Handler)
    httpd.daemon_threads = True
    httpd.store = Store()
    httpd.quiet = quiet
    return httpd


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--listen", default="127.0.0.1:9000",
                   help="loopback address:port (default 127.0.0.1:9000); nginx's upstream")
    p.add_argument("--quiet", action="store_true", help="no request log")
    a = p.parse_args()
    host, _, port = a.listen.rpartition(":")
    httpd = make_server(host, int(port), a.quiet)
    print(f"orders API on http://{a.listen} (behind nginx only)", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
