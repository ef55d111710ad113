"""The commands' --help texts: what they show can be run as shown."""
import subprocess

from conftest import run_cli


def test_user_create_help_shows_a_printf_that_works(tmp_path):
    text = run_cli(None, "user", "create", "--help").stdout
    line = next(l.strip() for l in text.splitlines() if l.strip().startswith("printf"))
    # the text goes to stdout through fputs, not printf: a '%%' would reach the user as is,
    # and `printf '%%s\n'` stores the password "%s"
    assert line == "printf '%s\\n' \"$PASSWORD\" | grantd user create --username alice"
    out = subprocess.run(["sh", "-c", line.split(" | ")[0]], capture_output=True, text=True,
                         env={"PASSWORD": "correct horse"}, check=True).stdout
    assert out == "correct horse\n"
