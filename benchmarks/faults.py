"""Fault scenarios on the real stack: processes killed and servers stopped on purpose.

    .venv/bin/python benchmarks/faults.py                       # every scenario, about 6 minutes
    .venv/bin/python benchmarks/faults.py --only worker-kill smtp-hang
    make faults                                                 # the same as the first line

It needs root (or the postgres user) on a Debian PostgreSQL 15, because it breaks a
database cluster of its own: ``15/faults`` on port 5433, created the first time
(``pg_createcluster 15 faults --port 5433 -- --auth=trust``) and never the main one.
It runs gunicorn (production settings), ``manage.py db_worker``, a Redis of its own on
port 6413 and a small SMTP sink in this process, then:

* ``worker-kill``: a post announced to 200 members who want every email, with the worker
  SIGKILLed five times at random instants while it announces and sends; counts emails
  lost and doubled;
* ``db-outage``: the cluster stopped for 10 s under a running worker; is the worker
  alive, and how soon after the database returns does an email go out;
* ``pg-stopped`` and ``pg-frozen``: pages and /healthz while the cluster is stopped, and
  while its processes are frozen with SIGSTOP (the postmaster alone, then every
  process); seconds to an answer, status, whether gunicorn's workers survived;
* ``redis-stopped``: signed-in pages, a new sign-in and the failed-login limit with Redis
  gone;
* ``smtp-hang``: a mail server that accepts connections and never answers, with 200
  emails waiting; how long another task waits, and how many connections are tried.

It prints a table and writes it to ``benchmarks/results/faults-<time>.md``. Every process
it starts is stopped at the end, also on failure; a frozen cluster is thawed.
"""

import argparse
import http.cookiejar
import os
import random
import re
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CLUSTER_VERSION, CLUSTER_NAME, CLUSTER_PORT = "15", "faults", 5433
DATABASE = "steady_ground_faults"
WEB_PORT, SMTP_PORT, REDIS_PORT = 8013, 2513, 6413
FOLLOWERS = 200
LOGS = ROOT / "benchmarks" / "results"
PYTHON = sys.executable


# --- the SMTP sink ---------------------------------------------------------------------------


class Sink:
    """A small SMTP server in this process: it records each message's Message-ID, or, in
    ``hang`` mode, accepts connections and never says a word."""

    def __init__(self, port: int):
        self.port = port
        self.hang = False
        self.message_ids: list[str] = []
        self.connections = 0
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                sink.connections += 1
                if sink.hang:
                    time.sleep(3600)  # the client's timeout ends it
                    return
                self.wfile.write(b"220 sink ready\r\n")
                while line := self.rfile.readline():
                    command = line.strip().upper()
                    if command.startswith((b"EHLO", b"HELO")):
                        self.wfile.write(b"250 sink\r\n")
                    elif command == b"DATA":
                        self.wfile.write(b"354 go ahead\r\n")
                        data = b""
                        while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                            data += chunk
                        found = re.search(rb"^Message-ID: *(\S+)", data, re.MULTILINE | re.IGNORECASE)
                        sink.message_ids.append(found.group(1).decode() if found else "?")
                        self.wfile.write(b"250 queued\r\n")
                    elif command == b"QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:
                        self.wfile.write(b"250 ok\r\n")

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def reset(self, *, hang: bool = False) -> None:
        self.hang, self.message_ids, self.connections = hang, [], 0


# --- processes -------------------------------------------------------------------------------


def environment(**extra) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "community.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{CLUSTER_PORT}/{DATABASE}",
        "DEBUG": "0",
        "SECRET_KEY": "fault-scenarios-" + "z" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "STAFF_PAGES_REQUIRE_2FA": "0",
        # A fixed key for this throw-away database only (the journal encrypts at rest).
        "JOURNAL_ENCRYPTION_KEYS": "ZmF1bHQtc2NlbmFyaW9zLW9ubHktbm90LXNlY3JldCE=",
        "TASKS_BACKEND": "database",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(SMTP_PORT),
        "EMAIL_USE_TLS": "0",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_BIND": f"127.0.0.1:{WEB_PORT}",
        **extra,
    }


