"""Reads for running a group: the pace a group keeps, and its rules' history as diffs."""

import difflib
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from groups.access import can_moderate
from groups.models import Post, Reply, RulesRevision


def why_slowed_down(*, author, group) -> str | None:
    """Why ``author`` must wait before posting or replying again in ``group`` (its slow
    mode), or None. Moderators keep their pace: they may need to step in at once."""
    if not group.slow_mode_seconds or can_moderate(author, group):
        return None
    since = timezone.now() - timedelta(seconds=group.slow_mode_seconds)
    # Deleted and removed items count too, or deleting a post would be a way round the pause.
    latest = [
        Post.objects.filter(group=group, author=author, created_at__gte=since)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first(),
        Reply.objects.filter(post__group=group, author=author, created_at__gte=since)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first(),
    ]
    latest = [when for when in latest if when is not None]
    if not latest:
        return None
    next_allowed = timezone.localtime(max(latest) + timedelta(seconds=group.slow_mode_seconds))
    minutes = group.slow_mode_seconds // 60
    return (
        f"This group is in slow mode: each member can post or reply once every {minutes} minute"
        f"{'s' if minutes != 1 else ''}, so that conversations stay calm. "
        f"You can write again at {next_allowed:%-I:%M %p %Z}."
    )


@dataclass
class DiffLine:
    kind: str  # "added", "removed" or "same"
    text: str


def rules_diff(old: str, new: str) -> list[DiffLine]:
    """The rules' text line by line, each line marked added, removed or unchanged."""
    lines = []
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        code, text = line[:2], line[2:]
        if code == "? ":
            continue  # ndiff's hints about characters within a line
        if not text.strip():
            continue  # blank lines only separate paragraphs
        kind = {"+ ": "added", "- ": "removed"}.get(code, "same")
        lines.append(DiffLine(kind=kind, text=text))
    return lines


def rules_history(group, *, limit: int = 20) -> list[tuple[RulesRevision, list[DiffLine]]]:
    """The latest changes of the group's rules, newest first, each with its diff (one query)."""
    revisions = RulesRevision.objects.filter(group=group).select_related("changed_by")[:limit]
    return [(revision, rules_diff(revision.old_rules, revision.new_rules)) for revision in revisions]


def rules_changed_since_accepted(group, membership) -> bool:
    """Whether an active member accepted the rules before their latest change."""
    return bool(
        membership is not None
        and membership.is_active
        and group.rules_updated_at
        and membership.rules_accepted_at
        and membership.rules_accepted_at < group.rules_updated_at
    )
