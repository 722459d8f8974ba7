"""The moderation queue: claiming an item and deciding on it, and the queue itself.

A decision is one of ``decision_choices(item)``; ``decide_item`` carries it out. Deciding
on content (publish, remove, show again) is in ``content``, on a member in ``members``,
on an appeal in ``appeals``, on a join request in ``groups.membership.actions``.
"""

from functools import lru_cache

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from community.accounts.roles import is_site_staff
from community.core.errors import ActionRefused
from community.core.prepared import PreparedQuery, PreparedValues, compiled
from community.notifications.actions import alert_moderators_of_risk
from groups.access import moderated_groups, moderating_memberships
from groups.membership.actions import decide_join_request
from groups.models import Group, QueueItem, Report
from groups.moderation.appeals import decide_appeal
from groups.moderation.checks import require_reason
from groups.moderation.content import publish_held, take_down, unhide_after_reports
from groups.moderation.intake import open_reports_like
from groups.moderation.items import close_item, lock_open_item, member_of_item
from groups.moderation.log import Action, log
from groups.moderation.members import warn_member
from groups.posts.content import content_of


@transaction.atomic
def claim_item(*, moderator, item: QueueItem) -> QueueItem:
    item = lock_open_item(item.pk, moderator)
    if item.claimed_by_id and item.claimed_by_id != moderator.pk:
        raise ActionRefused(f"{item.claimed_by.display_name} is already handling this.")
    item.claimed_by = moderator
    item.claimed_at = timezone.now()
    item.save(update_fields=["claimed_by", "claimed_at"])
    return item


@transaction.atomic
def approve_item(*, moderator, item: QueueItem, note: str = "") -> QueueItem:
    """Publish held content, clear a flag, keep reported content, or approve a join request."""
    item = lock_open_item(item.pk, moderator)
    kind = QueueItem.Kind
    if item.kind in (kind.HELD_POST, kind.HELD_REPLY):
        publish_held(moderator=moderator, content=content_of(item), group=item.group, note=note)
    elif item.kind == kind.REPORT:
        _settle_reports(item, Report.Status.DISMISSED, moderator=moderator)
        log(
            action=Action.REPORT_DISMISSED,
            actor=moderator,
            group=item.group,
            post=item.report.post,
            reply=item.report.reply,
            target_user=item.report.reported_user,
            note=note,
        )
    elif item.kind in (kind.FLAGGED_POST, kind.FLAGGED_REPLY):
        pass  # kept as it is; the flag is settled
    elif item.kind == kind.JOIN_REQUEST:
        decide_join_request(moderator=moderator, membership=item.membership, approve=True, message=note)
    elif item.kind == kind.APPEAL:
        raise ActionRefused("Decide an appeal with 'keep the decision' or 'reverse it'.")
    close_item(item, moderator)
    return item


def decision_choices(item: QueueItem) -> list[tuple[str, str]]:
    """The choices that fit a queue item, in the order the queue shows them (one place:
    the queue's forms and ``decide_item`` both read it)."""
    kind = QueueItem.Kind
    care = [("checked_in", "I checked in with them"), ("escalate", "Pass to site staff")]
    if item.escalated_at:
        care = care[:1]
    if item.kind == kind.JOIN_REQUEST:
        return [("approve", "Approve"), ("decline", "Decline, with a message")]
    if item.kind in (kind.HELD_POST, kind.HELD_REPLY):
        held = [("approve", "Publish"), ("reject", "Reject, with a reason")]
        return [*care, *held] if item.is_risk else held
    if item.kind == kind.APPEAL:
        return [("uphold", "Keep the decision"), ("grant", "Reverse the decision")]
    if item.kind == kind.REFUSED_RISK:
        return care
    has_content = bool(item.post_id or item.reply_id)
    if item.is_risk:
        choices = [*care, ("approve", "Keep it: no action needed")]
        return [*choices, ("reject", "Remove it, with care and a reason")] if has_content else choices
    if item.kind == kind.REPORT and has_content:
        return [
            ("approve", "Keep it (dismiss the report)"),
            ("reject", "Remove it, with a reason"),
            ("warn", "Warn the author and keep it"),
        ]
    if item.kind == kind.REPORT:
        return [("approve", "Dismiss the report"), ("warn", "Warn the member")]
    return [("approve", "Keep it"), ("reject", "Remove it, with a reason")]


NEEDS_REASON = {"reject", "warn"}


