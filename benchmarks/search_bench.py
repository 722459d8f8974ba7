"""Benchmark: site search over 200,000 posts and the care directory's distance search
over 10,000 entries, on PostgreSQL. Not a test: it builds its own database, runs the
same functions the pages call many times, and prints p50/p95 and the query plans.

    .venv/bin/python benchmarks/search_bench.py            # build (first run) and measure
    .venv/bin/python benchmarks/search_bench.py --rebuild  # start from an empty database

It uses a separate database (``steady_ground_bench`` by default, created if missing) on
the server named by BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/),
so it never touches the site's own data. Figures are also written to benchmarks/results/.
"""

import argparse
import os
import random
import re
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SEARCHES = [
    # (what a person might type, how common its words are in the generated text)
    ("sleep", "common"),
    ("depression", "common"),
    ("medication side effects", "common"),
    ("tired all the time", "common"),
    ("esketamine session ride home", "medium"),
    ("TMS schedule", "medium"),
    ('"side effects"', "phrase"),
    ("appointment questions", "medium"),
    ("thyroid", "rare"),
    ("electroconvulsive memory", "rare"),
    ("lithium augmentation", "rare"),
    ("zzzunknownword", "none"),
]
RADII = [10, 25, 50, 100]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=200_000)
    parser.add_argument("--replies", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--groups", type=int, default=400)
    parser.add_argument("--members", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=300, help="timed runs of each kind of query")
    parser.add_argument("--database", default="steady_ground_bench")
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the benchmark database")
    parser.add_argument("--seed", type=int, default=20261126)
    return parser.parse_args()


def prepare_database(args) -> None:
    """Create (or re-create) the benchmark database, then point Django at it."""
    import psycopg

    server = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/").rstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", args.database):
        raise SystemExit("--database must be a plain lower-case name.")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.database]).fetchone()
        if exists and args.rebuild:
            admin.execute(f'DROP DATABASE "{args.database}" WITH (FORCE)')
            exists = None
        if not exists:
            admin.execute(f'CREATE DATABASE "{args.database}"')
    os.environ["DATABASE_URL"] = f"{server}/{args.database}"
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("TASKS_BACKEND", "immediate")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings")

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def vocabulary() -> list[str]:
    """Real words, from the project's own articles, most frequent first (for a Zipf mix)."""
    from community.library.articles import read_articles

    counts: dict[str, int] = {}
    for article in read_articles():
        for word in re.findall(r"[a-z]{3,}", article.body.lower()):
            counts[word] = counts.get(word, 0) + 1
    for word in ("thyroid", "electroconvulsive", "lithium", "augmentation"):
        counts.setdefault(word, 0)  # kept rare on purpose
    return sorted(counts, key=lambda word: -counts[word])


