"""A large, clearly fictional community for load tests: `manage.py seed_demo --scale large`.

The small demo (community/demo/members.py, groups/demo.py) is for people trying the site; this
is for measuring it. Everything is written with bulk inserts from pools of generated
text, and every denormalised counter (Group.member_count, Post.reply_count,
Occurrence.confirmed_count) is computed from the rows afterwards, so that it is right by
construction rather than by bookkeeping.

Every account is ``scale-…@example.org`` (a domain reserved for examples), every name
says "Sample" or is a plain numbered pseudonym, and every directory entry is marked as
generated. Running it on a database that already holds scale data changes nothing.
"""

import random
import re
import sys
import time
from bisect import bisect
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import accumulate

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from community.models import CareEntry, Notification, Treatment
from groups.meetings import schedule
from groups.models import (
    CalendarFeed,
    ContentStatus,
    Group,
    HoldReason,
    Meeting,
    Membership,
    ModerationLog,
    Occurrence,
    Post,
    QueueItem,
    Reaction,
    Reply,
    Report,
    Rsvp,
    Topic,
)

SCALE_PASSWORD = "steady-scale-2026"  # noqa: S105 - printed for the load benchmark's accounts
# The two accounts the benchmark signs in as; both belong to the busiest group.
FACILITATOR_EMAIL = "scale-facilitator@example.org"
MEMBER_EMAIL = "scale-member@example.org"
BUSY_GROUP_SLUG = "sample-circle-0"
# The busiest group's thread with exactly this many published replies ("a post with 200 replies").
LONG_THREAD_REPLIES = 200
LONG_THREAD_TITLE = "Sample long thread: what helped this week"


@dataclass(frozen=True)
class Sizes:
    members: int
    groups: int
    posts: int
    replies: int
    reactions: int
    meetings: int
    entries: int
    log_entries: int
    reports: int
    notifications: int = 0


SIZES = {
    "large": Sizes(20_000, 400, 200_000, 1_000_000, 300_000, 3_000, 10_000, 20_000, 2_000, 200_000),
    "medium": Sizes(2_000, 40, 20_000, 100_000, 30_000, 300, 1_000, 2_000, 200, 20_000),
}

TOPIC_NAMES = ["Living with TRD", "Esketamine", "TMS", "Carers", "New diagnosis", "Self-care", "Evenings"]
ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "Europe/London"]


class Progress:
    """One line per stage, redrawn in place: ``replies  [#####.....]  52%  520,000/1,000,000  31.2s``."""

    def __init__(self, out=None, width: int = 30):
        # A management command's OutputWrapper ends every write with a newline unless told
        # not to; a bar redrawn in place needs none.
        self.out = out or sys.stdout
        self._write = (
            (lambda text: self.out.write(text, ending="")) if hasattr(self.out, "style_func") else self.out.write
        )
        self.width = width
        self.started = time.perf_counter()
        self.timings: dict[str, float] = {}
        self._stage_started = self.started

    def start(self, stage: str) -> None:
        self.stage = stage
        self._stage_started = time.perf_counter()

    def update(self, done: int, total: int) -> None:
        filled = self.width * done // max(total, 1)
        bar = "#" * filled + "." * (self.width - filled)
        elapsed = time.perf_counter() - self.started
        self._write(
            f"\r{self.stage:<14} [{bar}] {100 * done // max(total, 1):3d}%  {done:,}/{total:,}  {elapsed:6.1f}s"
        )
        self.out.flush()

    def finish(self) -> None:
        self.timings[self.stage] = time.perf_counter() - self._stage_started
        self._write("\n")
        self.out.flush()


def _vocabulary() -> tuple[list[str], list[float]]:
    """Real words from the site's own articles, with Zipf weights by frequency, so that
    search meets common and rare words as it would in real posts."""
    from community.library.articles import read_articles

    counts: dict[str, int] = {}
    for article in read_articles():
        for word in re.findall(r"[a-z]{3,}", article.body.lower()):
            counts[word] = counts.get(word, 0) + 1
    words = sorted(counts, key=lambda word: (-counts[word], word))
    return words, _cumulative(1 / (rank + 1) for rank in range(len(words)))


