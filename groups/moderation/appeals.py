"""Appeals: a member appeals a decision about them; another moderator keeps or reverses it.

Reversing undoes what the decision did: removed content is shown again, a mute ends,
a removed or banned member is a member again.
"""

from django.db import transaction
from django.utils import timezone

from community.core.errors import ActionRefused
from community.models import Notification
from groups.access import group_moderators
from groups.membership.counts import membership_status_changed
from groups.models import Appeal, ContentStatus, Membership, ModerationLog, QueueItem
from groups.moderation.items import close_item, lock_open_item
from groups.moderation.log import Action, log, tell
from groups.moderation.models import APPEALABLE_ACTIONS
from groups.posts.actions import announce_published
from groups.posts.counts import content_status_changed


@transaction.atomic
def appeal_decision(*, user, decision: ModerationLog, text: str) -> Appeal:
    decision = ModerationLog.objects.select_for_update(of=("self",)).select_related("group").get(pk=decision.pk)
    if decision.target_user_id != user.pk or decision.action not in APPEALABLE_ACTIONS:
        raise ActionRefused("This decision cannot be appealed.")
    if Appeal.objects.filter(decision=decision).exists():
        raise ActionRefused("You have already appealed this decision. A moderator will reply.")
    if not text.strip():
        raise ActionRefused("Please say why you think the decision should change.")
    appeal = Appeal.objects.create(decision=decision, appellant=user, text=text.strip())
    # Another moderator, where the group has one, looks at it.
    others = group_moderators(decision.group).exclude(user_id=decision.actor_id)
    QueueItem.objects.create(
        group=decision.group,
        kind=QueueItem.Kind.APPEAL,
        appeal=appeal,
        post=decision.post,
        reply=decision.reply,
        why=f"Appeal of: {decision.get_action_display()}",
        not_for_id=decision.actor_id if others.exists() else None,
    )
    log(
        action=Action.APPEALED,
        actor=user,
        group=decision.group,
        target_user=user,
        post=decision.post,
        reply=decision.reply,
        note=text,
    )
    return appeal


@transaction.atomic
def decide_appeal(*, moderator, item: QueueItem, grant: bool, response: str = "") -> Appeal:
    item = lock_open_item(item.pk, moderator)
    if item.kind != QueueItem.Kind.APPEAL:
        raise ActionRefused("This is not an appeal.")
    appeal = Appeal.objects.select_for_update(of=("self",)).select_related("decision").get(pk=item.appeal_id)
    decision = appeal.decision
    if grant:
        _reverse(decision, moderator)
    appeal.status = Appeal.Status.GRANTED if grant else Appeal.Status.UPHELD
    appeal.response = response.strip()
    appeal.decided_at = timezone.now()
    appeal.save(update_fields=["status", "response", "decided_at"])
    entry = log(
        action=Action.APPEAL_GRANTED if grant else Action.APPEAL_UPHELD,
        actor=moderator,
        group=decision.group,
        target_user=appeal.appellant,
        post=decision.post,
        reply=decision.reply,
        note=response,
    )
    tell(appeal.appellant, entry, kind=Notification.Kind.APPEAL_DECIDED)
    close_item(item, moderator)
    return appeal


def _reverse(decision: ModerationLog, moderator) -> None:
    content = decision.post if decision.reply_id is None else decision.reply
    if decision.action in (Action.REMOVED, Action.REJECTED) and content is not None:
        content = type(content).objects.select_for_update().get(pk=content.pk)
        if content.status == ContentStatus.REMOVED:
            content.status = ContentStatus.PUBLISHED
            content.save(update_fields=["status"])
            if decision.action == Action.REJECTED:
                # Never shown before: counted and announced as on a first publication.
                announce_published(content)
            else:
                content_status_changed(content, before=ContentStatus.REMOVED, after=ContentStatus.PUBLISHED)
    elif decision.action in (Action.MUTED, Action.MEMBER_REMOVED, Action.BANNED):
        membership = Membership.objects.select_for_update().get(group=decision.group, user=decision.target_user)
        if decision.action == Action.MUTED:
            membership.muted_until = None
        elif membership.status in (Membership.Status.REMOVED, Membership.Status.BANNED):
            before = membership.status
            membership.status = Membership.Status.ACTIVE
            membership_status_changed(group_id=decision.group_id, before=before, after=membership.status)
        membership.save()
