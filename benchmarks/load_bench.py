"""Load benchmark: the site under gunicorn in production settings, driven by wrk.

    .venv/bin/python benchmarks/load_bench.py --concurrency 8       # large scale, the targets at c=8
    .venv/bin/python benchmarks/load_bench.py --database steady_ground_medium --duration 5

It needs a PostgreSQL database built with ``seed_demo --scale large`` (or medium), Redis,
and wrk (``apt-get install -y wrk``). It then:

1. signs in two of the scale accounts (a facilitator and a member) by creating real
   sessions in the shared session store, and finds the URLs to measure (the busiest
   group, a deep page's cursor, the thread with 200 replies, the member's feed);
2. counts each page's queries in-process and EXPLAINs every one of them, flagging any
   sequential scan on a big table;
3. starts gunicorn with gunicorn.conf.py (DEBUG=0, SECRET_KEY set, Redis cache and
   sessions, the database tasks backend, BENCHMARK=1 for the /bench/floor page), warms
   it up, and runs wrk against each page at each concurrency;
4. prints a table (requests/s, p50/p95/p99, errors, queries, worker memory, ratio to the
   floor) and writes it, with the plans, to benchmarks/results/.

Each page's share is of the floor measured just before it (``--floor-duration`` seconds),
not of one floor at the start: on a shared machine the floor itself drifted by a fifth
in a five-minute run, and a page measured late was judged against a floor it never saw.
The table gives both that floor and the run's first one.

Everything runs on 127.0.0.1; the server is stopped at the end, also on Ctrl-C.
"""

import argparse
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# A sequential scan on a table of at least this many rows is a finding. Smaller tables
# (the 400 groups, 2,000 reports) are read whole faster than through an index, and
# PostgreSQL rightly does so; the tables above it are listed in the report.
BIG_TABLE_ROWS = 10_000
# The targets of issue 15, at concurrency 8, each page's throughput as a share of the bare
# floor's in the same run. A page's "kind" says which of them it answers to.
# The signed-in floor is the session and the user, which every member page pays.
LEAST_SHARE = {"signed-in floor": 0.5, "visitor": 0.33, "member": 0.15, "queue": 0.10}
MOST_P95_MS = {"member": 50, "queue": 100, "write": 100}
DEEP_RATIO = 1.5
WORKER_MB = 150
LOGIN_MS = 300
LOGINS = 10