def build(args) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from community.models import CareEntry, Treatment
    from groups.models import ContentStatus, Group, Membership, Post, Reply

    if Post.objects.count() >= args.posts:
        print(f"Using the {Post.objects.count():,} posts already in {args.database} (--rebuild to start again).")
        return
    rng = random.Random(args.seed)  # noqa: S311 - repeatable made-up data, not secrets
    words = vocabulary()
    weights = [1 / (rank + 1) for rank in range(len(words))]
    now = timezone.now()

    def text(count: int) -> str:
        return " ".join(rng.choices(words, weights=weights, k=count))

    started = time.perf_counter()
    User = get_user_model()
    no_login = make_password(None)
    User.objects.bulk_create(
        (
            User(email=f"bench{n}@example.org", display_name=f"Bench member {n}", password=no_login)
            for n in range(args.members)
        ),
        batch_size=2000,
    )
    users = list(User.objects.filter(email__startswith="bench").values_list("pk", flat=True))
    Group.objects.bulk_create(
        Group(name=f"Bench group {n}", slug=f"bench-group-{n}", description=text(12), rules="Be kind.")
        for n in range(args.groups)
    )
    groups = list(Group.objects.filter(slug__startswith="bench-group-").values_list("pk", flat=True))
    memberships = {(user, group) for user in users for group in rng.sample(groups, 4)}
    Membership.objects.bulk_create(
        (
            Membership(user_id=user, group_id=group, status="active", rules_accepted_at=now)
            for user, group in memberships
        ),
        batch_size=5000,
    )
    print(f"members, groups, memberships: {time.perf_counter() - started:.1f}s")

    statuses = [ContentStatus.PUBLISHED] * 95 + [ContentStatus.HELD] * 3 + [ContentStatus.REMOVED] * 2
    batch = 5000
    for first in range(0, args.posts, batch):
        posts = []
        for _ in range(min(batch, args.posts - first)):
            body = text(rng.randint(40, 140))
            posts.append(
                Post(
                    group_id=rng.choice(groups),
                    author_id=rng.choice(users),
                    title=text(rng.randint(3, 9)).capitalize(),
                    body=body,
                    body_html=f"<p>{body}</p>",
                    status=rng.choice(statuses),
                    last_activity_at=now - timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60)),
                )
            )
        Post.objects.bulk_create(posts)
    print(f"{args.posts:,} posts: {time.perf_counter() - started:.1f}s")
    post_ids = list(Post.objects.values_list("pk", flat=True))
    for first in range(0, args.replies, batch):
        replies = []
        for _ in range(min(batch, args.replies - first)):
            body = text(rng.randint(15, 80))
            replies.append(
                Reply(
                    post_id=rng.choice(post_ids),
                    author_id=rng.choice(users),
                    body=body,
                    body_html=f"<p>{body}</p>",
                    status=rng.choice(statuses),
                )
            )
        Reply.objects.bulk_create(replies)
    print(f"{args.replies:,} replies: {time.perf_counter() - started:.1f}s")

    import zipcodes

    zips = [row for row in zipcodes.list_all() if row["lat"] and row["long"]]
    entries = []
    for n in range(args.entries):
        row = rng.choice(zips)
        entries.append(
            CareEntry(
                name=f"Bench clinic {n}",
                kind=rng.choice(CareEntry.Kind.values),
                treatments=set(rng.sample(Treatment.values, rng.randint(1, 4))),
                city=row["city"],
                region=row["state"],
                postal_code=row["zip_code"],
                latitude=float(row["lat"]) + rng.uniform(-0.05, 0.05),
                longitude=float(row["long"]) + rng.uniform(-0.05, 0.05),
                telehealth=rng.random() < 0.4,
                accepting_new_patients=rng.choice([True, False, None]),
                source="Benchmark data",
            )
        )
    CareEntry.objects.bulk_create(entries, batch_size=5000)
    with connection.cursor() as cursor:
        # bulk_create gives every row the same auto_now_add time; spread them like real posts.
        cursor.execute("UPDATE groups_post SET created_at = last_activity_at")
        cursor.execute("UPDATE groups_reply SET created_at = now() - (id % 700000) * interval '1 minute'")
        cursor.execute("VACUUM ANALYZE")
    print(f"{args.entries:,} directory entries and ANALYZE: {time.perf_counter() - started:.1f}s")


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * len(ordered))) - 1)]
    worst = ordered[-1]
    return f"p50 {p50 * 1000:6.1f} ms   p95 {p95 * 1000:6.1f} ms   max {worst * 1000:6.1f} ms   (n={len(ordered)})"


def timed(function, runs: int) -> list[float]:
    samples = []
    for index in range(runs):
        started = time.perf_counter()
        function(index)
        samples.append(time.perf_counter() - started)
    return samples


