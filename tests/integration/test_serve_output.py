"""What `grantd serve` tells its operator: the address it bound, as README shows it; the
database URL never with its password, whether the server starts or not; the master-key
warning once (and not from every admin command); one clear line when the start fails."""
import json
import os
import re
import subprocess

from conftest import GRANTD, ROOT, serve_first_line, sqlite_only

MASTER = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="


def without_master_key():
    """The environment less GRANTD_MASTER_KEY (which a PostgreSQL run of the suite sets),
    for tests of where the master key comes from when the environment gives none."""
    return {k: v for k, v in os.environ.items() if k != "GRANTD_MASTER_KEY"}


def serve(*args, env=None, cwd=None, timeout=30):
    """Runs `grantd serve ARGS` to its end (for starts that fail) and returns the process."""
    full_env = dict(without_master_key(), **(env or {}))
    return subprocess.run([GRANTD, "serve", "--listen", "127.0.0.1:0", *args],
                          capture_output=True, text=True, env=full_env, cwd=cwd,
                          timeout=timeout)


def test_a_postgres_url_password_is_never_printed(tmp_path):
    # nothing listens on port 1: the start fails with one line naming the database, its
    # password masked
    p = serve("--db", "postgres://grantd:s3cr3t-pw@127.0.0.1:1/grantd", cwd=tmp_path)
    assert p.returncode != 0
    assert "s3cr3t-pw" not in p.stdout + p.stderr
    assert p.stderr.startswith(
        "grantd: cannot connect to postgresql://grantd:***@127.0.0.1:1/grantd: ")
    assert p.stderr.count("\n") == 1


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
                          stderr=subprocess.PIPE, text=True, env=without_master_key())
    try:
        assert "listening" in ok.stdout.readline()
    finally:
        ok.terminate()
        ok.communicate(timeout=30)
    assert ok.returncode == 0


def test_the_listening_line_names_the_bound_address_as_the_readme_shows(tmp_path):
    line, err = serve_first_line(tmp_path)
    m = re.fullmatch(r"grantd listening on http://127\.0\.0\.1:(\d+), issuer "
                     r"http://127\.0\.0\.1:(\d+)\n", line)
    assert m, line
    assert m.group(1) == m.group(2) and m.group(1) != "0"
    shown = re.findall(r"^grantd listening on .*$", (ROOT / "README.md").read_text(), re.M)
    assert shown, "README shows no listening line"
    for example in shown:
        assert re.fullmatch(r"grantd listening on http://127\.0\.0\.1:8080, issuer "
                            r"http://127\.0\.0\.1:8080", example), example
    event = [json.loads(l) for l in err.splitlines() if '"listening"' in l][0]
    assert event["url"] == f"http://127.0.0.1:{m.group(1)}" and event["port"] == int(m.group(1))


@sqlite_only("without a configured master key grantd makes SQLite's key file")
def test_the_master_key_warning_comes_once_from_serve_only(make_server, tmp_path):
    srv = make_server(defer_start=True)
    # admin commands on a database without a configured master key: their own lines only
    for args in (("migrate",), ("key", "rotate"), ("key", "list"), ("client", "list"),
                 ("user", "list"), ("tenant", "list")):
        p = srv.cli(*args)
        assert p.stderr == "", (args, p.stderr)
        assert not any(l.startswith("{") for l in p.stdout.splitlines()), (args, p.stdout)
    assert (tmp_path / "grantd.db.key").exists()
    srv.start()
    warnings = srv.wait_log(lambda e: e.get("event") == "master_key_default")
    assert len(warnings) == 1 and warnings[0]["level"] == "warn"
    assert srv.stop() == 0
    assert len([e for e in srv.log_events() if e.get("event") == "master_key_default"]) == 1


def test_a_missing_database_folder_is_one_clear_line(tmp_path):
    p = serve("--db", "sqlite:/nonexistent/dir/x.db")
    assert p.returncode == 1 and p.stdout == ""
    assert p.stderr == ("grantd: cannot open database /nonexistent/dir/x.db: "
                        "folder /nonexistent/dir does not exist\n")
    p = subprocess.run([GRANTD, "client", "list", "--db", f"sqlite:{tmp_path}/no/x.db"],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 1
    assert p.stderr.count("cannot open database") == 1
    assert p.stderr.strip().endswith(f"folder {tmp_path}/no does not exist")
