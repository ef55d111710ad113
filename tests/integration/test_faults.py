"""Crashes and full disks lose nothing (issue 16, "Faults").

`kill -9` of a server in the middle of at most 10,000 issuances of every grant (client
credentials, code exchange, refresh) from four threads, at a random point (seeded; the seed
is printed and GRANTD_FAULT_SEED replays it), then a restart on the same database: every
token answered 200 introspects active, the last refresh token of every chain refreshes, and
every code whose exchange was answered 200 is a replay, never redeemed again. It runs on the
suite's driver: SQLite in `integration`, PostgreSQL in `integration-pg`.

SQLite's own faults, on a small tmpfs that holds the database (mounting needs root, as CI
runs the suite; elsewhere the tests skip and say so): with the disk filled by a ballast
file, every request that must write answers 503 with Retry-After (never 500, never a 200
for a token that is not stored), a code or refresh token refused so is not spent,
/health/ready answers 503, and introspection of a stored token still works; once the
ballast is removed, readiness and service come back by themselves, with no request needed
to wake them. And on an ext4 file system that an error turned read-only under the server
(errors=remount-ro, as a failing disk does): 503 with Retry-After, not ready, reads still
answered, and after the operator's repair and restart everything stored before is there.

PostgreSQL that hangs (its processes stopped: the port still accepts, nothing answers, as
with a frozen host or a network dropping packets): a request gets 503 with Retry-After
within a bound (the driver's statement deadline, PG_QUERY_DEADLINE_MS), /health/ready says
not ready, and service resumes once the database answers again.

Not here: PostgreSQL stopped (connections refused) under load (test_instances_pg.py),
SIGTERM under load (test_tokens.py)."""
import concurrent.futures
import os
import random
import signal
import subprocess
import threading
import time

import pytest
import requests

from conftest import PG_MASTER_KEY, create_client, sqlite_only, within
from flow import Agent, authorize_url, exchange, make_user, pkce_pair, redirect_params
import test_instances_pg
from test_tokens import client_credentials, introspect, refresh

CB = "http://127.0.0.1:9/cb"
GRANTS = ("--grant", "authorization_code", "--grant", "refresh_token",
          "--grant", "client_credentials")
REQUESTS = 10_000
THREADS = 4


def make_app(srv):
    make_user(srv)
    return create_client(srv, "--name", "Faults", "--scope", "profile email",
                         "--redirect-uri", CB, *GRANTS)


def new_code(agent, client):
    """(code, verifier) through the authorize endpoint (login and consent the first time)."""
    verifier, challenge = pkce_pair()
    url = authorize_url(agent.srv, response_type="code", client_id=client["client_id"],
                        redirect_uri=CB, code_challenge=challenge, code_challenge_method="S256")
    return redirect_params(agent.authorize(url))["code"], verifier


def active(srv, client, token):
    r = introspect(srv, client, token)
    assert r.status_code == 200, r.text
    return r.json().get("active") is True


def in_parallel(fn, items):
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        return list(pool.map(fn, items))


# ---- kill -9 under load ---------------------------------------------------------------------

class Chain:
    """One thread's refresh chain: the refresh token it holds now, and whether a refresh of
    it went unanswered (the kill): then the server may have rotated it, and presenting it
    again would be reuse, which rightly revokes the family."""

    def __init__(self):
        self.rt = None
        self.unknown = False


