"""Prometheus metrics (issue 16, "What operators expect"): GET /metrics on the admin listener
only, in the text exposition format 0.0.4, read here by a strict parser of that format (every
line must be a HELP, a TYPE or a sample of the family its TYPE announced; label values with
only the three escapes; histograms with cumulative buckets, +Inf equal to _count, and _sum).
After a known set of requests, each counter must have moved by exactly what was done.

Not here: the audit events (test_audit_events.py), the rate limits that count
grantd_rate_limited_total (their own tests).
"""
import math
import re

import requests

from flow import Agent, authorize_url, exchange, make_client, make_user, pkce_pair, \
    redirect_params
from test_check import admin_server
from test_tokens import client_credentials, introspect, observer

CB = "http://127.0.0.1:9/cb"
NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


# ---- a strict parser of the text format 0.0.4 ----------------------------------------------

def parse_labels(text):
    """'{a="x",b="y\\"z"}' (without braces) -> dict; raises on anything the format forbids."""
    labels, i = {}, 0
    while i < len(text):
        m = re.compile(LABEL + r'="').match(text, i)
        assert m, f"bad label at {text[i:]!r}"
        name = m.group(0)[:-2]
        i = m.end()
        value = []
        while True:
            assert i < len(text), f"unterminated label value in {text!r}"
            c = text[i]
            if c == "\\":
                esc = text[i + 1]
                assert esc in '\\"n', f"bad escape \\{esc} in {text!r}"
                value.append({"\\": "\\", '"': '"', "n": "\n"}[esc])
                i += 2
            elif c == '"':
                i += 1
                break
            else:
                assert c != "\n"
                value.append(c)
                i += 1
        assert name not in labels, f"label {name} twice in {text!r}"
        labels[name] = "".join(value)
        if i < len(text):
            assert text[i] == ",", f"expected ',' at {text[i:]!r}"
            i += 1
            assert i < len(text), "trailing comma"
    return labels


