"""What enters moderation: new posts and replies the rules hold or flag, crisis words in
a message that was refused, and members' reports.

A post or reply is logged and queued here as it is written (``enter_new_content``, called
by the posting actions); a report opens or joins the one queue item about its target, and
enough reports hide published content until a moderator decides.
"""

from collections import Counter

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from community.core.errors import ActionRefused
from community.models import Notification
from community.notifications.actions import alert_moderators_of_risk
from groups.access import can_read, membership_of
from groups.models import ContentStatus, Group, HoldReason, Membership, ModerationLog, Post, QueueItem, Reply, Report
from groups.moderation.log import Action, log, tell
from groups.posts.content import target_of
from groups.posts.counts import content_status_changed


def enter_new_content(*, item: Post | Reply, group: Group, hold_reason: str, screening) -> None:
    """Log and queue what the rules decided about a post or reply just written."""
    is_post = isinstance(item, Post)
    target = target_of(item)
    author = item.author
    if hold_reason:
        log(action=Action.HELD, group=group, target_user=author, note=HoldReason(hold_reason).label, **target)
    if screening.is_risk:
        log(action=Action.FLAGGED_RISK, group=group, target_user=author, note="Crisis language", **target)
    if screening.flag_words or screening.hold_words:
        log(action=Action.FLAGGED_WORD, group=group, target_user=author, note=screening.why, **target)
    if hold_reason:
        kind = QueueItem.Kind.HELD_POST if is_post else QueueItem.Kind.HELD_REPLY
    elif screening.is_risk or screening.flag_words:
        kind = QueueItem.Kind.FLAGGED_POST if is_post else QueueItem.Kind.FLAGGED_REPLY
    else:
        return
    why = "; ".join(part for part in [HoldReason(hold_reason).label if hold_reason else "", screening.why] if part)
    # A moderator's own words go to the other moderators, not back to them.
    QueueItem.objects.create(group=group, kind=kind, is_risk=screening.is_risk, why=why, not_for=author, **target)
    if hold_reason:
        entry = ModerationLog.objects.filter(action=Action.HELD, **target).latest("id")
        tell(author, entry, kind=Notification.Kind.HELD)
    if screening.is_risk:
        alert_moderators_of_risk(group=group, queue_url=reverse("moderation:queue"), what="own_words", exclude=author)


KEPT_TEXT_MAX = 20_000


@transaction.atomic
def record_refused_risk(*, author, group: Group, texts: list[str], refusal: str, post: Post | None = None) -> QueueItem:
    """Crisis words in something that was refused (a limit, a mute, a lock, a watched word,
    a form error): nothing is published, but the words reach a human. The text is kept on
    the queue item for the group's moderators, at the top of the queue, and they are alerted.

    The author's authority is not checked on purpose: whoever they are, a person who may be
    at risk is never turned away unheard. Call it only for a group the author belongs or
    belonged to (the views make sure of that)."""
    text = "\n\n".join(part.strip() for part in texts if part and part.strip())
    # One open item per member and group: a second refused message (a retry, a double
    # click) adds its words to it instead of another item and another alert.
    Membership.objects.select_for_update().filter(group=group, user=author).first()
    item = (
        QueueItem.objects.select_for_update()
        .filter(kind=QueueItem.Kind.REFUSED_RISK, member=author, group=group, status=QueueItem.Status.OPEN)
        .first()
    )
    if item is not None:
        if text not in item.kept_text:
            item.kept_text = f"{item.kept_text}\n\n---\n\n{text}"[:KEPT_TEXT_MAX]
            item.save(update_fields=["kept_text"])
        return item
    item = QueueItem.objects.create(
        group=group,
        kind=QueueItem.Kind.REFUSED_RISK,
        is_risk=True,
        why=f"Not published: {refusal}"[:200],
        kept_text=text[:KEPT_TEXT_MAX],
        member=author,
        post=post,
        not_for=author,
    )
    log(
        action=Action.FLAGGED_RISK,
        group=group,
        target_user=author,
        post=post,
        note="Crisis language in a message that was not published",
    )
    alert_moderators_of_risk(group=group, queue_url=reverse("moderation:queue"), what="refused", exclude=author)
    return item