@dataclass
class Target:
    name: str
    who: str  # "visitor", "member" or "facilitator"
    path: str
    # Which target the page answers to: "floor", "signed-in floor", "visitor", "member",
    # "queue" or "write" (see the constants above).
    kind: str = "member"
    method: str = "GET"
    body: str = ""
    queries: int | None = None
    plans: list[str] = field(default_factory=list)
    seq_scans: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.who})"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="steady_ground_scale", help="a database seeded with seed_demo --scale")
    parser.add_argument("--server", default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"))
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (default: gunicorn.conf.py's)")
    parser.add_argument("--concurrency", default="1,8,32")
    parser.add_argument("--duration", type=int, default=8, help="seconds per page and concurrency")
    parser.add_argument("--only", default="", help="comma-separated page names to run (the two floors always run)")
    parser.add_argument(
        "--floor-duration", type=int, default=3, help="seconds of the floor measured just before each page"
    )
    return parser.parse_args()


def server_environment(args) -> dict[str, str]:
    """Production settings, as docs/deploy.md sets them, except HTTPS (wrk speaks plain HTTP)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "community.settings",
        "DATABASE_URL": f"{args.server.rstrip('/')}/{args.database}",
        "REDIS_URL": args.redis,
        "DEBUG": "0",
        "SECRET_KEY": "load-benchmark-" + "x" * 50,
        "JOURNAL_ENCRYPTION_KEYS": "_5_JDggZ6ivQQLu0_4-6PPbnrMpdn15LRMYDETlySwo=",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "TASKS_BACKEND": "database",
        "BENCHMARK": "1",
        # Worker recycling off while measuring: at the floor's rate gunicorn.conf.py's
        # recycling (every ~2,000 requests per worker) restarts a worker every second, each
        # restart costs a whole Django import (about a CPU-second), and the floor's own p95
        # rose to 1.5 s. Without recycling, worker memory is also at its steady-state worst.
        "GUNICORN_MAX_REQUESTS": "0",
        "GUNICORN_BIND": f"127.0.0.1:{args.port}",
        **({"WEB_CONCURRENCY": str(args.workers)} if args.workers else {}),
    }


def prepare_targets() -> tuple[list[Target], dict[str, str], str]:
    """The pages to measure, and a Cookie header for each kind of visitor."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from community.demo import scale
    from community.models import Article
    from groups.models import CalendarFeed, ContentStatus, Group, Post
    from groups.posts.queries import POSTS_PER_PAGE, encode_cursor

    if not scale.already_seeded():
        raise SystemExit("This database has no scale data: run manage.py seed_demo --scale large on it first.")
    User = get_user_model()
    facilitator = User.objects.get(email=scale.FACILITATOR_EMAIL)
    member = User.objects.get(email=scale.MEMBER_EMAIL)
    group = Group.objects.get(slug=scale.BUSY_GROUP_SLUG)
    listed = Post.objects.filter(group=group, status=ContentStatus.PUBLISHED, is_pinned=False).order_by(
        "-last_activity_at", "-id"
    )
    # Page 50 of the list: what a member reaches after following "Older posts" 49 times.
    deep = listed[POSTS_PER_PAGE * 49 - 1]
    long_thread = Post.objects.get(group=group, title=scale.LONG_THREAD_TITLE)
    reply_to = listed.exclude(pk=long_thread.pk).filter(is_locked=False).last()
    feed = CalendarFeed.objects.get(user=member)

    csrf = secrets.token_hex(16)  # 32 characters: Django accepts the unmasked secret in the form
    cookies = {"visitor": f"csrftoken={csrf}"}
    sign_out_everywhere([member, facilitator])
    for who, user in (("member", member), ("facilitator", facilitator)):
        client = Client()
        client.force_login(user)  # a real session in the shared store (cached_db: Redis + PostgreSQL)
        cookies[who] = (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}; {cookies['visitor']}"
        )

    posts = f"/groups/{group.slug}/posts/"
    article = Article.objects.filter(status=Article.Status.PUBLISHED).order_by("pk").first()
    targets = [
        Target("floor", "visitor", "/bench/floor", kind="floor"),
        Target("signed-in floor", "member", "/bench/floor-signed-in", kind="signed-in floor"),
        Target("home", "visitor", "/", kind="visitor"),
        Target("home", "member", "/"),
        Target("directory", "visitor", "/groups/", kind="visitor"),
        Target("directory", "member", "/groups/"),
        Target("article", "visitor", f"/resources/{article.slug}/", kind="visitor"),
        Target("care search", "visitor", "/care/?place=Salt+Lake+City%2C+UT&radius=50", kind="visitor"),
        Target("post list", "member", posts),
        Target("post list deep", "member", f"{posts}?after={quote(encode_cursor(deep))}"),
        Target("thread 200 replies", "member", f"{posts}{long_thread.pk}/"),
        Target("moderation queue", "facilitator", "/moderation/", kind="queue"),
        Target("my meetings", "member", "/groups/meetings/"),
        Target("notifications", "member", "/notifications/"),
        Target("calendar feed", "visitor", f"/groups/calendar/{feed.token}.ics", kind="visitor"),
        Target("search", "visitor", "/search/?q=sleep+routine", kind="visitor"),
        Target("search", "member", "/search/?q=sleep+routine"),
        Target(
            "post reply",
            "member",
            f"{posts}{reply_to.pk}/reply/",
            method="POST",
            body=f"csrfmiddlewaretoken={csrf}&body=Thinking+of+you+today%2C+from+the+load+benchmark.",
            kind="write",
        ),
    ]
    return targets, cookies, csrf


def big_tables() -> set[str]:
    """The tables of at least BIG_TABLE_ROWS rows, by PostgreSQL's own statistics."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"
            " AND reltuples >= %s",
            [BIG_TABLE_ROWS],
        )
        return {row[0] for row in cursor.fetchall()}


def count_queries_and_explain(targets: list[Target], cookies: dict[str, str], big: set[str]) -> None:
    """Each page once in-process: its query count, and the plan of every SELECT it runs."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    for target in targets:
        client = Client(HTTP_HOST="127.0.0.1")
        for part in cookies[target.who].split("; "):
            name, _, value = part.partition("=")
            client.cookies[name] = value
        with CaptureQueriesContext(connection) as captured:
            if target.method == "POST":
                response = client.post(target.path, data=target.body, content_type="application/x-www-form-urlencoded")
            else:
                response = client.get(target.path)
        if response.status_code not in (200, 302):
            raise SystemExit(f"{target.label} answered {response.status_code} at {target.path}; fix that first.")
        target.queries = len(captured)
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            target.plans.append(f"{sql[:300]}\n{plan}")
            target.seq_scans |= {table for table in re.findall(r"Seq Scan on (\w+)", plan) if table in big}


def start_server(args, env, log_path: Path) -> subprocess.Popen:
    log = log_path.open("w")
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=1) as response:  # noqa: S310
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"gunicorn did not answer on port {args.port}; see {log_path}")


