"""Group.member_count: the one place it changes.

The count is the number of ACTIVE memberships. Every action that moves a membership in or
out of ACTIVE says so here, inside its own transaction; seeding and repairs recount.
"""

from django.db.models import Count, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from groups.directory.models import Group
from groups.membership.models import Membership

ACTIVE = Membership.Status.ACTIVE


def membership_status_changed(*, group_id: int, before: str | None, after: str | None) -> None:
    """Keep the group's member count in step with one membership going from ``before``
    to ``after`` (a status; None when the row did not exist or is being deleted).

    Call inside the action's transaction, with the membership row locked: the update
    itself takes the group row's lock, so two changes at once add up instead of racing."""
    change = (after == ACTIVE) - (before == ACTIVE)
    if change:
        Group.objects.filter(pk=group_id).update(member_count=F("member_count") + change)


def recount_members(groups: QuerySet[Group]) -> None:
    """Set each group's count from its rows, in one statement (seeding, repairs)."""
    active = Membership.objects.filter(group=OuterRef("pk"), status=ACTIVE)
    groups.update(member_count=Coalesce(Subquery(active.values("group").annotate(n=Count("pk")).values("n")), 0))