def create_report(
    *,
    reporter,
    group: Group,
    reason: str,
    note: str = "",
    post: Post | None = None,
    reply: Reply | None = None,
    member=None,
) -> Report:
    """A member reports a post, a reply or a member of a group they share. The reported
    person is never told who reported."""
    if reason not in Report.Reason.values:
        raise ActionRefused("Choose a reason from the list.")
    if not can_read(reporter, group):
        raise ActionRefused("You can only report what you can see.")
    content = post or reply
    author = content.author if content else member
    if author is not None and author.pk == reporter.pk:
        raise ActionRefused("You cannot report your own post or yourself.")
    if member is not None:
        membership = membership_of(member, group)
        if membership is None or not membership.is_active:
            raise ActionRefused("You can only report members of a group you share.")
    with transaction.atomic():
        # One report at a time per reported item, so that the count that hides it, the
        # single queue item and the "under review" notice are exact however many arrive.
        if content is not None:
            content = type(content).objects.select_for_update().get(pk=content.pk)
        else:
            Membership.objects.select_for_update().filter(group=group, user=member).first()
        target = {"post": post, "reply": reply} if content is not None else {"post": None, "reply": None}
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    reporter=reporter, group=group, reported_user=author, reason=reason, note=note.strip(), **target
                )
        except IntegrityError:
            raise ActionRefused("You have already reported this. A moderator will look at it.") from None
        is_risk = reason == Report.Reason.AT_RISK
        item = _open_report_item(report)
        raised_to_risk = is_risk and not (item and item.is_risk)
        if item is None:
            item = QueueItem.objects.create(
                group=group, kind=QueueItem.Kind.REPORT, report=report, is_risk=is_risk, **target
            )
        elif is_risk:
            item.is_risk = True
        item.why = _reports_summary(report) + (
            " · hidden until you decide" if content and _held_by_reports(content) else ""
        )
        item.save(update_fields=["is_risk", "why"])
        if content is not None:
            _hide_if_reported_enough(content, group, item)
        if raised_to_risk:
            alert_moderators_of_risk(group=group, queue_url=reverse("moderation:queue"), what="report")
    return report


def _held_by_reports(content: Post | Reply) -> bool:
    return content.status == ContentStatus.HELD and content.hold_reason == HoldReason.REPORTS


def open_reports_like(report: Report):
    """The open reports about the same post, reply or member as ``report``."""
    if report.post_id:
        return Report.objects.filter(status=Report.Status.OPEN, post_id=report.post_id)
    if report.reply_id:
        return Report.objects.filter(status=Report.Status.OPEN, reply_id=report.reply_id)
    return Report.objects.filter(
        status=Report.Status.OPEN,
        group_id=report.group_id,
        reported_user_id=report.reported_user_id,
        post__isnull=True,
        reply__isnull=True,
    )


def _open_report_item(report: Report) -> QueueItem | None:
    """The open queue item that reports about the same thing share (one per thing)."""
    return (
        QueueItem.objects.select_for_update()
        .filter(status=QueueItem.Status.OPEN, kind=QueueItem.Kind.REPORT, report__in=open_reports_like(report))
        .first()
    )


def _reports_summary(report: Report) -> str:
    """ "Reported by 3 members: Spam (2), Something else (1)": how many and why, never who."""
    reasons = Counter(open_reports_like(report).values_list("reason", flat=True))
    total = sum(reasons.values())
    parts = ", ".join(f"{Report.Reason(reason).label} ({count})" for reason, count in reasons.most_common())
    return f"Reported by {total} member{'s' if total != 1 else ''}: {parts}"[:200]


def _hide_if_reported_enough(content: Post | Reply, group: Group, item: QueueItem) -> None:
    """Hide published content that enough members reported, until a moderator decides
    on the report's queue item. Call with the content's row locked."""
    target = target_of(content)
    reporters = Report.objects.filter(status=Report.Status.OPEN, **target).values("reporter").distinct().count()
    if reporters < settings.REPORTS_TO_HIDE or content.status != ContentStatus.PUBLISHED:
        return
    type(content).objects.filter(pk=content.pk).update(status=ContentStatus.HELD, hold_reason=HoldReason.REPORTS)
    content_status_changed(content, before=ContentStatus.PUBLISHED, after=ContentStatus.HELD)
    entry = log(
        action=Action.HIDDEN_BY_REPORTS,
        group=group,
        target_user=content.author,
        note=f"{reporters} members reported it",
        **target,
    )
    tell(content.author, entry, kind=Notification.Kind.UNDER_REVIEW)
    item.why = f"{item.why[:160]} · hidden until you decide"
    item.save(update_fields=["why"])
