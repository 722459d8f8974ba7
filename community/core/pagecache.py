"""Pages, feeds and counts kept in the cache until anything they show may have changed.

A visitor (nobody signed in, no session, no message waiting) sees at an address the same
page as every other visitor: the directory, the resource pages, the care directory and
search show only what is public, in the site's default time zone. ``@visitor_page`` keeps
such a page in the cache under its address and the **generation** of the public data,
a random token that changes whenever a statement writes to a table visitor pages may read:
any INSERT, UPDATE or DELETE on any table but the private ones listed in PRIVATE_TABLES,
seen by a wrapper around every database cursor (``watch_writes``), so that a save, a
``QuerySet.update()``, a bulk delete, a task in a worker or the admin all count alike.
A group made private or an article unpublished is gone from the next visitor's page.

The generation changes when the transaction commits, and before the writing thread itself
next reads anything kept (it sees its own writes; a test never commits). A page another
process renders meanwhile, from the data before the commit, is kept under the generation
the commit replaces. Pages are also kept for at most VISITOR_PAGE_SECONDS,
since some show what time changes (a group's next meeting), not only what a write changes.

Not Django's ``cache_page``: it keys pages on their address and headers and forgets them
only when they expire, so a page would be stale after a change until then.

The same watch keeps two more generations: MEETINGS for a member's calendar feed, which
calendar apps ask for every few minutes (any write to MEETING_TABLES changes it), and
HEADER for the two counts in a member's header on every page (HEADER_TABLES),
SCREENING for the lists every post and reply is read against (SCREENING_TABLES), and DATES
for the lists of coming dates on a member's home and meetings pages (DATE_TABLES).

Off when the cache is not shared by every process (no Redis, or Redis away: the cache then
falls back to this process's memory, which other processes' writes never reach).
"""

import hashlib
import logging
import re
import secrets
import threading
from functools import partial, wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers

logger = logging.getLogger("community.core.pagecache")

# Time changes some of what a visitor's page shows (a group's next meeting), not only writes.
VISITOR_PAGE_SECONDS = 60
# The generations: what visitors' pages show, what calendar feeds show, what the header counts.
PUBLIC = "public"
MEETINGS = "meetings"
HEADER = "header"
# ... and the lists every post and reply is read against (groups/posts/screening.py).
SCREENING = "screening"
# ... and the lists of coming dates (groups/posts/queries.py upcoming_dates, my_upcoming).
DATES = "dates"
# The nonce of the Content-Security-Policy is new on every response; a stored page holds
# this in its place.
NONCE_PLACEHOLDER = "\x00csp-nonce\x00"

# Tables no visitor page reads, and which are written often: a write to them leaves the
# cached pages alone. tests/community/core/test_pagecache.py renders every visitor page
# and fails if one reads a table listed here.
PRIVATE_TABLES = frozenset(
    {
        # what members write in their groups, and what it sets going
        "groups_post",
        "groups_reply",
        "groups_reaction",
        "groups_revision",
        "groups_postread",
        "groups_rsvp",
        "groups_seriesrsvp",
        "groups_checkin",
        "groups_checkinmessage",
        "groups_membership",
        "groups_invite",
        # moderation
        "groups_report",
        "groups_queueitem",
        "groups_moderationlog",
        "groups_moderatornote",
        "groups_appeal",
        "community_moderationlogref",
        "community_carereport",
        "community_resourcesuggestion",
        # each member's own
        "community_user",
        "community_block",
        "community_notification",
        "community_outboxemail",
        "community_dataexport",
        "community_journalcheckin",
        "community_journalquestion",
        "community_journalreminder",
        "community_journalsession",
        "community_journalsharelink",
        "community_journalshareopen",
        "community_journaltreatment",
        "account_emailaddress",
        "account_emailconfirmation",
        "mfa_authenticator",
        "usersessions_usersession",
        # the machinery
        "django_session",
        "django_admin_log",
        "django_tasks_database_dbtaskresult",
        "community_workerheartbeat",
    }
)

# Everything a calendar feed reads (groups/meetings/views.py calendar_feed).
MEETING_TABLES = frozenset(
    {
        "groups_calendarfeed",
        "community_user",
        "groups_membership",
        "groups_rsvp",
        "groups_occurrence",
        "groups_meeting",
        "groups_group",
    }
)

# Everything the header's counts read (community/context_processors.py header_counts).
HEADER_TABLES = frozenset(
    {
        "community_notification",
        "groups_post",
        "groups_reply",
        "groups_membership",
        "groups_checkin",
        "groups_queueitem",
    }
)

# Everything a list of coming dates reads but the member's groups, which its key names:
# dates, meetings, groups and RSVPs (groups/posts/queries.py upcoming_dates, my_upcoming).
DATE_TABLES = frozenset({"groups_occurrence", "groups_meeting", "groups_group", "groups_rsvp"})

