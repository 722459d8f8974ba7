"""Reactions on a post or reply: a member adds one, or takes it back."""

from django.db import IntegrityError, transaction

from community.core.errors import ActionRefused
from groups.models import ContentStatus, Post, Reaction, Reply
from groups.posts.actions import require_participation


def toggle_reaction(*, user, kind: str, post: Post | None = None, reply: Reply | None = None) -> bool:
    """Add the reaction, or take it away if the user had it. Returns True when added."""
    if kind not in Reaction.Kind.values:
        raise ActionRefused("That reaction is not one of the choices.")
    item = post or reply
    group = post.group if post else reply.post.group
    require_participation(user, group)
    if item.status != ContentStatus.PUBLISHED:
        raise ActionRefused("You can react once this is published.")
    target = {"post": post} if post else {"reply": reply}
    with transaction.atomic():
        deleted, _ = Reaction.objects.filter(user=user, kind=kind, **target).delete()
        if deleted:
            return False
        try:
            with transaction.atomic():
                Reaction.objects.create(user=user, kind=kind, **target)
        except IntegrityError:
            pass  # the same reaction arrived twice at once; one row is what we want
    return True
