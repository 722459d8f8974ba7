"""Site staff suspend an account (for some days or for good) and lift a suspension."""

from datetime import timedelta

from allauth.usersessions.models import UserSession
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from community.accounts.roles import is_site_staff
from community.core.errors import ActionRefused
from groups.models import ModerationLog
from groups.moderation.log import Action, log


@transaction.atomic
def suspend_account(*, staff, user, days: int | None, reason_text: str) -> ModerationLog:
    """Suspend for ``days`` days, or for good when ``days`` is None; sessions end at once."""
    if not is_site_staff(staff):
        raise ActionRefused("Only site staff can suspend accounts.")
    if user.pk == staff.pk or user.is_staff:
        raise ActionRefused("Staff accounts cannot be suspended here.")
    if days is not None and not 1 <= days <= 3650:
        raise ActionRefused("A suspension lasts from 1 day to 10 years, or for good.")
    if not reason_text.strip():
        raise ActionRefused("Say why; the member will see it.")
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    user.is_suspended = True
    user.suspended_until = timezone.now() + timedelta(days=days) if days else None
    user.suspension_reason = reason_text.strip()
    user.save(update_fields=["is_suspended", "suspended_until", "suspension_reason"])
    end_sessions_of(user)
    return log(action=Action.SUSPENDED, actor=staff, target_user=user, note=reason_text, until=user.suspended_until)


@transaction.atomic
def lift_suspension(*, staff, user, note: str = "") -> ModerationLog:
    if not is_site_staff(staff):
        raise ActionRefused("Only site staff can lift a suspension.")
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    if not user.is_suspended:
        raise ActionRefused("This account is not suspended.")
    user.is_suspended = False
    user.suspended_until = None
    user.save(update_fields=["is_suspended", "suspended_until"])
    return log(action=Action.SUSPENSION_LIFTED, actor=staff, target_user=user, note=note)


def end_sessions_of(user) -> None:
    for session in UserSession.objects.filter(user=user):
        session.end()
