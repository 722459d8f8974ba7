"""Creating notifications and the emails that go with them.

Emails carry no post text unless the member opted in to excerpts, and never the name
of whoever wrote the post (it may be anonymous): only "New reply in <group>" and a link.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from community.core.urls import row_url, url
from community.mail.member import email_member, site_url
from community.mail.outbox import URGENT, queue_email
from community.models import Notification
from groups.access import can_see_notification, group_moderators, visible_notifications_q
from groups.models import Reply
from groups.posts.content import content_of

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
EXCERPT_CHARS = 200


def unsubscribe_token(user) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(user.pk))


def user_from_unsubscribe_token(token: str):
    try:
        user_id = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


def unsubscribe_url(user) -> str:
    return site_url(reverse("community:unsubscribe", kwargs={"token": unsubscribe_token(user)}))


def notify(
    *, recipients, kind: str, group, post=None, reply=None, decision=None, occurrence=None, check_in=None
) -> list[Notification]:
    """Record one notification per recipient and email those who want each one.

    Call inside the action's transaction; emails are queued for after the commit.
    """
    # Nobody whose account is closed or suspended is notified (nor emailed) of anything.
    recipients = [
        user
        for user in {user.pk: user for user in recipients}.values()
        if user.is_active and not user.suspension_in_force()
    ]
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                kind=kind,
                group=group,
                post=post,
                reply=reply,
                decision=decision,
                occurrence=occurrence,
                check_in=check_in,
            )
            for user in recipients
        ]
    )
    now = timezone.now()
    immediate = [n for n in notifications if n.recipient.email_frequency == get_user_model().EmailFrequency.EACH]
    for notification in immediate:
        email_notification(notification)
    if immediate:
        Notification.objects.filter(pk__in=[n.pk for n in immediate]).update(emailed_at=now)
    return notifications


# What a notification says, by its kind; ``{item}`` is "post" or "reply".
SUBJECTS = {
    Notification.Kind.REPLY_TO_POST: "New reply in {group}",
    Notification.Kind.REPLY_IN_THREAD: "New reply in {group}",
    Notification.Kind.MENTION: "You were mentioned in {group}",
    Notification.Kind.NEW_POST: "New post in {group}",
    Notification.Kind.JOIN_APPROVED: "Welcome to {group}",
    Notification.Kind.JOIN_DECLINED: "About your request to join {group}",
    Notification.Kind.HELD: "Your {item} in {group} is waiting for review",
    Notification.Kind.APPROVED: "Your {item} in {group} was approved and others can see it now",
    Notification.Kind.UNDER_REVIEW: "Your {item} in {group} is being reviewed",
    Notification.Kind.MODERATION: "A moderator's decision in {group}",
    Notification.Kind.APPEAL_DECIDED: "Your appeal in {group} was decided",
    Notification.Kind.MEETING_CHANGED: "A meeting in {group} was cancelled or moved",
    Notification.Kind.WAITLIST_PROMOTED: "A seat opened up for you at a meeting in {group}",
    # Only that there is a message: its words are read on the site, after logging in.
    Notification.Kind.CHECK_IN: "You have a message from the moderators of {group}",
    Notification.Kind.CHECK_IN_ANSWER: "A member answered a check-in in {group}",
}


def notification_subject(notification: Notification) -> str:
    return subject_for(notification.kind, notification.group.name, about_reply=bool(notification.reply_id))


def subject_for(kind: str, group_name: str, *, about_reply: bool) -> str:
    return SUBJECTS[kind].format(group=group_name, item="reply" if about_reply else "post")


def notification_url(notification: Notification) -> str:
    return url_for(
        group_slug=notification.group.slug,
        check_in_id=notification.check_in_id,
        decision_id=notification.decision_id,
        occurrence_id=notification.occurrence_id,
        meeting_id=notification.occurrence.meeting_id if notification.occurrence_id else None,
        reply_id=notification.reply_id,
        reply_post_id=notification.reply.post_id if notification.reply_id else None,
        post_id=notification.post_id,
    )


def url_for(
    *, group_slug, check_in_id, decision_id, occurrence_id, meeting_id, reply_id, reply_post_id, post_id
) -> str:
    """Where a notification leads, from its ids and its group's slug (its group is always
    the group of what it names): a list of notifications joins nothing but the group, the
    post for its title, and the reply and date for their post's and meeting's ids."""
    if check_in_id:
        return row_url("groups:check-in-detail", group_slug, check_in_id)
    if decision_id:
        return url("moderation:my-decisions") + f"#decision-{decision_id}"
    if occurrence_id:
        return row_url("groups:occurrence-detail", group_slug, meeting_id, occurrence_id)
    if reply_id:
        return row_url("groups:post-detail", group_slug, reply_post_id) + Reply.place_in_thread(reply_id)
    if post_id:
        return row_url("groups:post-detail", group_slug, post_id)
    return url("groups:group-detail", group_slug)


def excerpt_for(notification: Notification) -> str:
    if notification.decision_id or notification.check_in_id:
        return ""
    item = content_of(notification)
    if item is None or not notification.recipient.email_excerpts or item.content_warning:
        return ""
    text = " ".join(item.body.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def email_notification(notification: Notification) -> None:
    user = notification.recipient
    subject = notification_subject(notification)
    email_member(
        user=user,
        subject=subject,
        template="community/emails/notification.txt",
        context={
            "subject": subject,
            "url": site_url(notification_url(notification)),
            "excerpt": excerpt_for(notification),
        },
        unsubscribe_url=unsubscribe_url(user),
        notification_id=notification.pk,
    )


def email_still_deliverable(row) -> bool:
    """The outbox asks this just before a notification's email goes (registered in
    community/apps.py): the member may still see what it announces (not removed, hidden
    or deleted since, still in the group, not suspended). Emails of no notification pass."""
    if row.notification_id is None:
        return True
    notification = Notification.objects.select_related("recipient").filter(pk=row.notification_id).first()
    return notification is not None and can_see_notification(notification.recipient, notification)


def send_digest(user) -> int:
    """Email one digest of the user's notifications not emailed yet; returns how many.
    Only what the member may still see goes in it, and nothing to a suspended account."""
    if not user.is_active or user.suspension_in_force():
        return 0
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update(of=("self",))
            .filter(visible_notifications_q(user), recipient=user, emailed_at__isnull=True, read_at__isnull=True)
            .select_related(
                "group",
                "post",
                "reply",
                "reply__post",
                "post__group",
                "reply__post__group",
                "occurrence__meeting__group",
            )
            .order_by("created_at")[:50]
        )
        if not pending:
            return 0
        email_member(
            user=user,
            subject=f"Your daily summary: {len(pending)} new",
            template="community/emails/digest.txt",
            context={
                "items": [{"subject": notification_subject(n), "url": site_url(notification_url(n))} for n in pending]
            },
            unsubscribe_url=unsubscribe_url(user),
        )
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=timezone.now())
    return len(pending)


RISK_ALERT_WHAT = {
    "own_words": (
        "A member wrote words that suggest they may be at risk. What they wrote is at the top of your "
        'moderation queue, marked "possible risk". They were shown the crisis resources at once.'
    ),
    "refused": (
        "A member wrote words that suggest they may be at risk, in a message the site did not publish (a limit, "
        "a mute, a lock or a form error stopped it). Their words are kept for you at the top of your queue, marked "
        '"possible risk". They were shown the crisis resources at once.'
    ),
    "report": (
        "A member reported that someone may be at risk. The report is at the top of your moderation queue, "
        'marked "possible risk". The person it is about has not been shown anything: nobody has pointed them to '
        "the crisis resources yet."
    ),
    "check_in": (
        "A member answering a check-in from the group's moderators wrote words that suggest they may be at "
        "risk. Read the conversation and answer them there. They were shown the crisis resources at once."
    ),
    "escalated": (
        'A moderator passed a "possible risk" item to site staff. It is at the top of your moderation queue. '
        "Please look at it soon."
    ),
}


def alert_moderators_of_risk(*, group, queue_url: str, what: str, exclude=None) -> None:
    """Email the group's moderators (and, where it has none, staff) that something may
    need them now. It carries no post text and no author: only what happened and where
    to look. ``exclude`` (the member concerned) is never alerted about themselves; a
    moderator who wrote crisis words is someone the other moderators should hear about."""
    exclude_id = getattr(exclude, "pk", None)
    moderators = [
        m.user
        for m in group_moderators(group)
        .filter(user__is_active=True)
        .exclude(user_id=exclude_id)
        .exclude(get_user_model().suspended_q("user__"))
        .select_related("user")
    ]
    if what == "escalated" or not moderators:
        moderators = list(get_user_model().objects.filter(is_staff=True, is_active=True).exclude(pk=exclude_id))
    body = render_to_string(
        "community/emails/risk_alert.txt",
        {
            "group": group,
            "what": RISK_ALERT_WHAT[what],
            "queue_url": site_url(queue_url),
            "crisis_url": site_url(reverse("community:crisis")),
        },
    )
    for moderator in moderators:
        queue_email(
            to=[moderator.email],
            recipient=moderator,
            subject=f"[{settings.SITE_NAME}] Possible risk in {group.name}",
            body=body,
            priority=URGENT,
        )
