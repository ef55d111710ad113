#!/usr/bin/python3
"""The install rules of CMakeLists.txt: `cmake --install BUILD --prefix TMP` puts every file
where a user expects it, the installed binary runs, the installed example configuration
loads, the man page renders without warnings (when groff is there to say), the installed
example resource server's source builds against the installed libgrantd-verify through its
pkg-config file and runs, and the installed example orders API runs. A packager's
`DESTDIR=TMP cmake --install BUILD --prefix /usr` puts the same examples under TMP/usr.

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
    files += example_files()
    files += [f"share/doc/grantd/docs/{p.name}" for p in sorted((ROOT / "docs").glob("*.yaml"))]
    files += ["include/grantd/verify.h", "lib/libgrantd-verify.a", "lib/libgrantd-verify.so.0",
              "lib/pkgconfig/grantd-verify.pc"]
    return files


def example_files():
    """The examples a user starts from, beyond grantd.conf and the profiles: the nginx and
    Apache sites (in front of an API; signing users in with OpenID Connect; TLS in front of
    two instances), the systemd unit, the example orders API and the resource server's
    source."""
    files = [f"share/grantd/examples/{site}/{p.name}" for site in ("nginx", "apache")
             for p in sorted((ROOT / "examples" / site).glob("*.conf"))]
    return files + ["share/grantd/examples/systemd/grantd.service",
                    "share/grantd/examples/orders-api/orders_api.py",
                    "share/grantd/examples/verify_service.c"]


def check_examples(prefix, check):
    """Each installed example is the repository's file, byte for byte; the orders API is
    executable and answers --help."""
    for rel in example_files():
        src = ROOT / "examples" / rel.split("share/grantd/examples/", 1)[1]
        dst = Path(prefix) / rel
        check(dst.is_file() and dst.read_bytes() == src.read_bytes(),
              f"{rel} is not a copy of {src.relative_to(ROOT)}")
    api = Path(prefix) / "share/grantd/examples/orders-api/orders_api.py"
    check(os.access(api, os.X_OK), f"{api} is not executable")
    p = run("/usr/bin/python3", str(api), "--help")
    check(p.returncode == 0 and "--listen" in p.stdout, f"installed orders_api.py --help: "
          f"{p.returncode} {p.stdout!r} {p.stderr!r}")


def check_destdir(build, cmake, check):
    """DESTDIR=TMP cmake --install BUILD --prefix /usr: the examples land under TMP/usr."""
    with tempfile.TemporaryDirectory(prefix="grantd-destdir-") as dest:
        p = run(cmake, "--install", str(build), "--prefix", "/usr",
                env=dict(os.environ, DESTDIR=dest))
        check(p.returncode == 0, f"DESTDIR install exited {p.returncode}: {p.stderr}")
        for rel in example_files():
            check((Path(dest) / "usr" / rel).is_file(), f"DESTDIR: usr/{rel} is not installed")


def check_verify_library(prefix, check):
    """The installed examples/verify_service.c compiled and linked with what `pkg-config
    grantd-verify` says about the installed prefix (--define-prefix: the .pc file's own
    place), then run."""
    env = dict(os.environ, PKG_CONFIG_PATH=f"{prefix}/lib/pkgconfig")
    p = run("pkg-config", "--define-prefix", "--cflags", "--libs", "grantd-verify", env=env)
    check(p.returncode == 0 and f"-I{prefix}/include" in p.stdout,
          f"pkg-config grantd-verify: {p.stdout!r} {p.stderr!r}")
    if p.returncode != 0 or not shutil.which("cc"):
        return
    exe = Path(prefix) / "verify-example"
    sanitize = os.environ.get("GRANTD_SANITIZE_FLAGS", "").split()  # as the library was built
    c = run("cc", "-std=c11", "-D_POSIX_C_SOURCE=200809L", *sanitize, "-o", str(exe),
            str(Path(prefix) / "share/grantd/examples/verify_service.c"), *p.stdout.split(),
            "-pthread")
    check(c.returncode == 0, f"building against the installed library: {c.stderr}")
    if c.returncode == 0:
        r = run(str(exe), "https://issuer.example", "not-a-token",
                env=dict(os.environ, LD_LIBRARY_PATH=f"{prefix}/lib"))
        check(r.returncode == 0 and r.stdout.startswith("401 invalid"),
              f"the program built against the library: {r.returncode} {r.stdout!r}")


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
        check_verify_library(prefix, check)
        check_examples(prefix, check)

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

    check_destdir(build, cmake, check)

    for f in failures:
        print(f"FAIL: {f}")
    print(f"install: {checks - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
