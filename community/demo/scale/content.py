"""The conversation: posts and their replies (one thread of exactly LONG_THREAD_REPLIES),
the reactions to them, and the "new reply" notifications they sent."""

from datetime import timedelta

from community.demo.scale.build import Builder, given_timestamps, pick
from community.models import Notification
from groups.models import ContentStatus, HoldReason, Post, Reaction, Reply

# The busiest group's thread with exactly this many published replies ("a post with 200 replies").
LONG_THREAD_REPLIES = 200
LONG_THREAD_TITLE = "Sample long thread: what helped this week"


def seed_posts_and_replies(build: Builder) -> None:
    rng = build.rng
    sizes = build.sizes
    busy = build.group_ids[0]
    post_statuses = [ContentStatus.PUBLISHED] * 985 + [ContentStatus.REMOVED] * 8 + [ContentStatus.DELETED] * 4
    post_statuses += [ContentStatus.HELD] * 3
    build.progress.start("posts")
    plans = []  # (group_id, created_at, reply count)
    mean = sizes.replies / max(sizes.posts, 1)
    for n in range(sizes.posts):
        group_id = busy if n == 0 else build.group_ids[pick(rng, build.group_weights)]
        replies = LONG_THREAD_REPLIES if n == 0 else min(int(rng.expovariate(1 / mean)), 150)
        created = build.now - timedelta(minutes=rng.randint(60, 730 * 24 * 60))
        plans.append((group_id, created, replies))
    # Scale the drawn counts so that the total lands on the size asked for.
    drawn = sum(count for _, _, count in plans[1:]) or 1
    factor = (sizes.replies - plans[0][2]) / drawn
    plans = plans[:1] + [(g, c, int(count * factor + rng.random())) for g, c, count in plans[1:]]

    def post_rows():
        for n, (group_id, created, replies) in enumerate(plans):
            members = build.members_of.get(group_id) or build.user_ids[:1]
            status = ContentStatus.PUBLISHED if n == 0 else rng.choice(post_statuses)
            body = rng.choice(build.texts)
            yield Post(
                group_id=group_id,
                author_id=rng.choice(members),
                title=LONG_THREAD_TITLE if n == 0 else rng.choice(build.titles),
                body=body,
                body_html=f"<p>{body}</p>",
                content_warning="medication changes" if rng.random() < 0.03 else "",
                is_anonymous=rng.random() < 0.08,
                status=status,
                hold_reason=HoldReason.NEW_MEMBER if status == ContentStatus.HELD else "",
                is_pinned=n < len(build.group_ids) and rng.random() < 0.3,
                created_at=created,
                # Replies come within the hours after the post; the last one is the activity.
                last_activity_at=created + timedelta(minutes=7 * replies),
            )

    with given_timestamps(Post._meta.get_field("created_at")):
        posts = build.insert(Post, post_rows(), sizes.posts)
    build.progress.finish()
    build.posts = [(post.pk, post.group_id, post.status) for post in posts]
    build.held_posts = [(post.pk, post.group_id) for post in posts if post.status == ContentStatus.HELD]
    long_thread = posts[0].pk

    build.progress.start("replies")
    reply_statuses = [ContentStatus.PUBLISHED] * 978 + [ContentStatus.REMOVED] * 10
    reply_statuses += [ContentStatus.DELETED] * 10 + [ContentStatus.HELD] * 2
    total = sum(count for _, _, count in plans)

    def reply_rows():
        for (post_id, group_id, _status), (_g, created, count) in zip(build.posts, plans, strict=True):
            members = build.members_of.get(group_id) or build.user_ids[:1]
            for k in range(count):
                body = rng.choice(build.texts)
                status = ContentStatus.PUBLISHED if post_id == long_thread else rng.choice(reply_statuses)
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

    with given_timestamps(Reply._meta.get_field("created_at")):
        done = 0
        chunk = []
        for reply in reply_rows():
            chunk.append(reply)
            if len(chunk) >= build.batch:
                done += _replies_batch(build, chunk)
                chunk = []
                build.progress.update(done, total)
        done += _replies_batch(build, chunk)
        build.progress.update(done, total)
    build.progress.finish()


def _replies_batch(build: Builder, chunk) -> int:
    """Insert one batch of replies, noting the held ones (for the queue) and a sample of the
    published ones (for reactions and notifications) as their ids come back."""
    if not chunk:
        return 0
    for reply in Reply.objects.bulk_create(chunk):
        if reply.status == ContentStatus.HELD:
            build.held_replies.append((reply.pk, build.group_of_post(reply.post_id)))
        elif reply.status == ContentStatus.PUBLISHED and build.rng.random() < 0.2:
            build.reply_sample.append((reply.pk, reply.post_id))
    return len(chunk)


def seed_reactions(build: Builder) -> None:
    build.progress.start("reactions")
    rng = build.rng
    kinds = Reaction.Kind.values
    published_posts = [(pk, group_id) for pk, group_id, status in build.posts if status == ContentStatus.PUBLISHED]
    seen = set()
    rows = []
    while len(rows) < build.sizes.reactions and (published_posts or build.reply_sample):
        on_post = rng.random() < 0.3 or not build.reply_sample
        if on_post:
            target, group_id = rng.choice(published_posts)
        else:
            target, post_id = rng.choice(build.reply_sample)
            group_id = build.group_of_post(post_id)
        user = rng.choice(build.members_of.get(group_id) or build.user_ids[:1])
        kind = rng.choice(kinds)
        key = (on_post, target, user, kind)
        if key in seen:
            continue
        seen.add(key)
        when = build.now - timedelta(minutes=rng.randint(1, 700 * 24 * 60))
        rows.append(
            Reaction(
                user_id=user,
                kind=kind,
                created_at=when,
                **({"post_id": target} if on_post else {"reply_id": target}),
            )
        )
    with given_timestamps(Reaction._meta.get_field("created_at")):
        build.insert(Reaction, rows, len(rows))
    build.progress.finish()


def seed_notifications(build: Builder) -> None:
    """Years of "new reply" notifications, most of them read: the header counts a
    member's unread ones on every page, so the table must be as big as a real one."""
    build.progress.start("notifications")
    rng = build.rng
    rows = []
    for _ in range(build.sizes.notifications if build.reply_sample else 0):
        reply_id, post_id = rng.choice(build.reply_sample)
        group_id = build.group_of_post(post_id)
        created = build.now - timedelta(minutes=rng.randint(1, 700 * 24 * 60))
        rows.append(
            Notification(
                recipient_id=rng.choice(build.members_of.get(group_id) or build.user_ids[:1]),
                kind=Notification.Kind.REPLY_IN_THREAD,
                group_id=group_id,
                post_id=post_id,
                reply_id=reply_id,
                created_at=created,
                read_at=None if rng.random() < 0.1 else created + timedelta(hours=rng.randint(1, 72)),
            )
        )
    with given_timestamps(Notification._meta.get_field("created_at")):
        build.insert(Notification, rows, len(rows))
    build.progress.finish()