# Everything a post or reply is screened against: staff's crisis phrases and watched
# words, and each group's own watched words.
SCREENING_TABLES = frozenset({"groups_crisisphrase", "groups_watchedword", "groups_groupwatchedword"})

_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([\w.]+)"?', re.IGNORECASE)
# SET changes a setting of the connection (community/core/prepared.py one_plan), no table.
_READ = re.compile(r"\s*(?:SELECT|SAVEPOINT|RELEASE|ROLLBACK|COMMIT|BEGIN|SHOW|EXPLAIN|SET)\b", re.IGNORECASE)
# What a statement that is neither a read nor a plain write (TRUNCATE, ALTER, a raw WITH
# ... UPDATE) is taken to write: everything.
ANY_TABLE = "*"


def written_table(sql: str) -> str | None:
    """The table a statement writes to, ANY_TABLE if it cannot tell, or None for a read."""
    if match := _WRITE.match(sql):
        return match.group(1).rpartition(".")[2].lower()
    return None if _READ.match(sql) else ANY_TABLE


def generations_written(table: str) -> tuple[str, ...]:
    if table == ANY_TABLE:
        return (PUBLIC, MEETINGS, HEADER, SCREENING, DATES)
    return (
        (PUBLIC,) * (table not in PRIVATE_TABLES)
        + (MEETINGS,) * (table in MEETING_TABLES)
        + (HEADER,) * (table in HEADER_TABLES)
        + (SCREENING,) * (table in SCREENING_TABLES)
        + (DATES,) * (table in DATE_TABLES)
    )


def generation_key(name: str) -> str:
    return f"page-generation:{name}"


def new_generations(*names: str) -> None:
    if len(names) == 1:  # the usual case, and a third of the CPU of set_many
        cache.set(generation_key(names[0]), secrets.token_hex(8), None)
    else:
        cache.set_many({generation_key(name): secrets.token_hex(8) for name in names}, None)


def watch_writes(execute, sql, params, many, context):
    """A database execute wrapper (installed on every connection by CommunityConfig)."""
    result = execute(sql, params, many, context)
    table = written_table(sql) if isinstance(sql, str) else ANY_TABLE
    if table is not None and _may_have_changed_rows(sql, context["cursor"]) and (names := generations_written(table)):
        connection = context["connection"]
        if connection.in_atomic_block:
            # Everyone else sees the write when it commits; this thread sees it at once.
            _written("unread").update(names)
            _written("uncommitted").update(names)
            transaction.on_commit(partial(_committed, names), using=connection.alias, robust=True)
        else:
            new_generations(*names)
    return result


def _may_have_changed_rows(sql: str, cursor) -> bool:
    """False for a statement that changed no row (marking read what was already read): it
    changes nothing anyone sees. -1 is a driver that cannot tell; SQLite counts the rows of
    an ``INSERT ... RETURNING`` only once they are read, so those count as changed."""
    return cursor.rowcount != 0 or (isinstance(sql, str) and " RETURNING " in sql)


_thread = threading.local()


def _written(which: str) -> set[str]:
    """The generations this thread's writes changed and not yet renewed: "uncommitted", to
    renew at the commit (once, however many of its statements wrote); "unread", to renew
    before this thread reads anything kept (it reads its own writes; a test never commits).
    A transaction rolled back leaves its names, renewed later for nothing: harmless."""
    if not hasattr(_thread, which):
        setattr(_thread, which, set())
    return getattr(_thread, which)


def _committed(names) -> None:
    if due := _written("uncommitted") & set(names):
        new_generations(*due)
        _written("uncommitted").difference_update(due)
        _written("unread").difference_update(due)


def _announce_own_writes() -> None:
    if names := _written("unread"):
        new_generations(*names)
        names.clear()


def read_kept(name: str, key: str):
    """The current generation ``name``, and what was kept under ``key`` at that generation
    (None if nothing was, or it was kept at another), in one round trip. (None, None)
    while the cache is not shared: then nothing is read or kept."""
    generation, kept = read_kept_many(name, [key])
    return generation, kept[key]


def read_kept_many(name: str, keys: list[str]):
    """``read_kept`` for several keys at the same generation, in one round trip: the
    generation, and a dict of each key's value (None where nothing is kept for it)."""
    if not settings.KEEP_PAGES:
        return None, dict.fromkeys(keys)
    _announce_own_writes()
    try:
        found = cache.get_many([generation_key(name), *keys])
    except Exception as error:  # noqa: BLE001 - what was kept can always be built again
        # Kept by other code (a release that shaped it differently): built afresh, and kept
        # in its place.
        logger.warning("kept item unreadable keys=%s error=%s", ",".join(keys), type(error).__name__)
        cache.delete_many(keys)
        return current_generation(name), dict.fromkeys(keys)
    generation = _generation(name, found.get(generation_key(name)))
    return generation, {key: _at(generation, found.get(key)) for key in keys}


