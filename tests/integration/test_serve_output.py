"""What `grantd serve` tells its operator: the database URL never with its password, whether
the server starts or not."""
import os
import subprocess

from conftest import GRANTD

MASTER = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="


def serve(*args, env=None, cwd=None, timeout=30):
    """Runs `grantd serve ARGS` to its end (for starts that fail) and returns the process."""
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run([GRANTD, "serve", "--listen", "127.0.0.1:0", *args],
                          capture_output=True, text=True, env=full_env, cwd=cwd,
                          timeout=timeout)


def test_a_postgres_url_password_is_never_printed(tmp_path):
    p = serve("--db", "postgres://grantd:s3cr3t-pw@db.example/grantd", cwd=tmp_path)
    assert p.returncode != 0
    assert "s3cr3t-pw" not in p.stdout + p.stderr
    assert "postgres://grantd:***@db.example/grantd" in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr


def test_the_listening_log_line_redacts_the_database_url(make_server, tmp_path):
    # an SQLite path shaped like a URL with a password: the server opens it, so every line it
    # prints while serving is checked, the "listening" log line with its "db" member first
    (tmp_path / "x:" / "u:s3cr3t-pw@h").mkdir(parents=True)
    srv = make_server(extra_args=("--db", f"sqlite:{tmp_path}/x://u:s3cr3t-pw@h/grantd.db"),
                      env={"GRANTD_MASTER_KEY": MASTER})
    event = srv.wait_log(lambda e: e.get("event") == "listening")[0]
    assert event["db"] == f"sqlite:{tmp_path}/x://u:***@h/grantd.db"
    assert srv.stop() == 0
    assert "s3cr3t-pw" not in srv.log_text()


def test_a_configured_master_key_file_that_is_missing_stops_the_start(tmp_path):
    missing = tmp_path / "keys" / "master.key"
    (tmp_path / "keys").mkdir()
    conf = tmp_path / "grantd.conf"
    conf.write_text(f'keys = {{ master_key_file = "{missing}"; }};\n')
    p = serve("--config", str(conf), "--db", f"sqlite:{tmp_path}/grantd.db")
    assert p.returncode != 0 and "listening" not in p.stdout
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert lines[0].startswith("grantd serve: ") and str(missing) in lines[0]
    assert "does not exist" in lines[0]
    assert not missing.exists(), "a configured key file must never be created"
    assert not (tmp_path / "grantd.db.key").exists()
    # once the file exists, the server starts with it
    missing.write_text(MASTER + "\n")
    missing.chmod(0o600)
    ok = subprocess.Popen([GRANTD, "serve", "--listen", "127.0.0.1:0", "--config", str(conf),
                           "--db", f"sqlite:{tmp_path}/grantd.db"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    try:
        assert "listening" in ok.stdout.readline()
    finally:
        ok.terminate()
        ok.communicate(timeout=30)
    assert ok.returncode == 0
