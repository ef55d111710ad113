"""examples/grantd.conf documents every setting: each one the parser knows (the tables of
src/core/config.c) appears in it, set or commented out, and the file as shipped loads."""
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "grantd.conf"
TABLE = re.compile(r"static const struct field (\w+)\[\] = \{(.*?)\n\};", re.S)
ROW = re.compile(r'\{"(\w+)",\s*(FIELD_\w+),.*?,\s*(\w+)\}', re.S)


def known_settings():
    """Dotted names of every setting the server's configuration file may hold."""
    source = (ROOT / "src" / "core" / "config.c").read_text()
    tables = {name: ROW.findall(body) for name, body in TABLE.findall(source)}
    assert "root_fields" in tables, "src/core/config.c: no root_fields table"

    def walk(table, prefix):
        for name, kind, members in tables[table]:
            if kind == "FIELD_GROUP":
                yield from walk(members, prefix + name + ".")
            else:
                yield prefix + name
    return set(walk("root_fields", ""))


def documented_settings(text):
    """Dotted names set in text, commented out ("# name = ...") or not: a line that is a
    setting once its leading '#' is dropped counts, and braces track the groups."""
    found, stack = set(), []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#"):
            line = line[1:].strip()
        m = re.match(r"(\w+)\s*=\s*(.*)", line)
        if m:
            name, rest = m.groups()
            found.add(".".join(stack + [name]))
            if rest.startswith("{") and "}" not in rest:
                stack.append(name)
        elif re.match(r"\}\s*;?\s*$", line) and stack:
            stack.pop()
    return found


def test_every_setting_is_documented():
    known = known_settings()
    assert {"listen", "keys.master_key", "lifetimes.refresh_grace",
            "profile.aliases.redirect_url", "profile.api_errors.revoked.body"} <= known  # the table parse itself works
    missing = sorted(known - documented_settings(EXAMPLE.read_text()))
    assert not missing, f"examples/grantd.conf leaves out {missing}"


def test_the_example_loads(make_server):
    srv = make_server(config_text=EXAMPLE.read_text())
    event = srv.wait_log(lambda e: e.get("event") == "listening")[0]
    assert event["issuers"] == 1
    # its values are the defaults it says they are: the same discovery as with no file
    assert srv.stop() == 0


def test_the_example_is_tracked_and_not_ignored():
    try:
        ignored = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-ci",
                                  "--exclude-standard"], capture_output=True, text=True,
                                 check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return  # not a git checkout
    assert ignored == [], f"tracked files matched by .gitignore: {ignored}"

    def ignored_path(path):
        return subprocess.run(["git", "-C", str(ROOT), "check-ignore", "-q", "--no-index",
                               path]).returncode == 0
    assert not ignored_path("examples/grantd.conf")
    # while what `make run` leaves in the working tree stays ignored
    for path in ("grantd.db", "grantd.db-wal", "grantd.db.key", "grantd-demo.db"):
        assert ignored_path(path), path
