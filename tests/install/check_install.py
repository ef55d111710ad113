#!/usr/bin/python3
"""The install rules of CMakeLists.txt: `cmake --install BUILD --prefix TMP` puts every file
where a user expects it, the installed binary runs, the installed example configuration
loads, and the man page renders without warnings (when groff is there to say).

Usage (ctest runs it): check_install.py BUILD_DIR [CMAKE]. Exit 0 when every check passes."""
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def expected_files():
    files = ["bin/grantd", "share/man/man1/grantd.1", "share/grantd/examples/grantd.conf",
             "share/doc/grantd/README.md"]
    files += [f"share/grantd/examples/profiles/{p.name}"
              for p in sorted((ROOT / "examples" / "profiles").glob("*.conf"))]
    files += [f"share/doc/grantd/docs/{p.name}" for p in sorted((ROOT / "docs").glob("*.md"))]
    return files


def run(*cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, **kw)


def main():
    build = Path(sys.argv[1])
    cmake = sys.argv[2] if len(sys.argv) > 2 else "cmake"
    failures, checks = [], 0

    def check(ok, what):
        nonlocal checks
        checks += 1
        if not ok:
            failures.append(what)

    with tempfile.TemporaryDirectory(prefix="grantd-install-") as prefix:
        p = run(cmake, "--install", str(build), "--prefix", prefix)
        check(p.returncode == 0, f"cmake --install exited {p.returncode}: {p.stderr}")
        for rel in expected_files():
            check((Path(prefix) / rel).is_file(), f"{rel} is not installed")
        binary = Path(prefix) / "bin" / "grantd"
        check(os.access(binary, os.X_OK), "bin/grantd is not executable")
        # not installed: the test and benchmark programs
        extra = sorted(p.name for p in (Path(prefix) / "bin").iterdir() if p.name != "grantd")
        check(extra == [], f"bin/ holds more than grantd: {extra}")

        p = run(str(binary), "--help")
        check(p.returncode == 0 and p.stdout.startswith("Usage: grantd COMMAND"),
              f"installed grantd --help: {p.returncode} {p.stdout!r} {p.stderr!r}")
        p = run(str(binary), "--version")
        check(p.returncode == 0 and p.stdout.startswith("grantd "), f"--version: {p.stdout!r}")

        conf = Path(prefix) / "share" / "grantd" / "examples" / "grantd.conf"
        p = run(str(binary), "migrate", "--config", str(conf), "--db",
                f"sqlite:{prefix}/check.db")
        check(p.returncode == 0, f"the installed example configuration: {p.stderr}")

        page = Path(prefix) / "share" / "man" / "man1" / "grantd.1"
        check(page.is_file() and ".TH GRANTD 1" in page.read_text(), "grantd.1 has no .TH")
        if shutil.which("groff") and page.is_file():
            p = run("groff", "-man", "-Tutf8", "-ww", "-z", str(page))
            check(p.returncode == 0 and p.stderr == "", f"groff warns: {p.stderr}")

    for f in failures:
        print(f"FAIL: {f}")
    print(f"install: {checks - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
