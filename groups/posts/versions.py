"""The versions that kept pages of replies and of post lists are kept under.

A thread's version is the id of its newest ``ThreadChange``, a group list's the id of its
newest ``PostListChange`` (0 before any): rows the database's triggers insert on every
write that may change what the page shows (migration 0010 lists them; since 0012 every
write to a reply moves its group's list version as well as its thread's, for a member's
kept search results, ``readable_group_versions``). On PostgreSQL the
ids come from an identity sequence, so they only grow and are never handed out twice, not
even after a rollback. (SQLite's AUTOINCREMENT gives a rolled-back id again; no request
keeps a page inside a transaction it then rolls back, and SQLite is for trying the site
out.)

Ids are handed out when a write runs, and transactions commit in another order: a write
that took id N can commit after one that took N+1, and the newest id would not move when
its change appears. So every writer also holds a shared advisory lock on each thread or
group it changed, from before its row takes an id until it commits, and a page is kept
only by a reader that got the exclusive lock at once (``no_write_open``) after reading the
version: then every write with an id up to that version has committed, and its change is
in what the reader builds next; every write after it takes a greater id. A reader that
finds a write open lets go of the locks it took and builds the page without keeping it.
Readers never wait; writers never wait for each other (the locks are shared), only, for a
few milliseconds, for a reader building a page it will keep. SQLite has one writer at a
time, so its ids come in commit order.

Locks come from a table of fixed size that all connections share, so a transaction that
writes to more than a few threads and groups (migration 0011: LOCKS_EACH) takes a shared
hold of one lock, WHOLE, for all of them instead; a reader keeps a page only if WHOLE is
free as well (it takes WHOLE and lets it go in the same statement, never waiting).
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import fields

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, StringAgg, Subquery, TextField, Value
from django.db.models.functions import Cast, Coalesce
from django.template import engines

from community.core import pagecache
from community.core.prepared import PreparedValues
from community.models import Block
from groups.access import active_memberships, reads_every_group
from groups.models import Group, PostListChange, ThreadChange

# Kept pages go when their version moves; this only bounds what Redis holds for pages
# nobody reads again.
KEPT_SECONDS = 600
# What is kept across a member's groups (their search, their home's recent posts) is
# built for each request past this many groups (staff read every group).
KEPT_UP_TO_GROUPS = 60

# The advisory-lock namespaces of migration 0010, and the lock of migration 0011 that
# stands for all of them.
THREADS, LISTS = 74101, 74102
WHOLE = (74100, 0)


@contextmanager
def no_write_open(space: int, keys: Sequence[int]):
    """Whether no transaction that wrote to any of the threads or groups ``keys``
    (``space``: THREADS or LISTS) is still open; while it says so, no write to them
    starts. The block runs in a transaction of its own, which holds the locks: a
    transaction-mode PgBouncer keeps them on one server connection, and they go with the
    commit whatever happens. When a write is open, the locks taken go at once, before the
    block: what it builds is not kept, so no writer need wait for it."""
    if connection.vendor != "postgresql":
        yield True
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                # WHOLE only looked at: held, even for a moment, it would stop other
                # readers keeping the pages they build meanwhile.
                "SELECT CASE WHEN pg_try_advisory_lock(%s, %s) THEN pg_advisory_unlock(%s, %s) ELSE false END, "
                "(SELECT bool_and(pg_try_advisory_xact_lock(%s, hashint8(key))) FROM unnest(%s::bigint[]) AS key)",
                [*WHOLE, *WHOLE, space, list(keys)],
            )
            no_wide_write, no_write_here = cursor.fetchone()
        if no_wide_write and no_write_here:
            yield True
            return
    yield False


class KeptInProcess:
    """The last few pages kept (in Redis) under their versions, held in this process as
    well, for the busiest of them (a thread's page of replies is some 80 KB, a millisecond
    to read back and unpickle). A key names the versions its page was built at, so a page
    held here is exactly as fresh as the one in Redis; a page is held only once it was
    kept there, and for no longer than Redis keeps it (KEPT_SECONDS). Whoever reads one
    must never change it: the next request gets the same."""

    every: list["KeptInProcess"] = []  # for forget_held_pages

    def __init__(self, size: int, seconds: float = KEPT_SECONDS):
        self._size, self._seconds = size, seconds
        self._pages: OrderedDict[str, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()
        KeptInProcess.every.append(self)

    def get(self, key: str):
        with self._lock:
            held = self._pages.get(key)
            if held is None:
                return None
            if held[0] <= time.monotonic():
                del self._pages[key]
                return None
            self._pages.move_to_end(key)
            return held[1]

    def put(self, key: str, page) -> None:
        with self._lock:
            self._pages[key] = (time.monotonic() + self._seconds, page)
            self._pages.move_to_end(key)
            while len(self._pages) > self._size:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


def forget_held_pages() -> None:
    """Let go of every page held in this process (the tests: SQLite gives a rolled-back
    test's ids, and so its versions, again)."""
    for held in KeptInProcess.every:
        held.clear()


def kept_or_built(
    space: int,
    owner_ids: Sequence[int],
    key: str,
    build,
    *,
    worth_keeping=lambda: True,
    keepable=lambda built: True,
    in_process: KeptInProcess | None = None,
):
    """The page kept under ``key`` (which names the versions read before this call), or
    ``build()``, kept for next time when ``worth_keeping()`` says so before it is built
    (else no lock is taken), no write to the threads or groups ``owner_ids`` is open (see
    above) and ``keepable(built)`` agrees; held ``in_process`` too once kept."""
    if in_process is not None and (held := in_process.get(key)) is not None:
        return held
    kept = pagecache.kept_at(key)
    if kept is not None:
        if in_process is not None:
            in_process.put(key, kept)
        return kept
    if not worth_keeping():
        return build()
    with no_write_open(space, owner_ids) as quiet:
        built = build()
        if quiet and keepable(built):
            cache.set(key, built, KEPT_SECONDS)
            if in_process is not None:
                in_process.put(key, built)
    return built


def shape(templates, row_class) -> str:
    """For every key of kept pages: a digest of the Jinja2 templates they are rendered
    with and the fields of their rows, so that a release that changes either never reads
    pages an earlier one kept (two may serve side by side while one replaces the other)."""
    env = engines["jinja2"].env
    rows = [(row_field.name, str(row_field.type)) for row_field in fields(row_class)]
    return pagecache.shape_of(*(env.loader.get_source(env, name)[0] for name in templates), rows)


def joined(queryset, owner: str, text):
    """A subquery: ``text`` of every row of ``queryset`` (all of one ``owner``), joined
    with commas (NULL for none)."""
    return queryset.values(owner).annotate(joined=StringAgg(text, Value(","))).values("joined")


def blocked_by(user_id):
    """A subquery: the ids of the members ``user_id`` blocked, joined with commas."""
    return joined(Block.objects.filter(blocker=user_id), "blocker", Cast("blocked", TextField()))


def ids_in(text: str | None) -> set[int]:
    """The ids of a list ``joined`` gave."""
    return {int(pk) for pk in text.split(",")} if text else set()


def thread_version():
    """The version of the thread of the post the outer query reads."""
    newest = ThreadChange.objects.filter(post=OuterRef("pk")).order_by("-id").values("id")[:1]
    return Coalesce(Subquery(newest), 0)


def list_version(group: str = "pk"):
    """The version of the list of posts of the group the outer query reads (``group``:
    the outer query's field that holds the group's id)."""
    newest = PostListChange.objects.filter(group=OuterRef(group)).order_by("-id").values("id")[:1]
    return Coalesce(Subquery(newest), 0)


def readable_group_versions(user) -> tuple[tuple[int, str, str, int], ...] | None:
    """Each group ``readable_group_ids`` gives the user, by id, as its id, address, name
    and list version, in one query: the key of what is kept across a member's groups (their
    search), which moves with a write to any of their posts and replies, with a rename, and
    with joining or leaving a group. None for staff, as there (every group); none for a
    visitor."""
    if reads_every_group(user):
        return None
    if not user.is_authenticated:
        return ()
    rows = _MEMBER_GROUP_VERSIONS.fetchall(user.pk)
    return tuple((row["pk"], row["slug"], row["name"], row["version"]) for row in rows)


def _member_group_versions(user_id: int):
    # readable_group_ids' groups for a member.
    mine = active_memberships(get_user_model()(pk=user_id)).values("group_id")
    groups = Group.objects.filter(pk__in=mine).annotate(version=list_version())
    return groups.order_by("pk").values("pk", "slug", "name", "version")


# Compiled once per process (community/core/prepared.py).
_MEMBER_GROUP_VERSIONS = PreparedValues(_member_group_versions)


def prune_change_logs() -> int:
    """Delete every change but each thread's and each group's newest, which alone are the
    versions (the workers' sweep). Returns how many rows went."""
    pruned = 0
    for model, owner in ((ThreadChange, "post"), (PostListChange, "group")):
        newer = model.objects.filter(**{owner: OuterRef(owner)}, id__gt=OuterRef("id"))
        deleted, _by_model = model.objects.filter(Exists(newer)).delete()  # one DELETE: nothing points here
        pruned += deleted
    return pruned