def _cumulative(weights) -> list[float]:
    return list(accumulate(weights))


def _pick(rng: random.Random, cumulative: list[float]) -> int:
    """An index drawn by weight, in O(log n) (random.choices recomputes sums per call)."""
    return bisect(cumulative, rng.random() * cumulative[-1])


@contextmanager
def _given_timestamps(*fields):
    """Let bulk_create keep the spread-out times we give, not auto_now_add's "now" for all."""
    saved = [(field, field.auto_now_add) for field in fields]
    for field, _ in saved:
        field.auto_now_add = False
    try:
        yield
    finally:
        for field, value in saved:
            field.auto_now_add = value


def already_seeded() -> bool:
    return get_user_model().objects.filter(email=FACILITATOR_EMAIL).exists()


def seed_scale(sizes: Sizes, *, seed: int = 20261126, progress: Progress | None = None) -> Progress:
    """Build the community described by ``sizes``; call on a database without scale data."""
    progress = progress or Progress()
    builder = _Builder(sizes, random.Random(seed), progress)  # noqa: S311 - made-up data, not secrets
    with transaction.atomic():
        builder.build()
    if connection.vendor == "postgresql":
        progress.start("analyze")
        with connection.cursor() as cursor:
            # Fresh statistics, so that the planner sees the new row counts at once.
            cursor.execute("ANALYZE")
        progress.update(1, 1)
        progress.finish()
    return progress


