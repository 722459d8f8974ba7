"""Changing a group's settings. Each action checks its own authority, runs in one
transaction on the locked group row, and writes its entry in the group's moderation log
saying what changed (from what, to what), so that nothing about a group changes silently."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from community.core.errors import ActionRefused
from community.core.text import normalise_for_matching
from groups.access import can_edit_group, can_edit_moderation_settings
from groups.models import (
    Group,
    GroupWatchedWord,
    JoinQuestion,
    Membership,
    ModerationLog,
    RulesRevision,
    WatchedWord,
)

Action = ModerationLog.Action
MAX_QUESTIONS = 3
MAX_HOLD_FIRST_POSTS = 20
MAX_SLOW_MODE_MINUTES = 1440

# Fields each part of the settings page may change, with how the log names them.
PROFILE_FIELDS = {"name": "Name", "description": "Description", "about": "About"}
JOINING_FIELDS = {"join_policy": "Join policy", "is_listed": "Listed", "allow_anonymous": "Anonymous posts"}
HOLD_FIELDS = {
    "hold_first_posts": "First posts held",
    "hold_all": "Hold every post",
    "slow_mode_seconds": "Slow mode (seconds)",
}
# Long texts are logged as "changed", not copied into the log.
LONG_TEXT_FIELDS = {"about"}


def _log(*, actor, group: Group, action: str, note: str = "") -> ModerationLog:
    return ModerationLog.objects.create(actor=actor, group=group, action=action, note=note.strip()[:2000])


def _shown(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _lock(group: Group) -> Group:
    return Group.objects.select_for_update().get(pk=group.pk)


def _apply(*, actor, group: Group, values: dict, fields: dict) -> list[str]:
    """Set the changed ``values`` on the locked group and log them; the changes in words."""
    changes = []
    for field, label in fields.items():
        old, new = getattr(group, field), values[field]
        if old == new:
            continue
        setattr(group, field, new)
        if field in LONG_TEXT_FIELDS:
            changes.append(f"{label} changed")
        elif field == "join_policy":
            changes.append(f"{label}: {Group.JoinPolicy(old).label} → {Group.JoinPolicy(new).label}")
        else:
            changes.append(f"{label}: {_shown(old)} → {_shown(new)}")
    if changes:
        try:
            with transaction.atomic():
                group.save(update_fields=list(fields))
        except IntegrityError:
            raise ActionRefused("Another group already has this name. Please choose another.") from None
        _log(actor=actor, group=group, action=Action.SETTINGS_CHANGED, note="; ".join(changes))
    return changes


@transaction.atomic
def update_group_profile(*, owner, group: Group, name: str, description: str, about: str) -> list[str]:
    """Name, description and about. The address (slug) stays, so links keep working."""
    if not can_edit_group(owner, group):
        raise ActionRefused("Only the group's owner can change this.")
    name = " ".join(name.split())
    if len(name) < 3:
        raise ActionRefused("Please use at least 3 characters for the name.")
    if not description.strip():
        raise ActionRefused("Please describe the group in a sentence or two.")
    values = {"name": name, "description": description.strip(), "about": about.strip()}
    return _apply(actor=owner, group=_lock(group), values=values, fields=PROFILE_FIELDS)


@transaction.atomic
def update_joining(*, owner, group: Group, join_policy: str, is_listed: bool, allow_anonymous: bool) -> list[str]:
    """Who can join and how, whether the directory lists the group, and anonymous posts.
    Requests already waiting stay in the queue whatever the new policy."""
    if not can_edit_group(owner, group):
        raise ActionRefused("Only the group's owner can change this.")
    if join_policy not in Group.JoinPolicy.values:
        raise ActionRefused("Choose one of the join policies.")
    values = {"join_policy": join_policy, "is_listed": is_listed, "allow_anonymous": allow_anonymous}
    return _apply(actor=owner, group=_lock(group), values=values, fields=JOINING_FIELDS)


@transaction.atomic
def update_holds(
    *, moderator, group: Group, hold_first_posts: int, hold_all: bool, slow_mode_minutes: int
) -> list[str]:
    """What moderators read first, and the group's slow mode."""
    if not can_edit_moderation_settings(moderator, group):
        raise ActionRefused("Only the group's moderators can change this.")
    if not 0 <= hold_first_posts <= MAX_HOLD_FIRST_POSTS:
        raise ActionRefused(f"Hold from 0 (none) to {MAX_HOLD_FIRST_POSTS} first posts.")
    if not 0 <= slow_mode_minutes <= MAX_SLOW_MODE_MINUTES:
        raise ActionRefused("Slow mode can be from 0 (off) to 1440 minutes (24 hours).")
    values = {"hold_first_posts": hold_first_posts, "hold_all": hold_all, "slow_mode_seconds": slow_mode_minutes * 60}
    return _apply(actor=moderator, group=_lock(group), values=values, fields=HOLD_FIELDS)