class Stack:
    """The processes of one scenario; all of them are stopped by ``stop_all``."""

    def __init__(self, env: dict[str, str]):
        self.env = env
        self.processes: list[subprocess.Popen] = []

    def start(self, name: str, args: list[str], env: dict | None = None) -> subprocess.Popen:
        log = (LOGS / f"faults-{name}.log").open("a")
        process = subprocess.Popen(  # noqa: S603 - our own manage.py, gunicorn and redis-server
            args, cwd=ROOT, env=env or self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes.append(process)
        return process

    def worker(self, queues: str = "default,email") -> subprocess.Popen:
        args = [PYTHON, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay", "--queue-name", queues]
        return self.start("worker", args)

    def web(self) -> subprocess.Popen:
        process = self.start("web", [str(Path(PYTHON).parent / "gunicorn"), "-c", "gunicorn.conf.py"])
        wait_for(lambda: http_get("/healthz")[0] == 200, 30, "gunicorn did not start")
        return process

    def manage(self, *args: str, env: dict | None = None) -> str:
        return subprocess.run(  # noqa: S603 - our own manage.py
            [PYTHON, "manage.py", *args], cwd=ROOT, env=env or self.env, check=True, capture_output=True, text=True
        ).stdout

    def shell(self, code: str) -> str:
        """Run Python in Django; the last line it prints (log lines go to stdout too)."""
        lines = self.manage("shell", "-c", code).strip().splitlines()
        return lines[-1] if lines else ""

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
        self.processes = []


def wait_for(condition, seconds: float, message: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if condition():
            return time.monotonic() - started
        time.sleep(0.2)
    raise RuntimeError(message)


# --- the cluster ---------------------------------------------------------------------------------


def cluster(action: str) -> None:
    subprocess.run(  # noqa: S603 - Debian's cluster tool, fixed arguments
        ["pg_ctlcluster", "--skip-systemctl-redirect", CLUSTER_VERSION, CLUSTER_NAME, action],  # noqa: S607
        check=True,
        capture_output=True,
    )


def ensure_cluster() -> None:
    """Create the throw-away cluster the first time, and start it if it is down."""

    def status() -> str | None:
        listing = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=True)  # noqa: S607
        for line in listing.stdout.splitlines():
            version, name, _port, state, *_rest = line.split()
            if (version, name) == (CLUSTER_VERSION, CLUSTER_NAME):
                return state
        return None

    if status() is None:
        subprocess.run(  # noqa: S603
            [  # noqa: S607
                *("pg_createcluster", CLUSTER_VERSION, CLUSTER_NAME),
                *("--port", str(CLUSTER_PORT), "--", "--auth=trust"),
            ],
            check=True,
            capture_output=True,
        )
    if status() != "online":
        cluster("start")


def cluster_pids() -> list[int]:
    """The postmaster first, then its children (this cluster's only)."""
    data = Path(f"/var/lib/postgresql/{CLUSTER_VERSION}/{CLUSTER_NAME}/postmaster.pid")
    postmaster = int(data.read_text().split()[0])
    children = ps_children(postmaster)
    return [postmaster, *children]


def ps_children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)  # noqa: S603, S607
    return [int(child) for child in out.stdout.split()]


def prepare(stack: Stack) -> None:
    import psycopg

    with psycopg.connect(f"postgres://postgres@127.0.0.1:{CLUSTER_PORT}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DATABASE}"')
    stack.manage("migrate", "--noinput", "-v0")
    stack.manage("collectstatic", "--noinput", "-v0")
    stack.manage("seed_demo")
    # A group with many members who want an email for every new post.
    stack.shell(
        "from community.models import User; from groups.models import Group, Membership; "
        "from django.utils import timezone; "
        "g = Group.objects.get(slug='living-with-trd'); now = timezone.now(); "
        f"users = [User.objects.create_user(email=f'follower{{n}}@example.org', password=None, "
        f"display_name=f'Follower {{n}}', email_frequency='each') for n in range({FOLLOWERS})]; "
        "Membership.objects.bulk_create([Membership(group=g, user=u, status='active', follows_closely=True, "
        "rules_accepted_at=now, joined_at=now) for u in users])"
    )
    clear_queues(stack)


def clear_queues(stack: Stack) -> None:
    stack.shell(
        "from django_tasks_db.models import DBTaskResult; from community.models import OutboxEmail; "
        "DBTaskResult.objects.all().delete(); OutboxEmail.objects.all().delete()"
    )


def queue_state(stack: Stack) -> tuple[int, int]:
    """(emails waiting in the outbox, tasks not finished)."""
    out = stack.shell(
        "from django_tasks_db.models import DBTaskResult; from community.models import OutboxEmail; "
        "print(OutboxEmail.objects.filter(status='pending').count(), "
        "DBTaskResult.objects.filter(status__in=['READY', 'RUNNING']).count())"
    )
    waiting, tasks = out.split()
    return int(waiting), int(tasks)


# --- HTTP ------------------------------------------------------------------------------------------


class Browser:
    def __init__(self):
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str, timeout: float = 60) -> tuple[int, float]:
        return self._open(urllib.request.Request(f"http://127.0.0.1:{WEB_PORT}{path}"), timeout)

    def login(self, email: str, password: str) -> int:
        page = self.opener.open(f"http://127.0.0.1:{WEB_PORT}/accounts/login/", timeout=30).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"login": email, "password": password, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{WEB_PORT}/accounts/login/", data=body)
        status, _ = self._open(request, 30)
        return status

    def login_page_says(self, email: str, password: str, text: str) -> bool:
        page = self.opener.open(f"http://127.0.0.1:{WEB_PORT}/accounts/login/", timeout=30).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"login": email, "password": password, "csrfmiddlewaretoken": token}).encode()
        try:
            with self.opener.open(f"http://127.0.0.1:{WEB_PORT}/accounts/login/", data=body, timeout=30) as response:
                return text in response.read().decode()
        except urllib.error.HTTPError as error:
            return text in error.read().decode()

    def signed_in(self) -> bool:
        """Whether "My groups" opens (a visitor is sent to the sign-in page instead)."""
        self.get("/groups/mine/")
        return "/accounts/login/" not in self.last_url

    def _open(self, request, timeout: float) -> tuple[int, float]:
        started = time.monotonic()
        self.last_url = request.full_url
        try:
            with self.opener.open(request, timeout=timeout) as response:
                response.read()
                status = response.status
                self.last_url = response.url
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError:
            status = 0  # no answer at all (timeout or reset)
        return status, time.monotonic() - started