class _Builder:
    batch = 5_000

    def __init__(self, sizes: Sizes, rng: random.Random, progress: Progress):
        self.sizes = sizes
        self.rng = rng
        self.progress = progress
        self.now = timezone.now()
        self.words, self.word_weights = _vocabulary()
        self.texts = [self._text(rng.randint(12, 90)) for _ in range(600)]
        self.titles = [self._text(rng.randint(3, 8)).capitalize() for _ in range(300)]

    def _text(self, count: int) -> str:
        return " ".join(self.rng.choices(self.words, cum_weights=self.word_weights, k=count)) + "."

    def _insert(self, model, rows, total: int) -> list:
        """bulk_create ``rows`` (an iterable) in batches, with the progress bar; returns the objects."""
        created, chunk = [], []
        done = 0
        self.progress.update(0, total)
        for row in rows:
            chunk.append(row)
            if len(chunk) >= self.batch:
                created.extend(model.objects.bulk_create(chunk))
                done += len(chunk)
                chunk = []
                self.progress.update(done, total)
        if chunk:
            created.extend(model.objects.bulk_create(chunk))
            done += len(chunk)
        self.progress.update(done, total)
        return created

    def build(self) -> None:
        self.members()
        self.groups()
        self.memberships()
        self.posts_and_replies()
        self.reactions()
        self.notifications()
        self.meetings()
        self.directory()
        self.moderation()
        self.counters()

    # --- people and groups --------------------------------------------------------------------

    def members(self) -> None:
        self.progress.start("members")
        User = get_user_model()
        password = make_password(SCALE_PASSWORD)  # hashed once: every account shares it
        special = [(FACILITATOR_EMAIL, "Sample Facilitator"), (MEMBER_EMAIL, "Sample Member")]
        people = special + [
            (f"scale-{n}@example.org", f"Sample member {n}") for n in range(self.sizes.members - len(special))
        ]
        joined = self.now - timedelta(days=800)
        users = self._insert(
            User,
            (
                User(
                    email=email,
                    display_name=name,
                    password=password,
                    time_zone=self.rng.choice(ZONES),
                    date_joined=joined + timedelta(minutes=n),
                )
                for n, (email, name) in enumerate(people)
            ),
            len(people),
        )
        self.user_ids = [user.pk for user in users]
        self._insert(
            EmailAddress,
            (EmailAddress(user_id=user.pk, email=user.email, verified=True, primary=True) for user in users),
            len(users),
        )
        self.progress.finish()

    def groups(self) -> None:
        self.progress.start("groups")
        rng = self.rng
        groups = self._insert(
            Group,
            (
                Group(
                    name=f"Sample circle {n}: {TOPIC_NAMES[n % len(TOPIC_NAMES)]}",
                    slug=f"sample-circle-{n}",
                    description=f"A fictional group for load tests, about {TOPIC_NAMES[n % len(TOPIC_NAMES)].lower()}.",
                    rules="1. Be kind.\n2. What is shared here stays here.\n3. No method details.",
                    format=rng.choice(Group.Format.values),
                    join_policy=Group.JoinPolicy.OPEN if n % 5 else Group.JoinPolicy.REQUEST,
                    # A few unlisted groups, as real communities have; never the busiest.
                    is_listed=n == 0 or n % 23 != 0,
                    hold_first_posts=0,
                )
                for n in range(self.sizes.groups)
            ),
            self.sizes.groups,
        )
        self.group_ids = [group.pk for group in groups]
        topics = list(Topic.objects.values_list("pk", flat=True))
        if topics:
            Through = Group.topics.through
            Through.objects.bulk_create(
                Through(group_id=group_id, topic_id=topic)
                for n, group_id in enumerate(self.group_ids)
                for topic in {topics[n % len(topics)], topics[(n * 7) % len(topics)]}
            )
        # Zipf-like: a few busy groups, a long tail of quiet ones.
        self.group_weights = _cumulative(1 / (rank + 1) ** 0.8 for rank in range(len(self.group_ids)))
        self.progress.finish()

    def memberships(self) -> None:
        self.progress.start("memberships")
        rng = self.rng
        chosen: dict[int, set[int]] = defaultdict(set)  # group index -> user indexes
        for index in range(len(self.user_ids)):
            for _ in range(rng.randint(1, 9)):
                chosen[_pick(rng, self.group_weights)].add(index)
        # The benchmark's two accounts are in the busiest group and a handful of others.
        for index in (0, 1):
            for group_index in range(min(6, len(self.group_ids))):
                chosen[group_index].add(index)
        self.members_of: dict[int, list[int]] = {}
        self.moderators_of: dict[int, list[int]] = {}
        rows = []
        for group_index, people in chosen.items():
            ordered = sorted(people)
            group_id = self.group_ids[group_index]
            # The facilitator owns the busiest group; elsewhere the first members lead. The
            # benchmark's member (index 1) leads nowhere, so that it sees what members see.
            others = [i for i in ordered if i > 1]
            leaders = [0, *others[:2]] if group_index == 0 else others[:3]
            active = []
            for index in ordered:
                status = Membership.Status.ACTIVE
                if index not in leaders and index > 1 and rng.random() < 0.03:
                    status = rng.choice([Membership.Status.PENDING, Membership.Status.LEFT, Membership.Status.BANNED])
                role = Membership.Role.MEMBER
                if index in leaders:
                    role = Membership.Role.OWNER if index == leaders[0] else Membership.Role.MODERATOR
                joined = self.now - timedelta(days=rng.randint(30, 700))
                rows.append(
                    Membership(
                        group_id=group_id,
                        user_id=self.user_ids[index],
                        role=role,
                        status=status,
                        rules_accepted_at=joined,
                        joined_at=joined if status != Membership.Status.PENDING else None,
                        requested_at=joined if status == Membership.Status.PENDING else None,
                    )
                )
                if status == Membership.Status.ACTIVE:
                    active.append(self.user_ids[index])
            self.members_of[group_id] = active
            self.moderators_of[group_id] = [self.user_ids[index] for index in leaders]
        self._insert(Membership, rows, len(rows))
        self.progress.finish()

    # --- conversation -----------------------------------------------------------------------------

    def posts_and_replies(self) -> None:
        rng = self.rng
        sizes = self.sizes
        busy = self.group_ids[0]
        post_statuses = [ContentStatus.PUBLISHED] * 985 + [ContentStatus.REMOVED] * 8 + [ContentStatus.DELETED] * 4
        post_statuses += [ContentStatus.HELD] * 3
        self.progress.start("posts")
        plans = []  # (group_id, created_at, reply count)
        mean = sizes.replies / max(sizes.posts, 1)
        for n in range(sizes.posts):
            group_id = busy if n == 0 else self.group_ids[_pick(rng, self.group_weights)]
            replies = LONG_THREAD_REPLIES if n == 0 else min(int(rng.expovariate(1 / mean)), 150)
            created = self.now - timedelta(minutes=rng.randint(60, 730 * 24 * 60))
            plans.append((group_id, created, replies))
        # Scale the drawn counts so that the total lands on the size asked for.
        drawn = sum(count for _, _, count in plans[1:]) or 1
        factor = (sizes.replies - plans[0][2]) / drawn
        plans = plans[:1] + [(g, c, int(count * factor + rng.random())) for g, c, count in plans[1:]]

        def post_rows():
            for n, (group_id, created, replies) in enumerate(plans):
                members = self.members_of.get(group_id) or self.user_ids[:1]
                status = ContentStatus.PUBLISHED if n == 0 else rng.choice(post_statuses)
                body = rng.choice(self.texts)
                yield Post(
                    group_id=group_id,
                    author_id=rng.choice(members),
                    title=LONG_THREAD_TITLE if n == 0 else rng.choice(self.titles),
                    body=body,
                    body_html=f"<p>{body}</p>",
                    content_warning="medication changes" if rng.random() < 0.03 else "",
                    is_anonymous=rng.random() < 0.08,
                    status=status,
                    hold_reason=HoldReason.NEW_MEMBER if status == ContentStatus.HELD else "",
                    is_pinned=n < len(self.group_ids) and rng.random() < 0.3,
                    created_at=created,
                    # Replies come within the hours after the post; the last one is the activity.
                    last_activity_at=created + timedelta(minutes=7 * replies),
                )

        with _given_timestamps(Post._meta.get_field("created_at")):
            posts = self._insert(Post, post_rows(), sizes.posts)
        self.progress.finish()
        self.posts = [(post.pk, post.group_id, post.status) for post in posts]
        self.held_posts = [(post.pk, post.group_id) for post in posts if post.status == ContentStatus.HELD]
        self.long_thread = posts[0].pk

        self.progress.start("replies")
        reply_statuses = [ContentStatus.PUBLISHED] * 978 + [ContentStatus.REMOVED] * 10
        reply_statuses += [ContentStatus.DELETED] * 10 + [ContentStatus.HELD] * 2
        self.reply_sample = []  # (reply id, group id): what reactions and reports point at
        self.held_replies = []
        total = sum(count for _, _, count in plans)

        def reply_rows():
            for (post_id, group_id, _status), (_g, created, count) in zip(self.posts, plans, strict=True):
                members = self.members_of.get(group_id) or self.user_ids[:1]
                for k in range(count):
                    body = rng.choice(self.texts)
                    status = ContentStatus.PUBLISHED if post_id == self.long_thread else rng.choice(reply_statuses)
                    yield Reply(
                        post_id=post_id,
                        author_id=rng.choice(members),
                        body=body,
                        body_html=f"<p>{body}</p>",
                        is_anonymous=rng.random() < 0.05,
                        status=status,
                        hold_reason=HoldReason.NEW_MEMBER if status == ContentStatus.HELD else "",
                        created_at=created + timedelta(minutes=7 * (k + 1)),
                    )

        with _given_timestamps(Reply._meta.get_field("created_at")):
            done = 0
            chunk = []
            for reply in reply_rows():
                chunk.append(reply)
                if len(chunk) >= self.batch:
                    done += self._replies_batch(chunk)
                    chunk = []
                    self.progress.update(done, total)
            done += self._replies_batch(chunk)
            self.progress.update(done, total)
        self.progress.finish()

    def _replies_batch(self, chunk) -> int:
        if not chunk:
            return 0
        group_of = self._group_of_post
        for reply in Reply.objects.bulk_create(chunk):
            if reply.status == ContentStatus.HELD:
                self.held_replies.append((reply.pk, group_of(reply.post_id)))
            elif reply.status == ContentStatus.PUBLISHED and self.rng.random() < 0.2:
                self.reply_sample.append((reply.pk, reply.post_id))
        return len(chunk)

    def _group_of_post(self, post_id: int) -> int:
        if not hasattr(self, "_post_groups"):
            self._post_groups = {pk: group_id for pk, group_id, _ in self.posts}
        return self._post_groups[post_id]

    def reactions(self) -> None:
        self.progress.start("reactions")
        rng = self.rng
        kinds = Reaction.Kind.values
        published_posts = [(pk, group_id) for pk, group_id, status in self.posts if status == ContentStatus.PUBLISHED]
        seen = set()
        rows = []
        while len(rows) < self.sizes.reactions and (published_posts or self.reply_sample):
            on_post = rng.random() < 0.3 or not self.reply_sample
            if on_post:
                target, group_id = rng.choice(published_posts)
            else:
                target, post_id = rng.choice(self.reply_sample)
                group_id = self._group_of_post(post_id)
            user = rng.choice(self.members_of.get(group_id) or self.user_ids[:1])
            kind = rng.choice(kinds)
            key = (on_post, target, user, kind)
            if key in seen:
                continue
            seen.add(key)
            when = self.now - timedelta(minutes=rng.randint(1, 700 * 24 * 60))
            rows.append(
                Reaction(
                    user_id=user,
                    kind=kind,
                    created_at=when,
                    **({"post_id": target} if on_post else {"reply_id": target}),
                )
            )
        with _given_timestamps(Reaction._meta.get_field("created_at")):
            self._insert(Reaction, rows, len(rows))
        self.progress.finish()

    def notifications(self) -> None:
        """Years of "new reply" notifications, most of them read: the header counts a
        member's unread ones on every page, so the table must be as big as a real one."""
        self.progress.start("notifications")
        rng = self.rng
        rows = []
        for _ in range(self.sizes.notifications if self.reply_sample else 0):
            reply_id, post_id = rng.choice(self.reply_sample)
            group_id = self._group_of_post(post_id)
            created = self.now - timedelta(minutes=rng.randint(1, 700 * 24 * 60))
            rows.append(
                Notification(
                    recipient_id=rng.choice(self.members_of.get(group_id) or self.user_ids[:1]),
                    kind=Notification.Kind.REPLY_IN_THREAD,
                    group_id=group_id,
                    post_id=post_id,
                    reply_id=reply_id,
                    created_at=created,
                    read_at=None if rng.random() < 0.1 else created + timedelta(hours=rng.randint(1, 72)),
                )
            )
        with _given_timestamps(Notification._meta.get_field("created_at")):
            self._insert(Notification, rows, len(rows))
        self.progress.finish()

    # --- meetings ---------------------------------------------------------------------------------

    def meetings(self) -> None:
        self.progress.start("meetings")
        rng = self.rng
        today = timezone.localdate()
        meetings = []
        for n in range(self.sizes.meetings):
            # The busiest groups meet most; every benchmark account's groups have some.
            group_id = (
                self.group_ids[n % min(6, len(self.group_ids))]
                if n < 30
                else self.group_ids[_pick(rng, self.group_weights)]
            )
            meetings.append(
                Meeting(
                    group_id=group_id,
                    title=f"Sample {rng.choice(['check-in', 'sharing circle', 'coping skills', 'carers evening'])} {n}",
                    description="A fictional meeting for load tests.",
                    kind=rng.choice(Meeting.Kind.values),
                    video_url="https://meet.example.org/sample-" + str(n),
                    place_name="Sample Community Hall",
                    time_zone=rng.choice(ZONES),
                    starts_on=today - timedelta(days=rng.randint(0, 60)),
                    start_time=rng.choice([datetime.min.time().replace(hour=h) for h in (10, 13, 18, 19, 20)]),
                    duration_minutes=rng.choice([60, 75, 90]),
                    rrule=rng.choice(
                        ["FREQ=WEEKLY;COUNT=20", "FREQ=WEEKLY;INTERVAL=2;COUNT=12", "FREQ=MONTHLY;BYDAY=+1TU;COUNT=8"]
                    ),
                    capacity=rng.choice([None, 12, 20, 30]),
                    created_by_id=(self.moderators_of.get(group_id) or self.user_ids[:1])[0],
                )
            )
        meetings = Meeting.objects.bulk_create(meetings, batch_size=self.batch)
        occurrences = []
        for meeting in meetings:
            for slot in schedule.expand(
                rule=meeting.rrule,
                starts_on=meeting.starts_on,
                start_time=meeting.start_time,
                zone=meeting.time_zone,
                duration_minutes=meeting.duration_minutes,
            ):
                occurrences.append(
                    Occurrence(
                        meeting_id=meeting.pk,
                        original_start=slot.start,
                        start=slot.start,
                        end=slot.end,
                        is_cancelled=rng.random() < 0.02,
                    )
                )
        occurrences = self._insert(Occurrence, occurrences, len(occurrences))
        group_of_meeting = {meeting.pk: meeting.group_id for meeting in meetings}
        capacity_of = {meeting.pk: meeting.capacity for meeting in meetings}
        benchmark_people = set(self.user_ids[:2])
        member_sets = {group_id: set(people) for group_id, people in self.members_of.items()}
        regulars_go_to = {meeting.pk for meeting in meetings[:6]}
        rsvps = []
        for occurrence in occurrences:
            if occurrence.is_cancelled:
                continue
            members = self.members_of.get(group_of_meeting[occurrence.meeting_id]) or []
            capacity = capacity_of[occurrence.meeting_id] or 40
            wanted = min(len(members), rng.randint(0, 8))
            going = set(rng.sample(members, wanted))
            if occurrence.meeting_id in regulars_go_to:
                # The benchmark accounts go to every date of a few series, as regulars do.
                going |= benchmark_people & member_sets.get(group_of_meeting[occurrence.meeting_id], set())
            for position, user_id in enumerate(sorted(going)):
                status = Rsvp.Status.CONFIRMED if position < capacity else Rsvp.Status.WAITLISTED
                rsvps.append(
                    Rsvp(
                        occurrence_id=occurrence.pk,
                        user_id=user_id,
                        status=status,
                        requested_at=occurrence.start - timedelta(days=rng.randint(1, 20)),
                    )
                )
        self._insert(Rsvp, rsvps, len(rsvps))
        CalendarFeed.objects.bulk_create(CalendarFeed(user_id=user_id) for user_id in self.user_ids[:2])
        self.progress.finish()

    def directory(self) -> None:
        self.progress.start("directory")
        import zipcodes

        rng = self.rng
        places = [row for row in zipcodes.list_all() if row["lat"] and row["long"]]
        self._insert(
            CareEntry,
            (
                CareEntry(
                    name=f"Sample care provider {n}",
                    kind=rng.choice(CareEntry.Kind.values),
                    treatments=set(rng.sample(Treatment.values, rng.randint(1, 4))),
                    city=(row := rng.choice(places))["city"],
                    region=row["state"],
                    postal_code=row["zip_code"],
                    latitude=float(row["lat"]) + rng.uniform(-0.05, 0.05),
                    longitude=float(row["long"]) + rng.uniform(-0.05, 0.05),
                    phone=f"555-01{n % 100:02d}",
                    telehealth=rng.random() < 0.4,
                    accepting_new_patients=rng.choice([True, False, None]),
                    source="Generated for load tests: a fictional listing",
                    last_verified=date.today() - timedelta(days=rng.randint(0, 400)),
                )
                for n in range(self.sizes.entries)
            ),
            self.sizes.entries,
        )
        self.progress.finish()

    # --- moderation -------------------------------------------------------------------------------

    def moderation(self) -> None:
        self.progress.start("moderation")
        rng = self.rng
        queue = [
            QueueItem(group_id=group_id, kind=QueueItem.Kind.HELD_POST, why="A new member's first post", post_id=pk)
            for pk, group_id in self.held_posts
        ]
        queue += [
            QueueItem(group_id=group_id, kind=QueueItem.Kind.HELD_REPLY, why="A new member's first reply", reply_id=pk)
            for pk, group_id in self.held_replies
        ]
        reports = []
        taken = set()
        published_posts = [(pk, group_id) for pk, group_id, status in self.posts if status == ContentStatus.PUBLISHED]
        while len(reports) < self.sizes.reports and published_posts:
            post_id, group_id = rng.choice(published_posts)
            reporter = rng.choice(self.members_of.get(group_id) or self.user_ids[:1])
            if (reporter, post_id) in taken:
                continue
            taken.add((reporter, post_id))
            is_open = rng.random() < 0.2
            report = Report(
                reporter_id=reporter,
                group_id=group_id,
                post_id=post_id,
                reason=rng.choice(Report.Reason.values),
                note="A fictional report for load tests.",
                status=Report.Status.OPEN if is_open else rng.choice([Report.Status.ACTIONED, Report.Status.DISMISSED]),
            )
            reports.append(report)
        reports = Report.objects.bulk_create(reports, batch_size=self.batch)
        queue += [
            QueueItem(
                group_id=report.group_id,
                kind=QueueItem.Kind.REPORT,
                is_risk=report.reason == Report.Reason.AT_RISK,
                why=report.get_reason_display(),
                post_id=report.post_id,
                report_id=report.pk,
            )
            for report in reports
            if report.status == Report.Status.OPEN
        ]
        self._insert(QueueItem, queue, len(queue))
        actions = [
            ModerationLog.Action.APPROVED,
            ModerationLog.Action.REMOVED,
            ModerationLog.Action.LOCKED,
            ModerationLog.Action.PINNED,
            ModerationLog.Action.REPORT_DISMISSED,
            ModerationLog.Action.JOIN_APPROVED,
            ModerationLog.Action.HELD,
        ]
        with _given_timestamps(ModerationLog._meta.get_field("created_at")):
            rows = []
            for _ in range(self.sizes.log_entries):
                post_id, group_id = rng.choice(published_posts)
                action = rng.choice(actions)
                rows.append(
                    ModerationLog(
                        actor_id=None
                        if action == ModerationLog.Action.HELD
                        else rng.choice(self.moderators_of[group_id]),
                        action=action,
                        group_id=group_id,
                        post_id=post_id,
                        note="Fictional history for load tests.",
                        created_at=self.now - timedelta(minutes=rng.randint(1, 700 * 24 * 60)),
                    )
                )
            self._insert(ModerationLog, rows, len(rows))
        self.progress.finish()

    def counters(self) -> None:
        """Every denormalised count, computed from the rows themselves."""
        self.progress.start("counters")
        if connection.vendor == "postgresql":
            # The tables were empty when last analysed: without fresh statistics the planner
            # counts each post's replies with a sequential scan (80 s at medium, not 2 s).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE groups_membership, groups_reply, groups_rsvp, groups_post, groups_occurrence")
        active = Membership.objects.filter(group=OuterRef("pk"), status=Membership.Status.ACTIVE)
        Group.objects.filter(pk__in=self.group_ids).update(
            member_count=Coalesce(Subquery(active.values("group").annotate(n=Count("pk")).values("n")), 0)
        )
        self.progress.update(1, 3)
        published = Reply.objects.filter(post=OuterRef("pk"), status=ContentStatus.PUBLISHED)
        Post.objects.filter(Q(group_id__in=self.group_ids)).update(
            reply_count=Coalesce(Subquery(published.values("post").annotate(n=Count("pk")).values("n")), 0)
        )
        self.progress.update(2, 3)
        going = Rsvp.objects.filter(occurrence=OuterRef("pk"), status=Rsvp.Status.CONFIRMED)
        Occurrence.objects.filter(meeting__group_id__in=self.group_ids).update(
            confirmed_count=Coalesce(Subquery(going.values("occurrence").annotate(n=Count("pk")).values("n")), 0)
        )
        self.progress.update(3, 3)
        self.progress.finish()
