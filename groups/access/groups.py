"""Who may see, read, moderate or run a group, and the one answer to "my groups".

Each rule is a pair: an object check (``can_*``, or a ``get_group_for_*`` that raises
Http404) and, where a list needs it, the list's filter (``active_memberships``,
``moderating_memberships`` and what is built on them). tests/groups/access/test_access_pairs.py checks
that the two halves agree.
"""

from django.contrib.auth import get_user_model
from django.db.models import FilteredRelation, Q
from django.http import Http404
from django.utils import timezone

from community.accounts.roles import is_site_staff
from community.core.prepared import PreparedValues, instance
from groups.models import Group, Membership

MODERATING_ROLES = (Membership.Role.MODERATOR, Membership.Role.OWNER)


def membership_of(user, group: Group) -> Membership | None:
    """The user's membership row in ``group`` (any status), memoised on the user object."""
    if not user.is_authenticated:
        return None
    memberships = _memberships_known(user)
    if group.pk not in memberships:
        memberships[group.pk] = Membership.objects.filter(group=group, user=user).first()
    return memberships[group.pk]


def _memberships_known(user) -> dict[int, Membership | None]:
    return user.__dict__.setdefault("_group_memberships", {})


def _group_by_slug(user, group_slug: str) -> Group | None:
    """The group at ``group_slug``, with a member's membership in it (any status) learnt
    on the way: one query, compiled once per process (community/core/prepared.py)."""
    if not user.is_authenticated:
        rows = _GROUP.fetchall(group_slug)
        return instance(Group, rows[0]) if rows else None
    rows = _GROUP_AND_MEMBERSHIP.fetchall(user.pk, group_slug)
    if not rows:
        return None
    (row,) = rows
    group, membership = instance(Group, row), instance(Membership, row, "mine__")
    if membership is not None:
        membership.group = group
    _memberships_known(user)[group.pk] = membership
    return group


_GROUP_FIELDS = [field.attname for field in Group._meta.concrete_fields]
_MEMBERSHIP_FIELDS = [field.attname for field in Membership._meta.concrete_fields]


def _group_and_membership(user_id: int, group_slug: str):
    """The group's row and, joined where there is one, the member's membership in it."""
    mine = FilteredRelation("memberships", condition=Q(memberships__user=user_id))
    return (
        Group.objects.annotate(mine=mine)
        .filter(slug=group_slug)
        .order_by()
        .values(*_GROUP_FIELDS, *(f"mine__{name}" for name in _MEMBERSHIP_FIELDS))
    )


_GROUP_AND_MEMBERSHIP = PreparedValues(_group_and_membership, texts=1)
_ACTIVE_GROUP_IDS = PreparedValues(
    lambda user_id: active_memberships(get_user_model()(pk=user_id)).order_by("group_id").values("group_id")
)
# A visitor's: the group alone (a visitor's kept pages watch no membership).
_GROUP = PreparedValues(
    lambda group_slug: Group.objects.filter(slug=group_slug).order_by().values(*_GROUP_FIELDS), ids=0, texts=1
)


def forget_membership(user, group: Group) -> None:
    """Call after an action changed the membership, so later checks read it afresh."""
    user.__dict__.get("_group_memberships", {}).pop(group.pk, None)


# --- "groups I am active in" and "groups I moderate": one answer each -------------------------


def active_memberships(user):
    """The user's active memberships (muted ones too): the one answer to "which groups am
    I active in". The home page, "My meetings", the calendar feed, search, notifications
    and the queue all start from it. Its object check is ``Membership.is_active``."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user.pk, status=Membership.Status.ACTIVE)


def active_group_ids(user) -> list[int]:
    """``active_memberships`` as a list of group ids.

    Handed to PostgreSQL as literal ids rather than joined, so that a query about the
    user's own rows (RSVPs) is planned from those few rows, not from every meeting of
    their groups (20 ms against 3 ms for a busy member at large scale). Read through a
    query compiled once per process (my meetings and search ask it on every visit)."""
    if not user.is_authenticated:
        return []
    return [row["group_id"] for row in _ACTIVE_GROUP_IDS.fetchall(user.pk)]


def readable_group_ids(user) -> set[int] | None:
    """Every group whose content the user may read (``can_read`` as a list): their active
    groups, or None for staff, meaning "no restriction"."""
    if reads_every_group(user):
        return None
    return set(active_group_ids(user))


def reads_every_group(user) -> bool:
    """Whether ``readable_group_ids`` is None for the user (staff): else their groups are
    their active memberships'."""
    return is_site_staff(user)


def moderating_memberships(user):
    """The user's memberships as a moderator or owner: the one answer to "which groups do
    I moderate" (not every group, even for staff). Its object check is
    ``Membership.is_moderator``."""
    return active_memberships(user).filter(role__in=MODERATING_ROLES)