def decide_item(*, moderator, item: QueueItem, decision: str, reason: str = "", note: str = "") -> QueueItem:
    """Carry out one of ``decision_choices(item)``; anything else is refused."""
    if decision not in dict(decision_choices(item)):
        raise ActionRefused("That choice does not fit this item. Reload the queue and choose again.")
    if decision in NEEDS_REASON:
        require_reason(reason)
    if decision == "approve":
        return approve_item(moderator=moderator, item=item, note=note)
    if decision in ("reject", "decline"):
        return reject_item(moderator=moderator, item=item, reason=reason, note=note)
    if decision in ("uphold", "grant"):
        decide_appeal(moderator=moderator, item=item, grant=decision == "grant", response=note)
        return item
    if decision == "warn":
        return _warn_from_item(moderator=moderator, item=item, reason=reason, note=note)
    if decision == "escalate":
        return escalate_item(moderator=moderator, item=item, note=note)
    return checked_in(moderator=moderator, item=item, note=note)


@transaction.atomic
def checked_in(*, moderator, item: QueueItem, note: str = "") -> QueueItem:
    """A moderator reached out to a member who may be at risk: the item is settled, and
    the log says so (the member is not notified: the check-in itself was the message)."""
    item = lock_open_item(item.pk, moderator)
    if not item.is_risk:
        raise ActionRefused("Check-ins settle possible-risk items only.")
    _log_on_item(item, action=Action.CHECKED_IN, moderator=moderator, note=note)
    if item.report_id:
        # Checking in settles the worry, not the content: anything hidden by reports shows again.
        _settle_reports(item, Report.Status.ACTIONED, moderator=moderator)
    close_item(item, moderator)
    return item


@transaction.atomic
def escalate_item(*, moderator, item: QueueItem, note: str = "") -> QueueItem:
    """Pass a possible-risk item to site staff: it stays open, marked, and staff are alerted."""
    item = lock_open_item(item.pk, moderator)
    if not item.is_risk or item.escalated_at:
        raise ActionRefused("Only a possible-risk item not yet passed on can go to staff.")
    item.escalated_at = timezone.now()
    item.save(update_fields=["escalated_at"])
    _log_on_item(item, action=Action.ESCALATED, moderator=moderator, note=note)
    alert_moderators_of_risk(
        group=item.group, queue_url=reverse("moderation:queue"), what="escalated", exclude=member_of_item(item)
    )
    return item


def _warn_from_item(*, moderator, item: QueueItem, reason: str, note: str) -> QueueItem:
    with transaction.atomic():
        item = lock_open_item(item.pk, moderator)
        author = member_of_item(item)
        if author is None:
            raise ActionRefused("There is nobody to warn: the account is gone.")
        warn_member(moderator=moderator, group=item.group, user=author, reason=reason, note=note)
        if item.report_id:
            _settle_reports(item, Report.Status.ACTIONED, moderator=moderator)
        close_item(item, moderator)
    return item


@transaction.atomic
def reject_item(*, moderator, item: QueueItem, reason: str, note: str = "") -> QueueItem:
    """Reject held content, act on a report by removing the content, or decline a request."""
    item = lock_open_item(item.pk, moderator)
    kind = QueueItem.Kind
    if item.kind != kind.JOIN_REQUEST:
        require_reason(reason)
    if item.kind in (kind.HELD_POST, kind.HELD_REPLY, kind.FLAGGED_POST, kind.FLAGGED_REPLY):
        take_down(
            moderator=moderator,
            content=content_of(item),
            group=item.group,
            reason=reason,
            note=note,
            action=Action.REJECTED if item.kind in (kind.HELD_POST, kind.HELD_REPLY) else Action.REMOVED,
        )
    elif item.kind == kind.REPORT:
        content = item.report.post or item.report.reply
        if content is None:
            raise ActionRefused("A report about a member is settled by warning, muting or removing them.")
        take_down(
            moderator=moderator, content=content, group=item.group, reason=reason, note=note, action=Action.REMOVED
        )
    elif item.kind == kind.JOIN_REQUEST:
        decide_join_request(moderator=moderator, membership=item.membership, approve=False, message=note)
    else:
        raise ActionRefused("Decide an appeal with 'keep the decision' or 'reverse it'.")
    close_item(item, moderator)
    return item


def _settle_reports(item: QueueItem, status: str, *, moderator) -> None:
    """Settle every open report the item stands for (reports about one thing share it)
    with a decision that keeps the content: what the reports hid is shown again."""
    open_reports_like(item.report).update(status=status)
    content = item.report.post or item.report.reply
    if content is not None:
        unhide_after_reports(content, moderator=moderator, group=item.group)


def _log_on_item(item: QueueItem, *, action: str, moderator, note: str) -> None:
    """Log a decision about the item's member and content that does not change them."""
    log(
        action=action,
        actor=moderator,
        group=item.group,
        target_user=member_of_item(item),
        post=item.post,
        reply=item.reply,
        note=note,
    )


