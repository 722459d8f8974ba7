"""Profile the load benchmark's pages in-process: where a slow page spends its time.

    .venv/bin/python benchmarks/profile_pages.py                        # every page, 20 runs each
    .venv/bin/python benchmarks/profile_pages.py --only "moderation queue" --profile

Same database, settings and signed-in accounts as benchmarks/load_bench.py, but no
gunicorn and no wrk: each page is requested through Django's test client, so the time
is the application's own (queries, Python, templates) without the network or queueing.
For each page it prints the mean and median time, the CPU time of this process alone (the
figure to compare on a busy machine: it leaves out PostgreSQL and waiting for a core),
the time spent in SQL and the query count; --profile adds a pyinstrument call tree (pip
install pyinstrument).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import load_bench  # noqa: E402 - the benchmark's settings and targets, after sys.path is set


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="steady_ground_scale")
    parser.add_argument("--server", default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"))
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--only", default="", help="comma-separated page names")
    parser.add_argument("--profile", action="store_true", help="print a pyinstrument tree for each page")
    args = parser.parse_args()
    args.port, args.workers = 0, 0
    env = load_bench.server_environment(args)
    os.environ.update({key: value for key, value in env.items() if key not in ("GUNICORN_BIND", "WEB_CONCURRENCY")})
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("collectstatic", interactive=False, verbosity=0)
    targets, cookies, _csrf = load_bench.prepare_targets()
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")}
        targets = [target for target in targets if target.name in wanted]

    print(f"{'page':<34} {'mean ms':>8} {'p50 ms':>8} {'cpu ms':>8} {'sql ms':>8} {'queries':>8}")
    for target in targets:
        client = Client(HTTP_HOST="127.0.0.1")
        for part in cookies[target.who].split("; "):
            name, _, value = part.partition("=")
            client.cookies[name] = value

        def request(client=client, target=target):
            if target.method == "POST":
                return client.post(target.path, data=target.body, content_type="application/x-www-form-urlencoded")
            return client.get(target.path)

        request()  # warm: templates compiled, connection open
        timings, cpu, sql = [], [], []
        for _ in range(args.runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            with CaptureQueriesContext(connection) as captured:
                response = request()
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            sql.append(sum(float(query["time"]) for query in captured.captured_queries) * 1000)
        size = f"({response.status_code}, {len(response.content) // 1024} KB)"
        print(
            f"{target.label:<34} {statistics.mean(timings):8.1f} {statistics.median(timings):8.1f} "
            f"{statistics.median(cpu):8.1f} {statistics.mean(sql):8.1f} {len(captured):8d}  {size}"
        )
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            with profiler:
                for _ in range(5):
                    request()
            print(profiler.output_text(unicode=True, color=False, show_all=os.environ.get("PROFILE_ALL") == "1"))


if __name__ == "__main__":
    main()