def http_get(path: str, timeout: float = 60) -> tuple[int, float]:
    return Browser().get(path, timeout)


def gunicorn_workers(master: subprocess.Popen) -> set[int]:
    return set(ps_children(master.pid))


# --- scenarios ------------------------------------------------------------------------------------

RESULTS: list[tuple[str, str, str]] = []


def record(scenario: str, measure: str, value) -> None:
    RESULTS.append((scenario, measure, str(value)))
    print(f"{scenario:14} {measure:60} {value}", flush=True)


def worker_kill(stack: Stack, sink: Sink) -> None:
    clear_queues(stack)
    sink.reset()
    worker = stack.worker()
    stack.shell(
        "from community.models import User; from groups.models import Group; "
        "from groups.posts.actions import create_post; "
        "create_post(author=User.objects.get(email='river@example.org'), "
        "group=Group.objects.get(slug='living-with-trd'), title='A kill test', body='Hello all.')"
    )
    rng = random.Random(13)  # noqa: S311 - a fixed sequence of instants, not security
    kills = 0
    for _ in range(5):
        time.sleep(rng.uniform(0.3, 2.5))
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
        kills += 1
        # What the sweep does two minutes after a worker stops beating; at once here.
        stack.manage("requeue_stale_tasks", "--minutes", "0")
        worker = stack.worker()
    wait_for(lambda: queue_state(stack) == (0, 0), 240, "the outbox did not drain")
    unique = set(sink.message_ids)
    record("worker-kill", "workers SIGKILLed mid-task", kills)
    record("worker-kill", f"emails lost (of {FOLLOWERS})", FOLLOWERS - len(unique))
    record("worker-kill", "emails doubled", len(sink.message_ids) - len(unique))
    stack.stop_all()


