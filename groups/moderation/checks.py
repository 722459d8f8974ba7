"""The checks moderation actions start with: who may act, and with which reason."""

from community.core.errors import ActionRefused
from groups.access import can_moderate
from groups.models import Group, Reason


def require_moderator(moderator, group: Group) -> None:
    if not can_moderate(moderator, group):
        raise ActionRefused("Only this group's moderators can do that.")


def require_reason(reason: str) -> None:
    if reason not in Reason.values:
        raise ActionRefused("Choose a reason from the list.")
