"""Configuration precedence and errors, and what the logs may and may not contain."""
import json
import subprocess

import requests

from conftest import GRANTD


def serve_fails(tmp_path, config_text, *extra, env=None):
    cfg = tmp_path / "bad.conf"
    cfg.write_text(config_text)
    p = subprocess.run([GRANTD, "serve", "--config", str(cfg), "--db",
                        f"sqlite:{tmp_path}/x.db", *extra],
                       capture_output=True, text=True, timeout=20, env=env)
    return p


def test_config_errors_name_file_and_line(tmp_path):
    p = serve_fails(tmp_path, '# comment\nlisten = "127.0.0.1:0";\nlimits = {\n  body_bytes = 12;\n};\n')
    assert p.returncode == 2
    assert "bad.conf:4" in p.stderr and "body_bytes" in p.stderr
    p = serve_fails(tmp_path, 'listen = "127.0.0.1:0";\nlistne = "x";\n')
    assert p.returncode == 2 and "bad.conf:2" in p.stderr and "listne" in p.stderr
    p = serve_fails(tmp_path, 'listen = 8080;\n')
    assert p.returncode == 2 and "bad.conf:1" in p.stderr
    p = serve_fails(tmp_path, 'listen = "127.0.0.1:0"\nissuer = "x";\n')  # missing ';'
    assert p.returncode == 2 and "bad.conf:" in p.stderr


def test_flags_override_env_override_file(make_server, tmp_path):
    srv = make_server(config_text='issuer = "https://from-file.example";\n',
                      env={"GRANTD_ISSUER": "https://from-env.example"})
    assert srv.wait_event("listening")["issuer"] == "https://from-env.example"
    two = tmp_path / "two"
    two.mkdir()
    srv2 = make_server(config_text='issuer = "https://from-file.example";\n',
                       env={"GRANTD_ISSUER": "https://from-env.example"},
                       extra_args=["--issuer", "https://from-flag.example"], workdir=two)
    assert srv2.wait_event("listening")["issuer"] == "https://from-flag.example"


def test_one_json_line_per_request_without_secrets(server):
    secret_query = "code=SECRETCODE123&state=SECRETSTATE"
    requests.get(server.url + "/health/live?" + secret_query, timeout=5)
    requests.post(server.url + "/token",
                  data={"grant_type": "password", "client_id": "c",
                        "client_secret": "SECRETVALUE999", "password": "SECRETPW"},
                  auth=("c", "SECRETBASIC"), timeout=5)
    server.stop()
    text = server.log_text()
    for secret in ("SECRETCODE123", "SECRETSTATE", "SECRETVALUE999", "SECRETPW", "SECRETBASIC"):
        assert secret not in text
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    reqs = [e for e in lines if e["event"] == "request"]
    assert len(reqs) == 2
    for e in reqs:
        assert set(e) >= {"ts", "level", "method", "path", "status", "duration_ms", "request_id"}
    assert reqs[0]["path"] == "/health/live" and reqs[0]["status"] == 200
    assert reqs[1]["method"] == "POST"