def parse_value(text):
    if text in ("+Inf", "-Inf", "NaN"):
        return float(text.replace("Inf", "inf").replace("NaN", "nan"))
    assert re.fullmatch(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?", text), f"bad value {text!r}"
    return float(text)


def family_of(name, types):
    for suffix in ("_bucket", "_sum", "_count"):
        base = name[:-len(suffix)]
        if name.endswith(suffix) and types.get(base) == "histogram":
            return base
    return name


def parse(text):
    """The exposition text -> {family: {"type", "help", "samples": [(name, labels, value)]}}."""
    assert text.endswith("\n"), "the text must end with a line feed"
    families, types, current = {}, {}, None
    sample = re.compile(r"(" + NAME + r")(?:\{(.*)\})? (\S+)(?: (-?[0-9]+))?")
    for line in text[:-1].split("\n"):
        assert line, "empty line"
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            kind, name, rest = line[2:6], *(line[7:].split(" ", 1) + [""])[:2]
            assert re.fullmatch(NAME, name), line
            fam = families.setdefault(name, {"type": None, "help": None, "samples": []})
            assert not fam["samples"], f"{kind} after samples of {name}"
            if kind == "TYPE":
                assert rest in TYPES and fam["type"] is None, line
                fam["type"] = types[name] = rest
            else:
                assert fam["help"] is None, line
                assert not re.search(r"\\[^\\n]", rest), line
                fam["help"] = rest
            current = name
            continue
        assert not line.startswith("#"), f"unknown comment {line!r}"
        m = sample.fullmatch(line)
        assert m, f"not a sample line: {line!r}"
        name = m.group(1)
        fam_name = family_of(name, types)
        assert fam_name == current, f"{name} outside its family's block"
        fam = families[fam_name]
        assert fam["type"], f"sample of {fam_name} before its TYPE"
        labels = parse_labels(m.group(2) or "")
        key = (name, tuple(sorted(labels.items())))
        assert key not in {(n, tuple(sorted(l.items()))) for n, l, _ in fam["samples"]}, line
        fam["samples"].append((name, labels, parse_value(m.group(3))))
    for name, fam in families.items():
        if fam["type"] == "counter":
            assert all(v >= 0 for _, _, v in fam["samples"]), name
        if fam["type"] == "histogram":
            check_histogram(name, fam["samples"])
    return families


def check_histogram(name, samples):
    series = {}
    for n, labels, v in samples:
        rest = tuple(sorted((k, x) for k, x in labels.items() if k != "le"))
        s = series.setdefault(rest, {"buckets": [], "sum": None, "count": None})
        if n == name + "_bucket":
            s["buckets"].append((parse_value(labels["le"]), v))
        elif n == name + "_sum":
            s["sum"] = v
        else:
            s["count"] = v
    for rest, s in series.items():
        les = [le for le, _ in s["buckets"]]
        assert les == sorted(les) and les[-1] == math.inf, (name, rest, les)
        counts = [c for _, c in s["buckets"]]
        assert counts == sorted(counts), f"{name}{rest}: buckets not cumulative"
        assert s["sum"] is not None and s["count"] == counts[-1], (name, rest, s)


# ---- helpers ---------------------------------------------------------------------------------

def scrape(srv):
    r = requests.get(srv.admin_url + "/metrics", timeout=10)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4"), r.headers
    return parse(r.text)


def value(fams, name, family=None, **labels):
    """The sample name{labels} (0 when absent: a counter not yet touched)."""
    fam = fams[family or family_of(name, {k: f["type"] for k, f in fams.items()})]
    for n, l, v in fam["samples"]:
        if n == name and l == labels:
            return v
    return 0


def delta(before, after, name, **labels):
    return value(after, name, **labels) - value(before, name, **labels)


def code_flow(srv, client):
    agent = Agent(srv)
    verifier, challenge = pkce_pair()
    url = authorize_url(srv, response_type="code", client_id=client["client_id"],
                        redirect_uri=CB, code_challenge=challenge,
                        code_challenge_method="S256")
    q = redirect_params(agent.authorize(url))
    return exchange(srv, client, q["code"], CB, verifier)


# ---- tests -----------------------------------------------------------------------------------

def test_metrics_are_on_the_admin_listener_only(make_server):
    srv = admin_server(make_server)
    assert requests.get(srv.url + "/metrics", timeout=10).status_code == 404
    fams = scrape(srv)
    # the public 404 above is counted under a bounded label, not under its path
    assert value(fams, "grantd_http_requests_total", route="unmatched", listener="public",
                 status="404") == 1
    assert not any(l.get("route") == "/metrics" and l.get("listener") == "public"
                   for _, l, _ in fams["grantd_http_requests_total"]["samples"])


def test_counters_move_by_exactly_what_was_done(make_server):
    srv = admin_server(make_server)
    make_user(srv)
    web = make_client(srv)
    cc = make_client(srv, "--grant", "client_credentials", redirect=None)
    obs = observer(srv)
    before = scrape(srv)

    tokens = [client_credentials(srv, cc) for _ in range(3)]
    assert all(r.status_code == 200 for r in tokens)
    bad = dict(cc, client_secret="not-the-secret")
    assert all(client_credentials(srv, bad).status_code == 401 for _ in range(2))
    assert requests.post(srv.url + "/token", data={"grant_type": "password"},
                         auth=(cc["client_id"], cc["client_secret"]),
                         timeout=10).status_code == 400
    assert code_flow(srv, web).status_code == 200
    odd = requests.get(authorize_url(srv, response_type="token", client_id=web["client_id"],
                                     redirect_uri=CB), allow_redirects=False, timeout=10)
    assert redirect_params(odd)["error"] == "unsupported_response_type"
    token = tokens[0].json()["access_token"]
    looks = 0
    for _ in range(5):  # a change seen by the watcher meanwhile may drop the entry: again
        assert introspect(srv, obs, token).json()["active"] is True
        looks += 1
        mid = scrape(srv)
        if looks >= 2 and delta(before, mid, "grantd_cache_hits_total", cache="token"):
            break
    after = scrape(srv)

    issued = "grantd_tokens_issued_total"
    assert delta(before, after, issued, grant="client_credentials") == 3
    assert delta(before, after, issued, grant="authorization_code") == 1
    assert delta(before, after, issued, grant="refresh_token") == 0
    assert delta(before, after, "grantd_refusals_total", reason="invalid_client") == 2
    assert delta(before, after, "grantd_refusals_total", reason="unsupported_grant_type") == 1
    assert delta(before, after, "grantd_refusals_total",
                 reason="unsupported_response_type") == 1

    req = "grantd_http_requests_total"
    token_route = {"route": "/token", "listener": "public"}
    assert delta(before, after, req, status="200", **token_route) == 4
    assert delta(before, after, req, status="401", **token_route) == 2
    assert delta(before, after, req, status="400", **token_route) == 1
    assert delta(before, after, req, route="/introspect", listener="public",
                 status="200") == looks
    assert delta(before, after, req, route="/login", listener="public", status="303") == 1
    # the scrapes before this one (the first and one per introspection) are counted once
    # they were answered
    assert delta(before, after, req, route="/metrics", listener="admin",
                 status="200") == looks + 1
    dur = "grantd_http_request_duration_seconds"
    assert delta(before, after, dur + "_count", **token_route) == 7
    assert delta(before, after, dur + "_sum", **token_route) > 0

    # each introspection is one lookup of the token cache; a repeated one is its hit
    hits = delta(before, after, "grantd_cache_hits_total", cache="token")
    assert hits >= 1
    assert hits + delta(before, after, "grantd_cache_misses_total", cache="token") == looks
    assert delta(before, after, "grantd_cache_hits_total", cache="client") >= 1

    store = after["grantd_store_operation_duration_seconds"]["samples"]
    ops = {l["op"] for n, l, _ in store if n.endswith("_count")}
    assert {"client_get", "user_get", "code_put"} <= ops, ops
    batches = after["grantd_store_writer_batch_size"]["samples"]
    jobs = sum(v for n, _, v in batches if n.endswith("_sum")) - sum(
        v for n, _, v in before["grantd_store_writer_batch_size"]["samples"]
        if n.endswith("_sum"))
    assert jobs >= 4  # at least the four token answers' writes went through a writer


def test_signing_key_age_follows_the_clock(make_server, clock):
    srv = admin_server(make_server)
    ages = {l["alg"]: v for _, l, v in scrape(srv)["grantd_signing_key_age_seconds"]["samples"]
            if l["issuer"] == srv.url}
    assert set(ages) == {"ES256"}
    clock.advance(3600)
    later = value(scrape(srv), "grantd_signing_key_age_seconds", issuer=srv.url, alg="ES256")
    assert 3600 <= later - ages["ES256"] <= 3700


def test_the_parser_refuses_what_the_format_forbids():
    good = ('# HELP a_total A.\n# TYPE a_total counter\na_total{x="q\\"\\\\\\n"} 1\n'
            '# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 3\n'
            'h_count 2\n')
    assert parse(good)["a_total"]["samples"][0][1] == {"x": 'q"\\\n'}
    for bad in ('a_total 1\n',                                       # no TYPE
                '# TYPE a counter\na{x="\\t"} 1\n',                  # an escape not allowed
                '# TYPE a counter\na{x="1",x="2"} 1\n',              # a label twice
                '# TYPE a counter\na 1\n# TYPE b counter\nb 1\na 2\n',  # interleaved
                '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\n'
                'h_count 1\n',                                       # not cumulative
                '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n',  # no +Inf
                '# TYPE a counter\na 1'):                            # no final line feed
        try:
            parse(bad)
        except AssertionError:
            continue
        raise AssertionError(f"accepted {bad!r}")