def worker_rss_mb(server: subprocess.Popen) -> float:
    """The largest resident memory of gunicorn's workers (the master's children)."""
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    except OSError:
        return 0.0
    largest = 0
    for pid in children:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        found = re.search(r"VmRSS:\s+(\d+) kB", status)
        largest = max(largest, int(found.group(1)) if found else 0)
    return largest / 1024


LUA = """
wrk.method = %(method)s
wrk.headers["Cookie"] = %(cookie)s
%(body)s
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"errors\\": %%d, "
    .. "\\"p50\\": %%d, \\"p95\\": %%d, \\"p99\\": %%d}\\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def run_wrk(args, target: Target, cookie: str, concurrency: int, duration: int) -> dict:
    body = ""
    if target.method == "POST":
        body = (
            f'wrk.body = {json.dumps(target.body)}\nwrk.headers["Content-Type"] = "application/x-www-form-urlencoded"'
        )
    script = LUA % {"method": json.dumps(target.method), "cookie": json.dumps(cookie), "body": body}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    try:
        output = subprocess.run(  # noqa: S603 - wrk from PATH, arguments built here
            [  # noqa: S607
                "wrk",
                f"-t{min(2, concurrency)}",
                f"-c{concurrency}",
                f"-d{duration}s",
                "--timeout",
                "10s",
                "-s",
                file.name,
                f"http://127.0.0.1:{args.port}{target.path}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(file.name)
    result = json.loads(output.split("RESULT ", 1)[1].splitlines()[0])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def floor_beside(args, targets, cookies, target: Target, concurrency: int) -> float:
    """The floor's requests per second, measured just before ``target`` (the floor's own
    row is its own: it is not measured twice)."""
    if target.kind == "floor":
        return 0.0
    floor = next(other for other in targets if other.kind == "floor")
    return run_wrk(args, floor, cookies[floor.who], concurrency, args.floor_duration)["rps"]


def time_logins(args, email: str, password: str, count: int = LOGINS) -> list[float]:
    """Milliseconds for each of ``count`` real sign-ins, one after the other: a POST of the
    allauth login form (email and password, checked by the password hasher) to the running
    server, answered by a redirect with a new session cookie."""
    import http.client
    from urllib.parse import urlencode

    csrf = secrets.token_hex(16)
    body = urlencode({"csrfmiddlewaretoken": csrf, "login": email, "password": password})
    timings = []
    for _ in range(count):
        connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=10)
        started = time.perf_counter()
        connection.request(
            "POST",
            "/accounts/login/",
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}"},
        )
        response = connection.getresponse()
        response.read()
        timings.append((time.perf_counter() - started) * 1000)
        session = re.search(r"sessionid=([^;]+)", " ".join(response.headers.get_all("Set-Cookie") or []))
        if response.status != 302 or session is None:
            raise SystemExit(f"Signing in answered {response.status} without a session; check the scale account.")
        # Signed out again: allauth lists and checks every session of the account at each
        # sign-in, so sessions left behind would make each later sign-in slower.
        connection.request(
            "POST",
            "/accounts/logout/",
            body=urlencode({"csrfmiddlewaretoken": csrf}),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={csrf}; sessionid={session.group(1)}",
            },
        )
        connection.getresponse().read()
        connection.close()
    return timings


def sign_out_everywhere(users) -> None:
    """End every earlier session of the benchmark's accounts (each run makes new ones), so
    that runs start alike: a sign-in lists and checks all of an account's sessions."""
    from importlib import import_module

    from allauth.usersessions.models import UserSession
    from django.conf import settings

    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
    for user_session in UserSession.objects.filter(user__in=users):
        SessionStore(user_session.session_key).delete()
        user_session.delete()


