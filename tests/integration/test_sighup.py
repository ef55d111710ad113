"""SIGHUP (issue 16, faults): `grantd serve` reopens log_file and audit_log (after a rotation
renamed them) and reloads nothing else; requests in flight and open connections are not
touched. Before, SIGHUP's default action ended the server. The rotation recipe is
examples/logrotate/grantd."""
import json
import signal
import subprocess
import threading
import time

import requests

from conftest import GRANTD, ROOT, create_client


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def lines(path):
    if not path.exists():
        return []
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()]


def events(path, name):
    return [e for e in lines(path) if e.get("event") == name]


def test_sighup_does_not_stop_a_server_without_files(make_server):
    srv = make_server()
    srv.proc.send_signal(signal.SIGHUP)
    assert srv.wait_event("reopened")
    assert requests.get(srv.url + "/jwks.json", timeout=10).status_code == 200
    assert srv.proc.poll() is None


def test_sighup_under_load_drops_no_request(make_server, tmp_path):
    log = tmp_path / "grantd.log"
    srv = make_server(config_text=f'log_file = "{log}";\n')
    client = create_client(srv, "--name", "load", "--grant", "client_credentials",
                           "--scope", "orders")
    auth = (client["client_id"], client["client_secret"])
    failures, answered = [], [0]
    lock = threading.Lock()
    stop = threading.Event()

    def load():
        http = requests.Session()  # keep-alive: a connection the signal must not cut
        while not stop.is_set():
            try:
                r = http.get(srv.url + "/.well-known/openid-configuration", timeout=10)
                t = http.post(srv.url + "/token", data={"grant_type": "client_credentials"},
                              auth=auth, timeout=10)
                ok = r.status_code == 200 and t.status_code == 200
            except requests.RequestException as e:
                ok, r = False, e
            with lock:
                answered[0] += 2
                if not ok:
                    failures.append(r)

    threads = [threading.Thread(target=load) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        for i in range(10):
            wait_for(lambda: answered[0] >= 40 * (i + 1))
            if i == 5:  # a rotation in the middle of it
                log.rename(tmp_path / "grantd.log.1")
            srv.proc.send_signal(signal.SIGHUP)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    assert failures == [] and answered[0] >= 400
    assert srv.proc.poll() is None
    wait_for(lambda: len(events(log, "reopened")) >= 4)
    old = tmp_path / "grantd.log.1"
    # every request's line is in one of the two files, whole (no torn line)
    requests_logged = events(old, "request") + events(log, "request")
    assert len(requests_logged) >= answered[0] - 8  # the last few may still be on their way
    assert events(old, "listening") and not events(log, "listening")
    r = requests.get(srv.url + "/jwks.json", headers={"X-Marker": "after"}, timeout=10)
    assert r.status_code == 200
    wait_for(lambda: any(e["path"] == "/jwks.json" for e in events(log, "request")))
    assert not any(e["path"] == "/jwks.json" for e in events(old, "request"))


def test_sighup_reopens_the_audit_log(make_server, tmp_path):
    audit = tmp_path / "audit.jsonl"
    srv = make_server(config_text=f'audit_log = "{audit}";\n')
    create_client(srv, "--name", "first", "--grant", "client_credentials")
    wait_for(lambda: [e["action"] for e in lines(audit)][-1:] == ["client.create"])
    audit.rename(tmp_path / "audit.jsonl.1")
    srv.proc.send_signal(signal.SIGHUP)
    assert srv.wait_event("reopened")
    create_client(srv, "--name", "second", "--grant", "client_credentials")
    wait_for(lambda: len(lines(audit)) == 1)
    old = lines(tmp_path / "audit.jsonl.1")
    second, = lines(audit)
    # the new file goes on after the renamed one: nothing written twice, nothing lost
    assert second["seq"] == old[-1]["seq"] + 1 and second["action"] == "client.create"
    assert audit.stat().st_mode & 0o777 == 0o600


def test_a_log_file_that_cannot_be_opened_stops_the_start(tmp_path, db_url):
    conf = tmp_path / "grantd.conf"
    conf.write_text(f'log_file = "{tmp_path}/no/such/dir/grantd.log";\n')
    r = subprocess.run([GRANTD, "serve", "--listen", "127.0.0.1:0", "--db", db_url(),
                        "--config", str(conf)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "log_file" in r.stderr, r.stderr


def test_the_logrotate_example_renames_then_signals(make_server, tmp_path):
    """examples/logrotate/grantd as logrotate runs it (no logrotate on this machine): the
    files it names are the ones the example configuration names; rename, then the
    postrotate's reload (SIGHUP through ExecReload); no copytruncate."""
    example = (ROOT / "examples/logrotate/grantd").read_text()
    body = "\n".join(x for x in example.splitlines() if not x.lstrip().startswith("#"))
    ours = body.split("/var/log/grantd/grantd.log /var/log/grantd/audit.jsonl {")[1]
    ours = ours.split("}")[0]
    assert "copytruncate" not in ours and "nocreate" in ours
    # audit_events is not reopened by SIGHUP: its stanza truncates a copy instead
    assert "copytruncate" in body.split("/var/log/grantd/events.jsonl {")[1]
    assert "systemctl reload grantd.service" in ours
    unit = (ROOT / "examples/systemd/grantd.service").read_text()
    assert "ExecReload=/bin/kill -HUP $MAINPID" in unit and "LogsDirectory=grantd" in unit
    # what it does, against a real server: rename both, signal, both reopened
    log, audit = tmp_path / "grantd.log", tmp_path / "audit.jsonl"
    srv = make_server(config_text=f'log_file = "{log}";\naudit_log = "{audit}";\n')
    wait_for(lambda: events(log, "listening"))
    log.rename(tmp_path / "grantd.log.1")
    audit.rename(tmp_path / "audit.jsonl.1")
    srv.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: events(log, "reopened"))
    assert audit.exists() and oct(log.stat().st_mode & 0o777) == "0o640"