def moderated_groups(user):
    """The groups of ``moderating_memberships``."""
    return Group.objects.filter(pk__in=moderating_memberships(user).values("group_id"))


def moderates_any_group(user) -> bool:
    """Staff, or a moderator of some group: the queue, the log and the 2FA nudge."""
    return is_site_staff(user) or moderating_memberships(user).exists()


def group_moderators(group: Group):
    """The other way round: the memberships of everyone who moderates ``group`` now."""
    return Membership.objects.filter(group=group, status=Membership.Status.ACTIVE, role__in=MODERATING_ROLES)


# --- object checks -------------------------------------------------------------------------------


def can_see_group(user, group: Group) -> bool:
    """The group's public page (name, about, rules): anyone for listed groups; for
    unlisted ones, only its members, people with a pending request, and staff."""
    if group.is_listed or is_site_staff(user):
        return True
    membership = membership_of(user, group)
    return membership is not None and membership.status in (Membership.Status.ACTIVE, Membership.Status.PENDING)


def can_read(user, group: Group) -> bool:
    """Posts, replies, meetings and the member list: active members (muted ones too) and
    staff. The list half is ``readable_group_ids``."""
    if is_site_staff(user):
        return True
    membership = membership_of(user, group)
    return membership is not None and membership.is_active


def can_moderate(user, group: Group) -> bool:
    """The group's moderators and owners, and staff. The list half (without staff, who
    moderate every group but are moderators of none) is ``moderating_memberships``."""
    if is_site_staff(user):
        return True
    membership = membership_of(user, group)
    return membership is not None and membership.is_moderator


def can_manage_moderators(user, group: Group) -> bool:
    """Owners and staff appoint and remove moderators."""
    if is_site_staff(user):
        return True
    membership = membership_of(user, group)
    return membership is not None and membership.is_active and membership.role == Membership.Role.OWNER


def was_member(user, group: Group) -> bool:
    """Someone who was a member of ``group`` and is no longer (left, removed or banned)."""
    membership = membership_of(user, group)
    return membership is not None and membership.status in (
        Membership.Status.LEFT,
        Membership.Status.REMOVED,
        Membership.Status.BANNED,
    )


def why_cannot_participate(user, group: Group) -> str | None:
    """Why the user may not post, reply or react in ``group`` now, or None if they may."""
    if not user.is_authenticated or user.suspension_in_force():
        return "Only members of this group can post here."
    membership = membership_of(user, group)
    if membership is None or not membership.is_active:
        return "Only members of this group can post here."
    if membership.is_muted():
        until = timezone.localtime(membership.muted_until)
        return f"A moderator has muted you in this group until {until:%B %-d, %-I:%M %p %Z}. You can still read."
    return None


def can_participate(user, group: Group) -> bool:
    return why_cannot_participate(user, group) is None


# Running a group (groups/settings/): owners (and staff) change everything about their
# group; moderators change what is about moderating it (holds, slow mode, the group's
# watched words). Everyone else gets a 404 from the settings pages: a member has no reason
# to learn which of them exist.


def can_edit_group(user, group: Group) -> bool:
    """Name, description, about, rules, join policy and questions, listing, anonymity,
    and the group's log as a file: owners and staff."""
    return can_manage_moderators(user, group)


def can_edit_moderation_settings(user, group: Group) -> bool:
    """Holds, slow mode and the group's own watched words: its moderators and staff."""
    return can_moderate(user, group)


# --- fetch-and-check: each returns the group or raises Http404 ----------------------------------


def _group_if(user, group_slug: str, allowed) -> Group:
    group = _group_by_slug(user, group_slug)
    if group is None or not allowed(user, group):
        raise Http404("No such group.")
    return group


def get_group_for_viewer(user, group_slug: str) -> Group:
    return _group_if(user, group_slug, can_see_group)


def get_group_for_reader(user, group_slug: str) -> Group:
    return _group_if(user, group_slug, can_read)


def get_group_for_writer(user, group_slug: str) -> Group:
    """The group a member sends a post or reply to: one they may read, or one they were a
    member of (removed, banned or left since the form was opened). The second kind may not
    post, but what they sent is still read for crisis words before they are told so."""
    return _group_if(user, group_slug, lambda user, group: can_read(user, group) or was_member(user, group))


def get_group_for_moderator(user, group_slug: str) -> Group:
    return _group_if(user, group_slug, can_moderate)


def get_group_for_settings(user, group_slug: str) -> Group:
    return _group_if(user, group_slug, can_edit_moderation_settings)


def get_group_for_owner(user, group_slug: str) -> Group:
    return _group_if(user, group_slug, can_edit_group)
