"""Proof that the site runs as several stateless app servers over one PostgreSQL and Redis.

    .venv/bin/python benchmarks/multi_instance.py

It builds its own database (``steady_ground_multi``, dropped and re-created each run)
with the small demo, starts two gunicorn servers on 127.0.0.1:8801 and :8802 in
production settings (Redis cache and sessions, the database tasks backend), and checks,
as a browser behind a load balancer would see it:

1. a session started on one server works on the other;
2. failed logins are counted across both (allauth's limit of 5 per account in 5 minutes);
3. a reply posted through one server is on the thread through the other at once;
4. two task workers (``manage.py db_worker``) draining one outbox send each email once.

It prints each check and exits non-zero if one fails. Both servers and both workers are
stopped at the end, also on failure.
"""

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATABASE = "steady_ground_multi"
PORTS = (8801, 8802)
EMAILS = 40


def environment() -> dict[str, str]:
    server = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "community.settings",
        "DATABASE_URL": f"{server}/{DATABASE}",
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
        "DEBUG": "0",
        "SECRET_KEY": "multi-instance-check-" + "y" * 50,
        "JOURNAL_ENCRYPTION_KEYS": "rWD39vXu45CFLy0osnsKdG6RC78n002Xvo-FhuZ8cus=",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "TASKS_BACKEND": "database",
        "WEB_CONCURRENCY": "2",
        # No EMAIL_HOST: the console mailer prints each message to the worker's log,
        # which is where this script counts them.
    }


def prepare(env) -> None:
    import psycopg

    server = env["DATABASE_URL"].rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DATABASE}"')
    for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"], ["seed_demo"]):
        subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
        )
    import redis

    redis.Redis.from_url(env["REDIS_URL"]).flushdb()  # this script's own Redis database only


def start(args: list[str], env, log: Path) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own gunicorn and manage.py
        args, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )


def wait_until_up(port: int) -> None:
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):  # noqa: S310
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"The server on port {port} did not start.")


class Browser:
    """One visitor's cookies, sent to whichever server answers (cookies ignore the port,
    as they would behind a load balancer with one host name)."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, port: int, path: str) -> tuple[int, str]:
        return self._open(self._request(port, path))

    def post(self, port: int, path: str, data: dict, *, form_page: str = "") -> tuple[int, str]:
        """Read the page with the form (for its CSRF token) on the same server, then submit."""
        _status, page = self.get(port, form_page or path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        return self._open(self._request(port, path, data=body))

    def _request(self, port: int, path: str, data: bytes | None = None) -> urllib.request.Request:
        # A load balancer passes the public host name to every server alike; allauth's
        # failed-login counter is keyed on it, so each server must see the same Host.
        return urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, headers={"Host": "127.0.0.1"})

    def _open(self, request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


def check(label: str, passed: bool, detail: str = "") -> bool:
    print(f"{'PASS' if passed else 'FAIL'}  {label}{f'  ({detail})' if detail else ''}", flush=True)
    return passed


def main() -> int:
    env = environment()
    prepare(env)
    os.environ.update(env)
    import django

    django.setup()
    from community.demo import members as demo
    from groups.models import Post

    logs = ROOT / "benchmarks" / "results"
    logs.mkdir(parents=True, exist_ok=True)
    gunicorn = str(ROOT / ".venv" / "bin" / "gunicorn")
    processes = [
        start([gunicorn, "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"], env, logs / f"multi-{port}.log")
        for port in PORTS
    ]
    results = []
    try:
        for port in PORTS:
            wait_until_up(port)
        a, b = PORTS

        # 1. A session started on A is the same signed-in session on B.
        river = Browser()
        river.post(a, "/accounts/login/", {"login": "river@example.org", "password": demo.DEMO_PASSWORD})
        status, page = river.get(b, "/groups/mine/")
        results.append(check("session started on :8801 works on :8802", status == 200 and "River" in page))

        # 2. Failed logins for one account, alternating servers: the 6th is refused on either
        # (allauth answers a throttled login with the form and this message).
        attacker = Browser()
        throttled = []
        for n in range(6):
            _status, page = attacker.post(
                PORTS[n % 2], "/accounts/login/", {"login": "maple@example.org", "password": "wrong-guess"}
            )
            throttled.append("Too many failed login attempts" in page)
        results.append(
            check(
                "login throttling counts attempts made on both servers",
                throttled == [False] * 5 + [True],
                f"throttled per attempt (servers alternating): {throttled}",
            )
        )

        # 3. A reply posted through A is on the thread through B at once.
        post = Post.objects.filter(group__slug="living-with-trd", status="published", is_locked=False).first()
        path = f"/groups/living-with-trd/posts/{post.pk}/"
        text = f"Posted through one server, read through the other {time.time_ns()}."
        river.post(a, f"{path}reply/", {"body": text}, form_page=path)
        status, page = river.get(b, path)
        results.append(check("a reply posted on :8801 is seen on :8802 at once", status == 200 and text in page))

        # 4. Two workers drain one queue: every email is sent, and sent once.
        from django.tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        from community.mail.outbox import queue_email
        from community.models import OutboxEmail

        DBTaskResult.objects.all().delete()  # the demo's own notifications are not counted
        OutboxEmail.objects.all().delete()
        for n in range(EMAILS):
            queue_email(to=["someone@example.org"], subject=f"Multi-instance check {n:03d}", body="Hello.")
        workers = [
            start(
                [
                    *(sys.executable, "manage.py", "db_worker", "--interval", "0.2"),
                    *("--queue-name", "default,email", "--worker-id", f"check-{n}"),
                ],
                env,
                logs / f"multi-worker-{n}.log",
            )
            for n in (1, 2)
        ]
        processes += workers
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).exists():
            time.sleep(0.5)
        for worker in workers:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)
        sent = []
        per_worker = []
        for n in (1, 2):
            found = re.findall(r"Subject: Multi-instance check (\d{3})", (logs / f"multi-worker-{n}.log").read_text())
            sent += found
            per_worker.append(len(found))
        results.append(
            check(
                "two db_workers on one queue send each email exactly once",
                sorted(sent) == [f"{n:03d}" for n in range(EMAILS)],
                f"{len(sent)} sent for {EMAILS} tasks; per worker {per_worker}",
            )
        )
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)
        from django.db import connections

        connections.close_all()
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