def main():
    args = parse_args()
    env = server_environment(args)
    os.environ.update({key: value for key, value in env.items() if key not in ("GUNICORN_BIND", "WEB_CONCURRENCY")})
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    # Production settings serve hashed static files from a manifest that collectstatic writes.
    call_command("collectstatic", interactive=False, verbosity=0)
    targets, cookies, _csrf = prepare_targets()
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")} | {"floor", "signed-in floor"}
        targets = [target for target in targets if target.name in wanted]
    scale_label = (
        "large"
        if connection.cursor().execute("SELECT count(*) FROM groups_reply").fetchone()[0] > 500_000
        else "medium"
    )
    big = big_tables()
    count_queries_and_explain(targets, cookies, big)
    connection.close()

    results_dir = ROOT / "benchmarks" / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    stamp = f"{datetime.now(UTC):%Y%m%d-%H%M%S}"
    server = start_server(args, env, results_dir / f"load-{stamp}-gunicorn.log")
    rows = []
    logins: list[float] = []
    try:
        from community.demo import scale

        time_logins(args, scale.MEMBER_EMAIL, scale.SCALE_PASSWORD, count=2)  # warm: the hasher's first use
        logins = time_logins(args, scale.MEMBER_EMAIL, scale.SCALE_PASSWORD)
        print(f"  login: median {sorted(logins)[len(logins) // 2]:.0f} ms, slowest {max(logins):.0f} ms", flush=True)
        # Warm up: every page a few times on every worker, so caches and connections are open.
        for target in targets:
            run_wrk(args, target, cookies[target.who], concurrency=4, duration=1)
        for concurrency in [int(c) for c in args.concurrency.split(",")]:
            for target in targets:
                beside = floor_beside(args, targets, cookies, target, concurrency)
                result = run_wrk(args, target, cookies[target.who], concurrency, args.duration)
                result.update(target=target, concurrency=concurrency, rss=worker_rss_mb(server), floor_rps=beside)
                rows.append(result)
                print(
                    f"  c={concurrency:<3} {target.label:<34} {result['rps']:8.1f} req/s  "
                    f"p95 {result['p95'] / 1000:7.1f} ms  errors {result['errors']}"
                    + (f"  x floor {share(result['rps'], beside):.2f}" if beside else ""),
                    flush=True,
                )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    report = format_report(rows, targets, scale_label, args, big, logins)
    print("\n" + report)
    path = results_dir / f"load-{scale_label}-{stamp}.md"
    plans = "\n\n".join(f"### {t.label}\n\n```\n" + "\n\n".join(t.plans) + "\n```" for t in targets)
    path.write_text(report + "\n\n## Query plans (EXPLAIN)\n\n" + plans + "\n")
    print(f"\nWritten to {path.relative_to(ROOT)}")