def measure(args, out) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from community.care import queries as directory
    from community.care.geo import Place
    from community.models import Treatment
    from community.search import queries as search
    from groups.models import ContentStatus, Membership, Post

    rng = random.Random(args.seed + 1)  # noqa: S311 - repeatable choices, not secrets
    User = get_user_model()
    member = User.objects.get(email="bench1@example.org")
    staff = User(pk=0, is_staff=True, is_active=True)  # staff read every group: the heaviest case
    counts = {
        "posts": Post.objects.count(),
        "published": Post.objects.filter(status=ContentStatus.PUBLISHED).count(),
        "member's groups": Membership.objects.filter(user=member).count(),
    }
    out(f"Data: {counts}")

    # Warm the caches the way a running server is warm.
    for text, _ in SEARCHES:
        search.search_site(user=staff, text=text, kind="posts")

    out("\n== Site search (search_site: resources, groups, posts, replies; every query the page runs)")
    for label, user in (("member (4 groups)", member), ("staff (all groups)", staff)):
        samples = timed(lambda i, u=user: search.search_site(user=u, text=SEARCHES[i % len(SEARCHES)][0]), args.runs)
        out(f"  all kinds, {label:20} {percentiles(samples)}")
        samples = timed(
            lambda i, u=user: search.search_site(user=u, text=SEARCHES[i % len(SEARCHES)][0], kind="posts"), args.runs
        )
        out(f"  posts only, {label:19} {percentiles(samples)}")
    for text, how_common in SEARCHES:
        runs = max(20, args.runs // 10)
        samples = timed(lambda _i, t=text: search.search_site(user=staff, text=t, kind="posts"), runs)
        out(f"  staff, posts, {text!r:32} ({how_common:6}) {percentiles(samples)}")

    out("\n== Directory distance search (bounding box in SQL, haversine in Python; both queries)")
    import zipcodes

    zips = [row for row in zipcodes.list_all() if row["lat"] and row["long"]]
    origins = [Place(row["zip_code"], float(row["lat"]), float(row["long"])) for row in rng.sample(zips, 200)]

    def distance_search(index, radius=None):
        page = directory.search_directory(
            origin=origins[index % len(origins)],
            radius=radius or RADII[index % len(RADII)],
            treatment=["", Treatment.ESKETAMINE, Treatment.TMS][index % 3],
            telehealth=index % 5 == 0,
        )
        list(page.object_list)

    out(f"  mixed radii 10-100 mi      {percentiles(timed(distance_search, args.runs))}")
    for radius in (25, 100, 500):
        samples = timed(lambda i, r=radius: distance_search(i, r), max(20, args.runs // 5))
        out(f"  radius {radius:3} mi             {percentiles(samples)}")

    out("\n== Query plans (EXPLAIN ANALYZE), staff searching every group's posts")
    uses_index = True
    for text in ("electroconvulsive memory", "sleep"):
        finder = search.Search(text=text, terms=[])
        published = Post.objects.filter(status=ContentStatus.PUBLISHED)
        matches = published.alias(document=search.StoredSearchVector()).filter(document=finder.query)
        first = matches.order_by().values_list("pk", flat=True)[: search.RANK_ALL_UP_TO + 1].explain(analyze=True)
        second = finder.ranked(published, ["title", "body"])[:6].explain(analyze=True)
        out(f"-- {text!r}, step 1 (ids of the matches):\n{first}")
        out(f"-- {text!r}, step 2 (ranking):\n{second}")
        uses_index = uses_index and "community_post_fts_idx" in first
    member_matches = (
        Post.objects.filter(status=ContentStatus.PUBLISHED, group_id__in=list(search.readable_group_ids(member)))
        .alias(document=search.StoredSearchVector())
        .filter(document=search.Search(text="sleep", terms=[]).query)
    )
    member_plan = member_matches.order_by().values_list("pk", flat=True)[:1001].explain(analyze=True)
    out("-- 'sleep', a member searching their four groups, step 1:\n" + member_plan)
    origin = origins[0]
    (south, north), longitude_ranges = directory.bounding_box(origin.latitude, origin.longitude, 50)
    west, east = longitude_ranges[0]
    entries = directory.listed_entries().filter(
        latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east
    )
    box_plan = entries.values_list("pk", "latitude", "longitude").explain(analyze=True)
    out("-- directory bounding box, 50 miles:\n" + box_plan)
    out(f"\nGIN index community_post_fts_idx used to find the matching posts: {'yes' if uses_index else 'NO'}")
    out(f"PostgreSQL: {connection.cursor().connection.info.server_version}")


def main():
    args = parse_args()
    prepare_database(args)
    build(args)
    results = ROOT / "benchmarks" / "results"
    results.mkdir(parents=True, exist_ok=True)
    path = results / f"search-{datetime.now(UTC):%Y%m%d-%H%M%S}.txt"
    with path.open("w") as file:

        def out(line: str) -> None:
            print(line)
            file.write(line + "\n")

        measure(args, out)
    print(f"\nWritten to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
