"""Writes to a member's journal: verb-named, keyword-only, one transaction each.

Every action takes the member and acts only on their own rows (views fetch rows through
community/access.py, which answers 404 for anyone else's). Logs say what kind of
thing happened, never what was written.
"""

import hashlib
import logging
import secrets
from datetime import timedelta

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from community.journal.models import (
    JournalCheckIn,
    JournalQuestion,
    JournalReminder,
    JournalSession,
    JournalShareLink,
    JournalShareOpen,
    JournalTreatment,
)

logger = logging.getLogger(__name__)

SHARE_SALT = "journal.share"
TREATMENT_FIELDS = [
    "kind", "name", "dose", "started_on", "ended_on", "weeks_at_full_dose", "response",
    "how_it_went", "side_effects", "side_effects_other", "why_stopped",
]  # fmt: skip
SESSION_FIELDS = ["date", "number", "felt_after", "side_effects", "note"]
CHECKIN_FIELDS = [
    "date", "mood", "sleep", "energy", "anxiety", "self_harm_thoughts", "questionnaire",
    "questionnaire_score", "note",
]  # fmt: skip


def _require_owner(user, item) -> None:
    """Every action checks its own authority: a journal row is changed by its member only."""
    if item.user_id != user.pk:
        raise PermissionDenied


def _apply(instance, data: dict, fields: list[str]) -> None:
    for field in fields:
        value = data.get(field)
        if isinstance(value, str):
            value = value.strip()
        setattr(instance, field, "" if value is None and field in _TEXT_FIELDS else value)


def _save(instance, data: dict, fields: list[str], *, event: str):
    _apply(instance, data, fields)
    instance.save()
    logger.info(event)
    return instance


def _delete(user, item, *, event: str = "") -> None:
    _require_owner(user, item)
    item.delete()
    if event:
        logger.info(event)


# Text columns take "" rather than NULL for "not given".
_TEXT_FIELDS = {
    "dose", "response", "how_it_went", "side_effects_other", "why_stopped", "felt_after", "side_effects",
    "note", "self_harm_thoughts", "questionnaire",
}  # fmt: skip


@transaction.atomic
def record_treatment(*, user, data: dict) -> JournalTreatment:
    treatment = JournalTreatment(user=user)
    _apply(treatment, data, TREATMENT_FIELDS)
    treatment.side_effects = list(data.get("side_effects") or [])
    treatment.save()
    logger.info("journal treatment recorded")
    return treatment


@transaction.atomic
def update_treatment(*, user, treatment: JournalTreatment, data: dict) -> JournalTreatment:
    _require_owner(user, treatment)
    _apply(treatment, data, TREATMENT_FIELDS)
    treatment.side_effects = list(data.get("side_effects") or [])
    treatment.save()
    logger.info("journal treatment updated")
    return treatment


@transaction.atomic
def delete_treatment(*, user, treatment: JournalTreatment) -> None:
    _delete(user, treatment, event="journal treatment deleted")  # its sessions go with it


@transaction.atomic
def record_session(*, user, treatment: JournalTreatment, data: dict) -> JournalSession:
    _require_owner(user, treatment)
    session = JournalSession(user=user, treatment=treatment)
    _apply(session, data, SESSION_FIELDS)
    if session.number is None:
        # The next number in the course, so a member can leave it out.
        session.number = treatment.sessions.count() + 1
    session.save()
    logger.info("journal session recorded")
    return session


@transaction.atomic
def update_session(*, user, session: JournalSession, data: dict) -> JournalSession:
    _require_owner(user, session)
    return _save(session, data, SESSION_FIELDS, event="journal session updated")


@transaction.atomic
def delete_session(*, user, session: JournalSession) -> None:
    _delete(user, session, event="journal session deleted")


@transaction.atomic
def record_checkin(*, user, data: dict) -> JournalCheckIn:
    """Nobody is told about any answer, the self-harm question included: the view shows
    the member crisis help at once, and that is all that happens."""
    return _save(JournalCheckIn(user=user), data, CHECKIN_FIELDS, event="journal check-in recorded")


@transaction.atomic
def update_checkin(*, user, checkin: JournalCheckIn, data: dict) -> JournalCheckIn:
    _require_owner(user, checkin)
    return _save(checkin, data, CHECKIN_FIELDS, event="journal check-in updated")


@transaction.atomic
def delete_checkin(*, user, checkin: JournalCheckIn) -> None:
    _delete(user, checkin, event="journal check-in deleted")


@transaction.atomic
def add_question(*, user, text: str) -> JournalQuestion:
    question = JournalQuestion.objects.create(user=user, text=text.strip())
    logger.info("journal question added")
    return question


@transaction.atomic
def toggle_question(*, user, question: JournalQuestion) -> JournalQuestion:
    _require_owner(user, question)
    question.done_at = None if question.done_at else timezone.now()
    question.save(update_fields=["done_at"])
    return question


@transaction.atomic
def delete_question(*, user, question: JournalQuestion) -> None:
    _delete(user, question)


@transaction.atomic
def set_checkin_reminder(*, user, frequency: str) -> JournalReminder:
    reminder, _ = JournalReminder.objects.select_for_update().get_or_create(user=user)
    reminder.frequency = frequency
    reminder.save(update_fields=["frequency"])
    logger.info("journal reminder set frequency=%s", frequency)
    return reminder


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_share_link(
    *, user, period_days: int | None, days_valid: int = 7, show_display_name: bool = False
) -> tuple[JournalShareLink, str]:
    """A new link and its token. The token is shown to the member once and never stored:
    the row keeps only a hash of its random part."""
    secret = secrets.token_urlsafe(24)
    link = JournalShareLink.objects.create(
        user=user,
        secret_hash=_hash(secret),
        period_days=period_days,
        show_display_name=show_display_name,
        expires_at=timezone.now() + timedelta(days=days_valid),
    )
    logger.info("journal share link created days=%d", days_valid)
    return link, signing.Signer(salt=SHARE_SALT).sign(secret)


def share_link_for_token(token: str) -> JournalShareLink | None:
    """The live link a token opens, or None (forged, unknown, expired or revoked)."""
    try:
        secret = signing.Signer(salt=SHARE_SALT).unsign(token)
    except signing.BadSignature:
        return None
    link = JournalShareLink.objects.select_related("user").filter(secret_hash=_hash(secret)).first()
    if link is None or not link.is_live(timezone.now()) or not link.user.is_active:
        return None
    return link


@transaction.atomic
def revoke_share_link(*, user, link: JournalShareLink) -> None:
    _require_owner(user, link)
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    logger.info("journal share link revoked")


@transaction.atomic
def record_share_open(*, link: JournalShareLink) -> JournalShareOpen:
    return JournalShareOpen.objects.create(link=link)


@transaction.atomic
def erase_journal(*, user) -> None:
    """Delete every journal row of ``user`` (account deletion calls this; the rows would
    also go with the account, but erasure is a promise worth stating on its own)."""
    JournalShareOpen.objects.filter(link__user=user).delete()
    JournalShareLink.objects.filter(user=user).delete()
    JournalSession.objects.filter(user=user).delete()
    JournalTreatment.objects.filter(user=user).delete()
    JournalCheckIn.objects.filter(user=user).delete()
    JournalQuestion.objects.filter(user=user).delete()
    JournalReminder.objects.filter(user=user).delete()
    logger.info("journal erased")