def db_outage(stack: Stack, sink: Sink) -> None:
    clear_queues(stack)
    sink.reset()
    worker = stack.worker()
    time.sleep(2)
    cluster("stop")
    time.sleep(10)
    record("db-outage", "worker alive after 10 s without PostgreSQL", worker.poll() is None)
    cluster("start")
    back = time.monotonic()
    wait_for(lambda: http_ready_db(), 30, "cluster did not come back")
    stack.shell(
        "from community.mail.outbox import queue_email; queue_email(to=['after@example.org'], subject='x', body='y')"
    )
    wait_for(lambda: len(sink.message_ids) >= 1, 120, "no email after the outage")
    record("db-outage", "seconds from PostgreSQL back to an email sent", round(time.monotonic() - back, 1))
    stack.stop_all()


def http_ready_db() -> bool:
    import psycopg

    try:
        psycopg.connect(f"postgres://postgres@127.0.0.1:{CLUSTER_PORT}/{DATABASE}", connect_timeout=2).close()
    except psycopg.OperationalError:
        return False
    return True


def pg_stopped(stack: Stack, sink: Sink) -> None:
    web = stack.web()
    browser = Browser()
    browser.login("river@example.org", "calm-harbor-2026")
    browser.get("/groups/")
    cluster("stop")
    try:
        for path in ["/groups/", "/healthz"]:
            status, seconds = browser.get(path)
            record("pg-stopped", f"GET {path}: status, seconds", f"{status}, {seconds:.2f}")
    finally:
        cluster("start")
    back = time.monotonic()
    wait_for(lambda: browser.get("/groups/")[0] == 200, 60, "the site did not recover")
    record("pg-stopped", "seconds from PostgreSQL back to pages again", round(time.monotonic() - back, 1))
    record("pg-stopped", "gunicorn master alive", web.poll() is None)
    stack.stop_all()


def pg_frozen(stack: Stack, sink: Sink) -> None:
    for label, whole in [("postmaster", False), ("every process", True)]:
        web = stack.web()
        browser = Browser()
        browser.login("river@example.org", "calm-harbor-2026")
        for _ in range(4):  # every gunicorn worker holds a connection
            browser.get("/groups/")
        workers = gunicorn_workers(web)
        pids = cluster_pids() if whole else cluster_pids()[:1]
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        try:
            for path in ["/groups/", "/groups/mine/", "/healthz"]:
                status, seconds = browser.get(path)
                record("pg-frozen", f"{label} frozen: GET {path}: status, seconds", f"{status}, {seconds:.2f}")
            fresh_status, fresh_seconds = Browser().get("/groups/")
            record(
                "pg-frozen", f"{label} frozen: a new visitor: status, seconds", f"{fresh_status}, {fresh_seconds:.2f}"
            )
        finally:
            for pid in reversed(pids):
                os.kill(pid, signal.SIGCONT)
        thawed = time.monotonic()
        wait_for(lambda b=browser: b.get("/groups/")[0] == 200, 60, "the site did not recover")
        record("pg-frozen", f"{label} thawed: seconds to pages again", round(time.monotonic() - thawed, 1))
        record("pg-frozen", f"{label}: gunicorn workers survived", gunicorn_workers(web) == workers)
        stack.stop_all()