def _at(generation, kept):
    return kept[1] if generation and kept is not None and kept[0] == generation else None


def may_keep() -> bool:
    """Whether anything may be kept now: the cache is shared by every process."""
    return settings.KEEP_PAGES and not getattr(cache, "degraded", False)


def kept_at(key: str):
    """What was kept under ``key``, a key that names the version of what it holds (no
    generation), or None. An entry that cannot be read (kept by a release that shaped it
    differently) is dropped and built again."""
    try:
        return cache.get(key)
    except Exception as error:  # noqa: BLE001 - what was kept can always be built again
        logger.warning("kept item unreadable key=%s error=%s", key, type(error).__name__)
        cache.delete(key)
        return None


def shape_of(*sources) -> str:
    """A short digest of what decides how a kept thing looks (templates' source, the fields
    of what is kept), for its keys: a release that changes any of it never reads what an
    earlier one kept."""
    return digest_of(*sources, size=6)


def digest_of(*values, size: int = 16) -> str:
    """A digest of ``values`` (their repr) for a key: what a kept thing was asked with."""
    return hashlib.blake2b(repr(values).encode(), digest_size=size).hexdigest()


def current_generation(name: str):
    """The generation ``name`` for a fragment's key (``{% cache %}``), or None when nothing
    may be kept."""
    if not settings.KEEP_PAGES:
        return None
    _announce_own_writes()
    return _generation(name, cache.get(generation_key(name)))


def _generation(name: str, found):
    if getattr(cache, "degraded", False):
        return None
    if found is None:  # a new cache: the first reader starts the generation
        cache.add(generation_key(name), secrets.token_hex(8), None)
        found = cache.get(generation_key(name))
    return found


def keep(key: str, generation, value, seconds: int) -> None:
    """Keep ``value`` under ``key`` at the generation read_kept gave before it was built."""
    if generation is not None and not getattr(cache, "degraded", False):
        cache.set(key, (generation, value), seconds)


def asked_before(key: str, seconds: int) -> bool:
    """Whether ``key`` was asked for in the last ``seconds``; marks it asked. Only what is
    asked for twice is kept: keys made up to fill the cache (a new query string each
    time) leave a marker of a few bytes each."""
    return not cache.add(f"asked:{key}", True, seconds)


def kept_or_built(name: str, key: str, build, seconds: int):
    """What was kept under ``key`` at the current generation ``name``, or ``build()``,
    kept for next time (at most ``seconds``)."""
    generation, kept = read_kept(name, key)
    if kept is None:
        kept = build()
        keep(key, generation, kept, seconds)
    return kept


def install_write_watch(sender, connection, **kwargs):
    """A connection_created receiver: watch every connection's writes."""
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_writes)


def _plain_visitor(request) -> bool:
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and not request.user.is_authenticated
    )


def _page_key(request) -> str:
    address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    return "visitor-page:" + hashlib.blake2b(address.encode(), digest_size=16).hexdigest()


def _storable(request, response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        # The page holds a CSRF token tied to this visitor's cookie.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not getattr(request, "_messages", None)
    )


def visitor_page(view):
    """Serve a plain visitor the page kept for this address at this generation, or
    render it and keep it. Members, and visitors with a session, always get it rendered."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.KEEP_PAGES or not _plain_visitor(request):
            return view(request, *args, **kwargs)
        key = _page_key(request)
        generation, kept = read_kept(PUBLIC, key)
        if kept is not None:
            return _response_from(request, *kept)
        response = view(request, *args, **kwargs)
        if _storable(request, response) and asked_before(key, VISITOR_PAGE_SECONDS):
            keep(key, generation, _stored(request, response), VISITOR_PAGE_SECONDS)
        patch_vary_headers(response, ("Cookie",))
        return response

    return wrapper


def _stored(request, response) -> tuple[bytes, str]:
    body = response.content
    nonce = getattr(request, "_csp_nonce", None)
    if nonce:  # generated, so used by this page
        body = body.replace(str(nonce).encode(), NONCE_PLACEHOLDER.encode())
    return body, response["Content-Type"]


def _response_from(request, body: bytes, content_type: str) -> HttpResponse:
    if NONCE_PLACEHOLDER.encode() in body:
        body = body.replace(NONCE_PLACEHOLDER.encode(), str(request._csp_nonce).encode())
    response = HttpResponse(body, content_type=content_type)
    patch_vary_headers(response, ("Cookie",))
    return response