class Issued:
    """What the server answered 200 to, collected by the load threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.sent = 0
        self.tokens = []  # access tokens
        self.codes = []   # (code, verifier) whose exchange was answered 200
        self.chains = []

    def count(self):
        with self.lock:
            self.sent += 1
            return self.sent


def load_thread(srv, client, rng, issued, killed):
    """Requests of every grant until the server is gone or REQUESTS were sent."""
    agent, chain = Agent(srv), Chain()
    with issued.lock:
        issued.chains.append(chain)
    try:
        while not killed.is_set() and issued.count() <= REQUESTS:
            kind = rng.random()
            if kind < 0.5:
                r = client_credentials(srv, client)
                if r.status_code == 200:
                    with issued.lock:
                        issued.tokens.append(r.json()["access_token"])
                continue
            if kind < 0.75 and chain.rt:
                rt, chain.unknown = chain.rt, True
                r = refresh(srv, client, rt)
                assert r.status_code == 200, r.text
                chain.rt, chain.unknown = r.json()["refresh_token"], False
            else:
                code, verifier = new_code(agent, client)
                issued.count()
                r = exchange(srv, client, code, CB, verifier)
                assert r.status_code == 200, r.text
                with issued.lock:
                    issued.codes.append((code, verifier))
                if not chain.unknown:
                    chain.rt = r.json()["refresh_token"]
            with issued.lock:
                issued.tokens.append(r.json()["access_token"])
    except requests.RequestException:  # no (whole) answer: the kill
        assert killed.is_set(), "the server stopped answering before it was killed"


def test_kill_9_during_issuance_loses_no_answered_token_nor_code(make_server, monkeypatch):
    seed = int(os.environ.get("GRANTD_FAULT_SEED") or random.SystemRandom().randrange(2**32))
    rng = random.Random(seed)
    kill_at = rng.randrange(1_000, 9_000)
    print(f"GRANTD_FAULT_SEED={seed}: kill -9 after {kill_at} of {REQUESTS} requests")
    # the check introspects every answered token at once, well over one client's default
    # rate (rate_limits.introspect, test_rate_limits.py): off for it
    srv = make_server("rate_limits = { introspect = { rate = 0; }; };\n")
    client = make_app(srv)
    issued, killed = Issued(), threading.Event()
    errors = []
    threads = [threading.Thread(target=_catching, daemon=True, args=(
        errors, load_thread, srv, client, random.Random(rng.random()), issued, killed))
        for _ in range(THREADS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 120
    while issued.sent < kill_at and time.monotonic() < deadline and any(
            t.is_alive() for t in threads):
        time.sleep(0.001)
    killed.set()
    srv.proc.send_signal(signal.SIGKILL)
    srv.proc.wait(10)
    for t in threads:
        t.join(30)
    assert not errors, f"seed {seed}: {errors[0]!r}"
    assert issued.sent >= kill_at, f"seed {seed}: only {issued.sent} requests in 120 s"
    srv.start()  # the same database, after the crash

    lost = [t for t, ok in zip(issued.tokens, in_parallel(
        lambda tok: active(srv, client, tok), issued.tokens)) if not ok]
    assert not lost, (f"seed {seed}: {len(lost)} of {len(issued.tokens)} tokens answered 200 "
                      "before the kill are not active after the restart")
    known = [c.rt for c in issued.chains if c.rt and not c.unknown]
    assert known, f"seed {seed}: no refresh chain"
    refused = [r.text for r in in_parallel(lambda rt: refresh(srv, client, rt), known)
               if r.status_code != 200]
    assert not refused, f"seed {seed}: {len(refused)} refresh tokens refused: {refused[:3]}"
    assert issued.codes, f"seed {seed}: no code exchanged before the kill"
    replays = in_parallel(lambda cv: exchange(srv, client, cv[0], CB, cv[1]), issued.codes)
    redeemed = [r.text for r in replays
                if r.status_code != 400 or r.json().get("error") != "invalid_grant"]
    assert not redeemed, (f"seed {seed}: {len(redeemed)} of {len(issued.codes)} codes "
                          f"exchanged before the kill were not replays: {redeemed[:3]}")


def _catching(errors, fn, *args):
    try:
        fn(*args)
    except BaseException as e:  # an assertion in a load thread fails the test
        errors.append(e)


# ---- SQLite on a full disk ------------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path):
    """A 16 MiB tmpfs mounted on a fresh directory, unmounted at teardown (after the
    servers using it stopped: request this fixture before make_server)."""
    where = tmp_path / "disk"
    where.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs",
                        str(where)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs for the database (needs root): {r.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "--lazy", str(where)], check=True)


def fill(where):
    """Fills the file system of where with a ballast file; returns its path."""
    ballast = where / "ballast"
    with open(ballast, "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    for size in (4096, 512, 1):  # the last partial blocks too
        try:
            with open(ballast, "ab") as f:
                while True:
                    f.write(b"\0" * size)
                    f.flush()
        except OSError:
            pass
    return ballast


def ready(srv):
    return requests.get(srv.url + "/health/ready", timeout=10)




@sqlite_only("the database file on a full disk")
def test_full_disk_answers_503_stores_nothing_false_and_recovers(small_disk, make_server):
    srv = make_server(workdir=small_disk)
    client = make_app(srv)
    agent = Agent(srv)
    stored = client_credentials(srv, client).json()["access_token"]
    rt = None
    codes = []
    for _ in range(3):
        code, verifier = new_code(agent, client)
        codes.append((code, verifier))
    code, verifier = new_code(agent, client)
    rt = exchange(srv, client, code, CB, verifier).json()["refresh_token"]
    assert ready(srv).status_code == 200

    ballast = fill(small_disk)
    answers = [client_credentials(srv, client) for _ in range(50)]
    answers += [exchange(srv, client, c, CB, v) for c, v in codes]
    answers.append(refresh(srv, client, rt))
    wrong = [(r.status_code, r.headers.get("Retry-After"), r.text[:120]) for r in answers
             if r.status_code != 200 and (r.status_code != 503 or not r.headers.get("Retry-After")
                                         or r.json().get("error") != "temporarily_unavailable")]
    assert not wrong, f"{len(wrong)} answers on a full disk are not 503 + Retry-After: {wrong[:3]}"
    refused = [r for r in answers if r.status_code == 503]
    assert len(refused) >= 50, "the full disk took writes: the ballast did not fill it"
    # the browser's side: a code minted for a signed-in user, a new user's login
    verifier, challenge = pkce_pair()
    url = authorize_url(srv, response_type="code", client_id=client["client_id"],
                        redirect_uri=CB, code_challenge=challenge, code_challenge_method="S256")
    minted = agent.get(url)
    page = Agent(srv).get(url)
    signed_in = Agent(srv).login(page) if page.status_code == 200 else page
    for r in (minted, signed_in):
        assert r.status_code in (302, 303, 503), (r.status_code, r.text[:300])
        assert r.status_code != 503 or r.headers.get("Retry-After"), r.headers
    r = ready(srv)
    assert r.status_code == 503, ("/health/ready on a full disk", r.status_code, r.text)
    assert active(srv, client, stored), "introspection of a stored token fails on a full disk"

    ballast.unlink()
    # nothing but the probe itself: readiness comes back without any other request
    assert within(10, lambda: ready(srv).status_code == 200), "not ready once space is back"
    assert client_credentials(srv, client).status_code == 200
    # what was refused was not spent: the codes and the refresh token still work
    for (c, v), r in zip(codes, answers[50:53]):
        if r.status_code == 503:
            again = exchange(srv, client, c, CB, v)
            assert again.status_code == 200, ("a code refused with 503 was spent", again.text)
    if minted.status_code != 503:  # a code answered on the full disk was stored
        code = redirect_params(minted)["code"]
        assert exchange(srv, client, code, CB, verifier).status_code == 200
    if answers[-1].status_code == 503:
        again = refresh(srv, client, rt)
        assert again.status_code == 200, ("a refresh refused with 503 spent it", again.text)

    # and every 200 was stored: the server crashes and finds them all
    srv.proc.send_signal(signal.SIGKILL)
    srv.proc.wait(10)
    srv.start()
    tokens = [stored] + [r.json()["access_token"] for r in answers if r.status_code == 200]
    assert all(active(srv, client, t) for t in tokens)


# ---- SQLite on a file system gone read-only -------------------------------------------------

class Ext4:
    """A 32 MiB ext4 file system in an image file, mounted with errors=remount-ro (what a
    server's disk usually is): fail() makes the kernel record a file-system error, which
    turns it read-only under the open files as a failing disk would; repair() unmounts it,
    runs e2fsck and mounts it again."""

    def __init__(self, tmp_path):
        self.image = tmp_path / "disk.img"
        self.path = tmp_path / "ext4"
        self.path.mkdir()
        with open(self.image, "wb") as f:
            f.truncate(32 << 20)
        subprocess.run(["mkfs.ext4", "-q", "-F", str(self.image)], check=True,
                       capture_output=True)

    def mount(self):
        r = subprocess.run(["mount", "-o", "loop,errors=remount-ro", str(self.image),
                            str(self.path)], capture_output=True, text=True)
        return r.returncode == 0 or r.stderr.strip()

    def device(self):
        src = subprocess.run(["findmnt", "-n", "-o", "SOURCE", str(self.path)],
                             capture_output=True, text=True, check=True).stdout.strip()
        return os.path.basename(src)

    def fail(self):
        with open(f"/sys/fs/ext4/{self.device()}/trigger_fs_error", "w") as f:
            f.write("grantd fault test")

    def repair(self):
        subprocess.run(["umount", str(self.path)], check=True)
        r = subprocess.run(["e2fsck", "-f", "-y", str(self.image)], capture_output=True,
                           text=True)
        assert r.returncode in (0, 1), r.stdout + r.stderr
        assert self.mount() is True

    def unmount(self):
        subprocess.run(["umount", "--lazy", str(self.path)], check=False)


@pytest.fixture
def ext4_disk(tmp_path):
    """An Ext4 mounted (request it before make_server: unmounted after the servers stop)."""
    if not os.path.exists("/sys/fs/ext4"):
        pytest.skip("no ext4 in this kernel")
    disk = Ext4(tmp_path)
    why = disk.mount()
    if why is not True:
        pytest.skip(f"cannot mount an ext4 image through a loop device (needs root): {why}")
    try:
        yield disk
    finally:
        disk.unmount()


@sqlite_only("the database file on a file system gone read-only")
def test_read_only_file_system_answers_503_and_loses_nothing(ext4_disk, make_server):
    srv = make_server(workdir=ext4_disk.path)
    client = make_app(srv)
    stored = [client_credentials(srv, client).json()["access_token"] for _ in range(5)]
    assert ready(srv).status_code == 200

    # synchronous=NORMAL: a commit survives the process (kill -9 above), not the kernel
    # dropping the page cache of a file system that failed, as an error does here; what
    # this test is about is the answers once it failed, so the data is on the disk first
    os.sync()
    ext4_disk.fail()
    answers = [client_credentials(srv, client) for _ in range(30)]
    wrong = [(r.status_code, r.headers.get("Retry-After"), r.text[:120]) for r in answers
             if r.status_code != 200 and (r.status_code != 503 or not r.headers.get("Retry-After")
                                         or r.json().get("error") != "temporarily_unavailable")]
    assert not wrong, f"{len(wrong)} answers on a read-only disk are not 503 + Retry-After: " \
                      f"{wrong[:3]}"
    assert sum(r.status_code == 503 for r in answers) >= 25, "the read-only disk took writes"
    r = ready(srv)
    assert r.status_code == 503, ("/health/ready on a read-only disk", r.status_code, r.text)
    assert all(active(srv, client, t) for t in stored), \
        "introspection of a stored token fails on a read-only disk"

    # the operator stops the server, repairs the file system and starts it again
    srv.stop()
    ext4_disk.repair()
    srv.start()
    assert ready(srv).status_code == 200
    tokens = stored + [r.json()["access_token"] for r in answers if r.status_code == 200]
    assert all(active(srv, client, t) for t in tokens)
    assert client_credentials(srv, client).status_code == 200


# ---- PostgreSQL that stops answering --------------------------------------------------------

class frozen:
    """PostgreSQL's processes stopped (SIGSTOP) for the block: the server is there, its port
    accepts connections and the kernel acknowledges every packet, but nothing answers, as
    on a host that hangs or a network that drops packets silently. SIGCONT on exit."""

    def __init__(self, cluster):
        with open(os.path.join(cluster.data, "postmaster.pid")) as f:
            main = f.readline().strip()
        children = subprocess.run(["pgrep", "-P", main], capture_output=True,
                                  text=True).stdout.split()
        self.pids = [int(p) for p in [main] + children]

    def __enter__(self):
        for pid in self.pids:
            os.kill(pid, signal.SIGSTOP)
        return self

    def __exit__(self, *exc):
        for pid in self.pids:
            os.kill(pid, signal.SIGCONT)


# the suite's cluster on a PostgreSQL run, else a private one: the hung database is tried on
# every run of the suite, as test_instances_pg.py tries a stopped one
cluster = test_instances_pg.cluster

BOUND = 6  # seconds: what a caller may wait for an answer while the database hangs


def test_a_hung_postgres_answers_503_within_a_bound_and_resumes(cluster, make_server,
                                                                 monkeypatch):
    monkeypatch.setenv("GRANTD_MASTER_KEY", PG_MASTER_KEY)
    srv = make_server(defer_start=True)
    srv.db_url = cluster.url(cluster.new_database("hung"))
    srv.start()
    client = create_client(srv, "--name", "Backend", "--grant", "client_credentials")
    assert client_credentials(srv, client).status_code == 200
    with frozen(cluster):
        try:
            r = requests.post(srv.url + "/token", data={"grant_type": "client_credentials"},
                              auth=(client["client_id"], client["client_secret"]),
                              timeout=BOUND)
            token = (r.status_code, r.headers.get("Retry-After"))
            r = requests.get(srv.url + "/health/ready", timeout=BOUND)
            health = r.status_code
        except requests.Timeout as e:
            pytest.fail(f"no answer within {BOUND} s while PostgreSQL hangs: {e!r}")
    assert token[0] == 503 and token[1], token
    assert health == 503
    assert within(15, lambda: client_credentials(srv, client).status_code == 200), \
        "service did not resume once PostgreSQL answered again"
