"""The moderators' side: held posts and replies and open reports waiting in the queue, and
a history of moderation log entries."""

from datetime import timedelta

from community.demo.scale.build import Builder, given_timestamps
from groups.models import ContentStatus, ModerationLog, QueueItem, Report


def seed_moderation(build: Builder) -> None:
    build.progress.start("moderation")
    rng = build.rng
    queue = [
        QueueItem(group_id=group_id, kind=QueueItem.Kind.HELD_POST, why="A new member's first post", post_id=pk)
        for pk, group_id in build.held_posts
    ]
    queue += [
        QueueItem(group_id=group_id, kind=QueueItem.Kind.HELD_REPLY, why="A new member's first reply", reply_id=pk)
        for pk, group_id in build.held_replies
    ]
    reports = []
    taken = set()
    published_posts = [(pk, group_id) for pk, group_id, status in build.posts if status == ContentStatus.PUBLISHED]
    while len(reports) < build.sizes.reports and published_posts:
        post_id, group_id = rng.choice(published_posts)
        reporter = rng.choice(build.members_of.get(group_id) or build.user_ids[:1])
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
    reports = Report.objects.bulk_create(reports, batch_size=build.batch)
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
    build.insert(QueueItem, queue, len(queue))
    actions = [
        ModerationLog.Action.APPROVED,
        ModerationLog.Action.REMOVED,
        ModerationLog.Action.LOCKED,
        ModerationLog.Action.PINNED,
        ModerationLog.Action.REPORT_DISMISSED,
        ModerationLog.Action.JOIN_APPROVED,
        ModerationLog.Action.HELD,
    ]
    with given_timestamps(ModerationLog._meta.get_field("created_at")):
        rows = []
        for _ in range(build.sizes.log_entries):
            post_id, group_id = rng.choice(published_posts)
            action = rng.choice(actions)
            rows.append(
                ModerationLog(
                    actor_id=None if action == ModerationLog.Action.HELD else rng.choice(build.moderators_of[group_id]),
                    action=action,
                    group_id=group_id,
                    post_id=post_id,
                    note="Fictional history for load tests.",
                    created_at=build.now - timedelta(minutes=rng.randint(1, 700 * 24 * 60)),
                )
            )
        build.insert(ModerationLog, rows, len(rows))
    build.progress.finish()
