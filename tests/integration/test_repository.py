"""The repository stands on its own: every relative link of its Markdown files reaches a file
(and heading) in it, and no tracked file points outside it to ../shared, which a clone does
not have. No server is started here."""
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
SKIP_DIRS = {".git", "node_modules", "tests/artifacts", "bench/results"}


def tracked_files():
    """The files git tracks; outside a git checkout, every file but build output."""
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True,
                             check=True).stdout.decode()
        return [ROOT / p for p in out.split("\0") if p]
    except (OSError, subprocess.CalledProcessError):
        files = []
        for p in ROOT.rglob("*"):
            rel = p.relative_to(ROOT).as_posix()
            if p.is_file() and not rel.startswith("build") and \
                    not any(rel == d or rel.startswith(d + "/") for d in SKIP_DIRS):
                files.append(p)
        return files


def slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to '-'."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(md):
    seen, out = {}, set()
    in_code = False
    for line in md.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_code = not in_code
        m = None if in_code else re.match(r"#{1,6}\s+(.*)", line)
        if m:
            s = slug(m.group(1))
            n = seen.get(s, 0)
            seen[s] = n + 1
            out.add(s if n == 0 else f"{s}-{n}")
    return out


def links(md):
    """(line number, target) of each Markdown link outside code blocks and code spans."""
    in_code = False
    for no, line in enumerate(md.read_text(encoding="utf-8").splitlines(), 1):
        if line.lstrip().startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            continue
        for m in LINK.finditer(re.sub(r"`[^`]*`", "", line)):
            yield no, m.group(1)


def test_relative_links_in_markdown_resolve():
    mds = [p for p in tracked_files() if p.suffix == ".md"]
    assert any(p.name == "README.md" for p in mds)
    broken = []
    for md in mds:
        for no, target in links(md):
            if re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
                continue
            path, _, frag = target.partition("#")
            dest = (md.parent / path).resolve() if path else md
            where = f"{md.relative_to(ROOT)}:{no}: {target}"
            if ROOT not in dest.parents and dest != ROOT:
                broken.append(f"{where} (outside the repository)")
            elif not dest.exists():
                broken.append(f"{where} (no such file)")
            elif frag and dest.suffix == ".md" and frag not in anchors(dest):
                broken.append(f"{where} (no such heading)")
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_no_tracked_file_points_to_shared():
    offenders = []
    for p in tracked_files():
        if p.name == Path(__file__).name or not p.is_file():
            continue
        try:
            text = p.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for no, line in enumerate(text.splitlines(), 1):
            if "../shared" in line or "/work/shared" in line:
                offenders.append(f"{p.relative_to(ROOT)}:{no}: {line.strip()}")
    assert not offenders, "references outside the repository:\n" + "\n".join(offenders)


def test_the_link_checker_sees_broken_links(tmp_path):
    """The checker itself: a missing file and a missing heading are found."""
    md = tmp_path / "x.md"
    md.write_text("# A title\n[ok](#a-title) [bad](#nope) [file](missing.md) `[code](no.md)`\n")
    found = [t for _, t in links(md)]
    assert found == ["#a-title", "#nope", "missing.md"]
    assert anchors(md) == {"a-title"}
    assert slug("1. Apruve — `000_41bd7200d8828209.txt`") == "1-apruve--000_41bd7200d8828209txt"


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))