def queue_for(moderator, *, group_id: int | None = None, kind: str = ""):
    """Open items in every group the user moderates (staff: all), risk first, then oldest.
    Appeals against the user's own decisions go to someone else."""
    items = QueueItem.objects.filter(status=QueueItem.Status.OPEN).exclude(not_for=moderator)
    if not is_site_staff(moderator):
        items = items.filter(group_id__in=moderating_memberships(moderator).values("group_id"))
    if group_id:
        items = items.filter(group_id=group_id)
    if kind:
        items = items.filter(kind=kind)
    # Four joins, and the rarer relations in a query each when a page has any: with all
    # seventeen joined, PostgreSQL took 7 to 11 ms to plan a page's query (4 joins: 0.6-0.9).
    return (
        items.select_related("group", "post", "reply", "member")
        .prefetch_related(
            "claimed_by",
            "post__author",
            "post__group",
            "reply__author",
            "reply__post__group",
            "report__reported_user",
            "membership__user",
            "appeal__decision",
            "appeal__appellant",
        )
        .order_by("-is_risk", "created_at", "id")
    )


# --- the queue's page, on queries compiled once per process -------------------------------


def queue_groups(moderator) -> tuple[tuple[int, str], ...]:
    """(id, name) of every group whose items ``queue_for`` lists for ``moderator`` (staff:
    every group), by name: the queue's filter. Empty for a member who moderates no group."""
    staff = is_site_staff(moderator)
    rows = _QUEUE_GROUPS[staff].fetchall(*([] if staff else [moderator.pk]))
    return tuple((row["pk"], row["name"]) for row in rows)


def _queue_groups(staff: bool):
    def build(*moderator_id):
        groups = Group.objects.all() if staff else moderated_groups(_stand_in(moderator_id[0], staff))
        return groups.order_by("name", "pk").values("pk", "name")

    return build


_QUEUE_GROUPS = {staff: PreparedValues(_queue_groups(staff), ids=int(not staff)) for staff in (False, True)}


class QueueIds:
    """The ids of the items ``queue_for`` lists, for a ``Paginator``: how many there are,
    and a page of them in the queue's order, each read on a query compiled once per
    process for its shape (staff or not, filtered by group or not, and by which kind).
    On PostgreSQL the count brings the ``likely`` page's ids with it, in the same query:
    the Paginator asks for the count first, then, nearly always, for that page."""

    ordered = True  # for the Paginator: queue_for's order

    def __init__(self, moderator, *, group_id: int | None = None, kind: str = "", likely: slice | None = None):
        self._count, self._page, self._count_and_page = _queue_ids(is_site_staff(moderator), bool(group_id), kind)
        self._values = [moderator.pk, *([group_id] if group_id else [])]
        self._likely, self._likely_ids = likely, None

    def count(self) -> int:
        if self._likely is None or connection.vendor != "postgresql":
            return self._count.fetchone(*self._values)[0]
        window = self._likely
        count, self._likely_ids = self._count_and_page.fetchone(*self._values, *_limit_offset(window))
        return count

    def __getitem__(self, window: slice) -> list[int]:
        likely = self._likely
        if self._likely_ids is not None and window.start == likely.start and window.stop <= likely.stop:
            return self._likely_ids[: window.stop - window.start]
        return [pk for (pk,) in self._page.fetchrows(*self._values, *_limit_offset(window))]


def _limit_offset(window: slice) -> tuple[int, int]:
    return window.stop - window.start, window.start


@lru_cache(maxsize=32)
def _queue_ids(staff: bool, by_group: bool, kind: str) -> tuple[PreparedQuery, PreparedQuery, PreparedQuery]:
    # The kind is one of QueueItem.Kind (the filter's form checked it): a shape of its own.
    def items(moderator_id, group_id=None):
        return queue_for(_stand_in(moderator_id, staff), group_id=group_id, kind=kind)

    def count(*ids):
        sql, params = compiled(items(*ids).order_by().values("pk"))
        return f"SELECT COUNT(*) FROM ({sql}) AS listed", params  # noqa: S608 - the ORM's own SQL

    def page(*ids_limit_offset):
        # LIMIT and OFFSET as parameters: the ORM writes a slice's numbers into the SQL.
        *ids, limit, offset = ids_limit_offset
        sql, params = compiled(items(*ids).values_list("pk"))
        return f"{sql} LIMIT %s OFFSET %s", [*params, limit, offset]

    def count_and_page(*ids_limit_offset):
        # One round trip for both (PostgreSQL's ARRAY keeps the page's order).
        count_sql, count_params = count(*ids_limit_offset[:-2])
        page_sql, page_params = page(*ids_limit_offset)
        return f"SELECT ({count_sql}), ARRAY({page_sql})", [*count_params, *page_params]

    ids = 1 + by_group
    return PreparedQuery(count, ids=ids), PreparedQuery(page, ids=ids + 2), PreparedQuery(count_and_page, ids=ids + 2)


def _stand_in(moderator_id: int, staff: bool):
    return get_user_model()(pk=moderator_id, is_staff=staff, is_active=True)
