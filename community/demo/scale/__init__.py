"""A large, clearly fictional community for load tests: `manage.py seed_demo --scale large`.

The small demo (community/demo/members.py, groups/demo.py) is for people trying the site; this
is for measuring it. Everything is written with bulk inserts from pools of generated
text, and every denormalised counter (Group.member_count, Post.reply_count,
Occurrence.confirmed_count) is computed from the rows afterwards, so that it is right by
construction rather than by bookkeeping.

Every account is ``scale-…@example.org`` (a domain reserved for examples), every name
says "Sample" or is a plain numbered pseudonym, and every directory entry is marked as
generated. Running it on a database that already holds scale data changes nothing.

One module per thing built: people, groups (and memberships), content (posts, replies,
reactions, notifications), meetings, care (the directory), moderation, counters; build
holds what they share.
"""

import random

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from community.demo.scale import care, content, counters, groups, meetings, moderation, people
from community.demo.scale.build import SIZES, Builder, Progress, Sizes
from community.demo.scale.content import LONG_THREAD_REPLIES, LONG_THREAD_TITLE
from community.demo.scale.groups import BUSY_GROUP_SLUG
from community.demo.scale.people import FACILITATOR_EMAIL, MEMBER_EMAIL, SCALE_PASSWORD

__all__ = [
    "BUSY_GROUP_SLUG",
    "FACILITATOR_EMAIL",
    "LONG_THREAD_REPLIES",
    "LONG_THREAD_TITLE",
    "MEMBER_EMAIL",
    "SCALE_PASSWORD",
    "SIZES",
    "Progress",
    "Sizes",
    "already_seeded",
    "seed_scale",
]


def already_seeded() -> bool:
    return get_user_model().objects.filter(email=FACILITATOR_EMAIL).exists()


def seed_scale(sizes: Sizes, *, seed: int = 20261126, progress: Progress | None = None) -> Progress:
    """Build the community described by ``sizes``; call on a database without scale data."""
    progress = progress or Progress()
    build = Builder(sizes, random.Random(seed), progress)  # noqa: S311 - made-up data, not secrets
    with transaction.atomic():
        # Each stage reads what the earlier ones made, and all draw from one random
        # stream: this order is what makes the same seed give the same data.
        people.seed_members(build)
        groups.seed_groups(build)
        groups.seed_memberships(build)
        content.seed_posts_and_replies(build)
        content.seed_reactions(build)
        content.seed_notifications(build)
        meetings.seed_meetings(build)
        care.seed_directory(build)
        moderation.seed_moderation(build)
        counters.recount(build)
    if connection.vendor == "postgresql":
        progress.start("analyze")
        with connection.cursor() as cursor:
            # Fresh statistics, so that the planner sees the new row counts at once.
            cursor.execute("ANALYZE")
        progress.update(1, 1)
        progress.finish()
    return progress
