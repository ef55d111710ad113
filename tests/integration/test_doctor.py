"""`grantd doctor` (issue 16, deployment): checks a configuration and its database before a
start, changing nothing, one line per finding (ok / warn / FAIL), exit status 0 when nothing
failed and 1 otherwise: the configuration parses, the listen addresses are free, the database
answers at a schema this grantd runs on, the master key opens the signing keys, the SQLite
file and key file are private, and TLS/proxy hints."""
import base64
import os
import socket

from conftest import run_cli, sqlite_only

MASTER = base64.b64encode(b"k" * 32).decode()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def doctor(tmp_path, config, db, env=None):
    conf = tmp_path / "grantd.conf"
    conf.write_text(config)
    r = run_cli(db, "doctor", "--config", str(conf), env=env, check=False)
    lines = r.stdout.splitlines()
    assert lines and lines[-1].endswith("warnings"), r.stdout + r.stderr
    return r.returncode, lines


def findings(lines, level):
    return [line for line in lines if line.startswith(level + " ")]


def prepared(db, env=None):
    """A database with its first signing key, as a first start leaves it."""
    run_cli(db, "migrate", env=env)
    run_cli(db, "key", "rotate", env=env)


@sqlite_only("the SQLite file, its modes and its key file beside it")
def test_a_healthy_setup_passes_and_nothing_is_changed(tmp_path):
    db_file = tmp_path / "grantd.db"
    db = f"sqlite:{db_file}"
    prepared(db)
    before = sorted(os.listdir(tmp_path))
    rc, lines = doctor(tmp_path, f'listen = "127.0.0.1:{free_port()}";\n', db)
    assert rc == 0, lines
    assert findings(lines, "FAIL") == []
    text = "\n".join(lines)
    assert "listen 127.0.0.1:" in text and "free" in text
    assert "schema this grantd runs on" in text
    assert "the master key opens all 1 published" in text
    assert "mode 0600" in text
    # the key file beside the database is a production warning, not a failure
    assert any("beside the database" in w for w in findings(lines, "warn"))
    assert sorted(os.listdir(tmp_path)) == sorted(before + ["grantd.conf"])


@sqlite_only("the key file beside the SQLite database")
def test_missing_or_open_key_file_fails(tmp_path):
    db_file = tmp_path / "grantd.db"
    db = f"sqlite:{db_file}"
    prepared(db)
    key = tmp_path / "grantd.db.key"
    key.chmod(0o644)
    rc, lines = doctor(tmp_path, f'listen = "127.0.0.1:{free_port()}";\n', db)
    assert rc == 1 and any("master key file" in f and "chmod 600" in f
                           for f in findings(lines, "FAIL")), lines
    key.rename(tmp_path / "elsewhere.key")
    rc, lines = doctor(tmp_path, f'listen = "127.0.0.1:{free_port()}";\n', db)
    assert rc == 1 and any("no master key to open them" in f for f in findings(lines, "FAIL"))
    assert not key.exists()  # doctor did not create one


def test_a_wrong_master_key_fails(tmp_path, db_url):
    db = db_url()
    prepared(db, env={"GRANTD_MASTER_KEY": MASTER})
    other = base64.b64encode(b"o" * 32).decode()
    rc, lines = doctor(tmp_path, f'listen = "127.0.0.1:{free_port()}";\n', db,
                       env={"GRANTD_MASTER_KEY": other})
    assert rc == 1 and any("does not open" in f for f in findings(lines, "FAIL")), lines
    rc, lines = doctor(tmp_path, f'listen = "127.0.0.1:{free_port()}";\n', db,
                       env={"GRANTD_MASTER_KEY": MASTER})
    assert rc == 0, lines


def test_a_taken_port_and_a_bad_config_fail(tmp_path, db_url):
    db = db_url()
    prepared(db, env={"GRANTD_MASTER_KEY": MASTER})
    env = {"GRANTD_MASTER_KEY": MASTER}
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        rc, lines = doctor(tmp_path, f'listen = "127.0.0.1:{port}";\n', db, env=env)
        assert rc == 1 and any(f"listen 127.0.0.1:{port}: cannot bind" in f
                               for f in findings(lines, "FAIL")), lines
    rc, lines = doctor(tmp_path, 'listen = "127.0.0.1:1"\nlimits = {\n', db, env=env)
    assert rc == 1 and findings(lines, "FAIL")[0].startswith("FAIL  config: "), lines
    rc, lines = doctor(tmp_path, "trusted_proxies = [\"nope\"];\n", db, env=env)
    assert rc == 1 and "trusted_proxies" in findings(lines, "FAIL")[0]


def test_tls_and_proxy_hints(tmp_path, db_url):
    db = db_url()
    env = {"GRANTD_MASTER_KEY": MASTER}
    prepared(db, env=env)
    rc, lines = doctor(tmp_path, f'listen = "0.0.0.0:{free_port()}";\n'
                                 'issuer = "http://auth.example.com";\n'
                                 f'admin_listen = "0.0.0.0:{free_port()}";\n', db, env=env)
    warns = "\n".join(findings(lines, "warn"))
    assert rc == 0 and "issuer is not https" in warns and "admin_listen" in warns, lines
    rc, lines = doctor(tmp_path, f'listen = "127.0.0.1:{free_port()}";\n'
                                 'trusted_proxies = ["127.0.0.1"];\n', db, env=env)
    assert rc == 0 and any("connections_per_ip" in w for w in findings(lines, "warn")), lines
    rc, lines = doctor(tmp_path, f'listen = "127.0.0.1:{free_port()}";\n'
                                 'issuer = "https://auth.example.com";\n', db, env=env)
    assert any("no trusted_proxies" in w for w in findings(lines, "warn")), lines


def test_help():
    r = run_cli(None, "doctor", "--help")
    assert "Usage: grantd doctor" in r.stdout
    assert run_cli(None, "doctor", "extra", check=False).returncode == 2