@transaction.atomic
def change_rules(*, owner, group: Group, rules: str, summary: str = "") -> RulesRevision | None:
    """Replace the rules, keeping both texts. Members who accepted the old rules see
    "rules updated" with what changed until they have read them. None if nothing changed."""
    if not can_edit_group(owner, group):
        raise ActionRefused("Only the group's owner can change the rules.")
    rules = rules.strip().replace("\r\n", "\n")
    if not rules:
        raise ActionRefused("A group needs rules. Please write at least one.")
    group = _lock(group)
    if rules == group.rules.strip().replace("\r\n", "\n"):
        return None
    revision = RulesRevision.objects.create(
        group=group, old_rules=group.rules, new_rules=rules, summary=summary.strip(), changed_by=owner
    )
    group.rules = rules
    group.rules_updated_at = timezone.now()
    group.save(update_fields=["rules", "rules_updated_at"])
    # Whoever wrote the new rules has read them; they need no "rules updated" notice.
    Membership.objects.filter(group=group, user=owner, status=Membership.Status.ACTIVE).update(
        rules_accepted_at=group.rules_updated_at
    )
    _log(actor=owner, group=group, action=Action.RULES_CHANGED, note=summary or "Rules changed")
    return revision


@transaction.atomic
def set_join_questions(*, owner, group: Group, questions: list[str]) -> list[JoinQuestion]:
    """Replace the questions a request-policy group asks (up to three; blanks dropped).
    Answers already given are kept with the request as they were asked."""
    if not can_edit_group(owner, group):
        raise ActionRefused("Only the group's owner can change the join questions.")
    questions = [" ".join(q.split()) for q in questions if q and q.strip()]
    if len(questions) > MAX_QUESTIONS:
        raise ActionRefused(f"Ask at most {MAX_QUESTIONS} questions.")
    group = _lock(group)
    old = list(group.questions.values_list("text", flat=True))
    if old == questions:
        return list(group.questions.all())
    group.questions.all().delete()
    created = JoinQuestion.objects.bulk_create(
        [JoinQuestion(group=group, position=i, text=text) for i, text in enumerate(questions)]
    )
    _log(
        actor=owner,
        group=group,
        action=Action.QUESTIONS_CHANGED,
        note="; ".join(questions) if questions else "No questions",
    )
    return created


@transaction.atomic
def add_watched_word(*, moderator, group: Group, phrase: str, action: str, message: str = "") -> GroupWatchedWord:
    """A word the group's moderators want held, blocked or flagged in this group only."""
    if not can_edit_moderation_settings(moderator, group):
        raise ActionRefused("Only the group's moderators can change the watched words.")
    phrase = " ".join(phrase.split())
    if len(normalise_for_matching(phrase)) < 2:
        raise ActionRefused("A watched word needs at least 2 letters.")
    if action not in WatchedWord.Action.values:
        raise ActionRefused("Choose what happens to a post with this word.")
    site_word = WatchedWord.objects.filter(phrase__iexact=phrase).first()
    if site_word is not None:
        raise ActionRefused(f"“{phrase}” is already on the site's list ({site_word.get_action_display().lower()}).")
    group = _lock(group)
    try:
        with transaction.atomic():
            word = GroupWatchedWord.objects.create(
                group=group,
                phrase=phrase,
                action=action,
                message=message.strip() if action == WatchedWord.Action.BLOCK else "",
                added_by=moderator,
            )
    except IntegrityError:
        raise ActionRefused(f"“{phrase}” is already on this group's list.") from None
    _log(actor=moderator, group=group, action=Action.WORD_ADDED, note=f"{phrase} ({word.get_action_display()})")
    return word


@transaction.atomic
def remove_watched_word(*, moderator, group: Group, word_id: int) -> None:
    if not can_edit_moderation_settings(moderator, group):
        raise ActionRefused("Only the group's moderators can change the watched words.")
    word = GroupWatchedWord.objects.select_for_update().filter(group=group, pk=word_id).first()
    if word is None:
        raise ActionRefused("That word is no longer on the list.")
    _log(actor=moderator, group=group, action=Action.WORD_REMOVED, note=f"{word.phrase} ({word.get_action_display()})")
    word.delete()


@transaction.atomic
def accept_new_rules(*, member, group: Group) -> None:
    """A member confirms they have read the changed rules ("rules updated" goes away)."""
    updated = Membership.objects.filter(group=group, user=member, status=Membership.Status.ACTIVE).update(
        rules_accepted_at=timezone.now()
    )
    if not updated:
        raise ActionRefused("Only members of this group accept its rules.")