def redis_stopped(stack: Stack, sink: Sink) -> None:
    redis = stack.start(
        "redis", ["redis-server", "--port", str(REDIS_PORT), "--save", "", "--appendonly", "no"], env=os.environ
    )
    wait_for(lambda: socket.socket().connect_ex(("127.0.0.1", REDIS_PORT)) == 0, 10, "redis did not start")
    stack.env = {**stack.env, "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0"}
    web = stack.web()
    member = Browser()
    member.login("river@example.org", "calm-harbor-2026")
    record("redis-stopped", "signed in with Redis up", member.signed_in())
    os.killpg(redis.pid, signal.SIGKILL)
    redis.wait()
    pages = ["/", "/groups/mine/", "/notifications/", "/groups/meetings/", "/groups/living-with-trd/posts/"]
    statuses = [member.get(path)[0] for path in pages]
    record("redis-stopped", f"signed-in pages with Redis gone ({len(pages)}): statuses", statuses)
    record("redis-stopped", "still signed in with Redis gone", member.signed_in())
    fresh = Browser()
    fresh.login("maple@example.org", "calm-harbor-2026")
    record("redis-stopped", "a new sign-in with Redis gone works", fresh.signed_in())
    # Counted per gunicorn worker while Redis is away: enough failures for each of them.
    for _ in range(20):
        Browser().login_page_says("juniper@example.org", "wrong-guess", "")
    limited = [
        Browser().login_page_says("juniper@example.org", "calm-harbor-2026", "Too many failed login attempts")
        for _ in range(3)
    ]
    record("redis-stopped", "after 20 failed logins, the right password is refused (3 tries)", limited)
    log = LOGS / "faults-web.log"
    record("redis-stopped", "'REDIS UNAVAILABLE' lines logged", log.read_text().count("REDIS UNAVAILABLE"))
    del web
    stack.env.pop("REDIS_URL")
    stack.stop_all()


def smtp_hang(stack: Stack, sink: Sink) -> None:
    clear_queues(stack)
    sink.reset(hang=True)
    stack.shell(
        "from community.mail.outbox import queue_email; "
        "[queue_email(to=[f'm{n}@example.org'], subject='Digest', body='x') for n in range(200)]"
    )
    stack.worker()  # one worker for both queues: the harder case
    time.sleep(3)  # the drain is now waiting on the silent server
    started = time.monotonic()
    stack.shell(
        "from community.models import User; from groups.models import Group; "
        "from groups.posts.actions import create_post; "
        "create_post(author=User.objects.get(email='maple@example.org'), "
        "group=Group.objects.get(slug='living-with-trd'), title='While mail hangs', body='Still here.')"
    )
    wait_for(
        lambda: (
            stack.shell(
                "from community.models import Notification; "
                "print(Notification.objects.filter(post__title='While mail hangs').exists())"
            )
            == "True"
        ),
        120,
        "the announcement never ran",
    )
    record(
        "smtp-hang", "seconds until another task ran (one worker, mail hanging)", round(time.monotonic() - started, 1)
    )
    time.sleep(max(0, 60 - (time.monotonic() - started)))
    record("smtp-hang", "connections tried to the silent server in the first minute", sink.connections)
    waiting, _tasks = queue_state(stack)
    record("smtp-hang", "emails waiting (200 queued + 200 from the new post), none lost", waiting)
    stack.stop_all()


SCENARIOS = {
    "worker-kill": worker_kill,
    "db-outage": db_outage,
    "pg-stopped": pg_stopped,
    "pg-frozen": pg_frozen,
    "redis-stopped": redis_stopped,
    "smtp-hang": smtp_hang,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", choices=list(SCENARIOS), help="run only these scenarios")
    parser.add_argument("--no-prepare", action="store_true", help="reuse the database of the last run")
    args = parser.parse_args()
    LOGS.mkdir(parents=True, exist_ok=True)
    for log in LOGS.glob("faults-*.log"):
        log.unlink()
    ensure_cluster()
    stack = Stack(environment())
    sink = Sink(SMTP_PORT)
    if not args.no_prepare:
        prepare(stack)
    failed = False
    try:
        for name in args.only or list(SCENARIOS):
            try:
                SCENARIOS[name](stack, sink)
            except Exception as error:  # one scenario failing must not hide the others
                failed = True
                record(name, "FAILED", f"{type(error).__name__}: {error}")
            finally:
                stack.stop_all()
    finally:
        for pid in cluster_pids_or_none():
            os.kill(pid, signal.SIGCONT)
        sink.server.shutdown()
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    table = "| scenario | measure | value |\n| --- | --- | --- |\n" + "".join(
        f"| {s} | {m} | {v} |\n" for s, m, v in RESULTS
    )
    (LOGS / f"faults-{stamp}.md").write_text(table)
    print("\n" + table)
    return 1 if failed else 0


def cluster_pids_or_none() -> list[int]:
    try:
        return cluster_pids()
    except (OSError, ValueError, IndexError):
        return []


if __name__ == "__main__":
    sys.exit(main())
