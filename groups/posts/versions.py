"""The versions that kept pages of replies and of post lists are kept under.

A thread's version is the id of its newest ``ThreadChange``, a group list's the id of its
newest ``PostListChange`` (0 before any): rows the database's triggers insert on every
write that may change what the page shows (migration 0010 lists them). On PostgreSQL the
ids come from an identity sequence, so they only grow and are never handed out twice, not
even after a rollback. (SQLite's AUTOINCREMENT gives a rolled-back id again; no request
keeps a page inside a transaction it then rolls back, and SQLite is for trying the site
out.) A page kept under a version was built from data at least that new, since the
version is read before the page's rows.
"""

from django.db.models import Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce

from groups.models import PostListChange, ThreadChange


def thread_version():
    """The version of the thread of the post the outer query reads."""
    newest = ThreadChange.objects.filter(post=OuterRef("pk")).order_by("-id").values("id")[:1]
    return Coalesce(Subquery(newest), 0)


def list_version():
    """The version of the list of posts of the group the outer query reads."""
    newest = PostListChange.objects.filter(group=OuterRef("pk")).order_by("-id").values("id")[:1]
    return Coalesce(Subquery(newest), 0)


def prune_change_logs() -> int:
    """Delete every change but each thread's and each group's newest, which alone are the
    versions (the workers' sweep). Returns how many rows went."""
    pruned = 0
    for model, owner in ((ThreadChange, "post"), (PostListChange, "group")):
        newer = model.objects.filter(**{owner: OuterRef(owner)}, id__gt=OuterRef("id"))
        deleted, _by_model = model.objects.filter(Exists(newer)).delete()  # one DELETE: nothing points here
        pruned += deleted
    return pruned