def format_report(rows, targets, scale_label, args, big, logins) -> str:
    floor = {row["concurrency"]: row["rps"] for row in rows if row["target"].name == "floor"}
    lines = [
        f"# Load benchmark, {scale_label} scale, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"gunicorn.conf.py, {args.duration}s per page and concurrency, wrk on the same {os.cpu_count()}-core machine.",
        # Other work on the machine skews every figure; the load average says how much there was.
        f"Load average at the end (1, 5, 15 min): {', '.join(f'{load:.1f}' for load in os.getloadavg())}.",
        "",
        "x floor: the share of the floor measured just before the page; x first floor: of the run's first.",
        "",
        "| page | c | req/s | p50 ms | p95 ms | p99 ms | errors | queries | worker MB | floor beside | x floor "
        "| x first floor |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        target, first = row["target"], floor.get(row["concurrency"])
        beside = row["floor_rps"] or first
        lines.append(
            f"| {target.label} | {row['concurrency']} | {row['rps']:.1f} | {row['p50'] / 1000:.1f} | "
            f"{row['p95'] / 1000:.1f} | {row['p99'] / 1000:.1f} | {row['errors']} | {target.queries} | "
            f"{row['rss']:.0f} | {beside:.0f} | {share(row['rps'], beside):.2f} | {share(row['rps'], first):.2f} |"
        )
    lines += ["", "## Targets (at c=8)", ""]
    lines += target_lines(rows, targets, big, logins)
    return "\n".join(lines)


def share(rps: float, floor: float | None) -> float:
    return rps / floor if floor else 0


def verdict(ok: bool) -> str:
    return "met   " if ok else "MISSED"


def target_lines(rows, targets, big, logins) -> list[str]:
    """One line per target of issue 15, each saying met or MISSED; a share is of the floor
    measured just before the page."""
    lines = []
    at8 = {row["target"].label: row for row in rows if row["concurrency"] == 8}
    for label, row in at8.items():
        kind = row["target"].kind
        if kind == "floor":
            continue
        p95 = row["p95"] / 1000
        page_share = share(row["rps"], row["floor_rps"])
        least, most = LEAST_SHARE.get(kind), MOST_P95_MS.get(kind)
        ok = (least is None or page_share >= least) and (most is None or p95 < most)
        share_text = f"{page_share:.2f} of the floor" + (f" (>= {least})" if least is not None else "")
        p95_text = f"p95 {p95:.1f} ms" + (f" (< {most})" if most is not None else "")
        lines.append(f"- {verdict(ok)} {label}: {share_text}, {p95_text}")
    first, deep = at8.get("post list (member)"), at8.get("post list deep (member)")
    if first and deep:
        ratio = deep["p95"] / first["p95"]
        lines.append(f"- {verdict(ratio <= DEEP_RATIO)} deep page p95 / first page p95: {ratio:.2f} (<= {DEEP_RATIO})")
    largest = max((row["rss"] for row in rows), default=0)
    lines.append(f"- {verdict(largest < WORKER_MB)} largest worker RSS: {largest:.0f} MB (< {WORKER_MB})")
    if logins:
        median, slowest = sorted(logins)[len(logins) // 2], max(logins)
        lines.append(
            f"- {verdict(slowest < LOGIN_MS)} logging in (POST of the login form, {len(logins)} in a row): "
            f"median {median:.0f} ms, slowest {slowest:.0f} ms (< {LOGIN_MS})"
        )
    errors = sum(row["errors"] for row in rows)
    lines.append(f"- {verdict(errors == 0)} errors: {errors}")
    scans = {target.label: sorted(target.seq_scans) for target in targets if target.seq_scans}
    lines.append(f"- {verdict(not scans)} no sequential scan on a big table: {scans or 'none found'}")
    lines.append(f"  (big: the {len(big)} tables of {BIG_TABLE_ROWS:,} rows or more: {', '.join(sorted(big))})")
    return lines


if __name__ == "__main__":
    main()
