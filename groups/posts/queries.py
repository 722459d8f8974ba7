"""The reads that list pages need, with their joins already applied, so that each page
costs a fixed number of queries however many rows there are."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from types import SimpleNamespace
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Count, Exists, Min, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from community.accounts.roles import is_site_staff
from community.core import pagecache
from community.core.prepared import PreparedValues, for_each_length, instance
from groups.access import (
    ANONYMOUS_LABEL,
    FORMER_MEMBER_LABEL,
    active_group_ids,
    active_memberships,
    author_label,
    blocked_by_viewer,
    can_moderate,
    is_folded,
    moderating_memberships,
    published_content_q,
    visible_content_q,
)
from groups.meetings.rows import VALUES as DATE_VALUES
from groups.meetings.rows import DateRow
from groups.models import (
    CalendarFeed,
    ContentStatus,
    Group,
    Membership,
    Occurrence,
    Post,
    PostRead,
    Reaction,
    Reply,
    Rsvp,
)
from groups.posts.versions import (
    KEPT_SECONDS,
    KEPT_UP_TO_GROUPS,
    LISTS,
    KeptInProcess,
    blocked_by,
    ids_in,
    kept_or_built,
    list_version,
)

POSTS_PER_PAGE = 20
# What a list of posts never shows: a page of twenty long posts would fetch them all.
TEXT_NOT_LISTED = ("body", "body_html", "hold_reason", "submission_key")
REPLIES_PER_PAGE = 50
# Django's enum builds its choices list on every access.
REACTION_KINDS = tuple(Reaction.Kind.choices)


def page_by_ids(queryset, *, per_page: int, number):
    """A Paginator page of ``queryset`` (ordered, with its joins) in two steps: the page's
    ids from the ordered rows alone, then those rows with their joins.

    A page query with many LEFT JOINs lets PostgreSQL join every matching row before it
    sorts and cuts (hash joins over whole tables); the ids alone walk an index in order
    and stop at the page's end, and the joins then cost one index lookup per row shown.
    """
    page = Paginator(queryset.values_list("pk", flat=True), per_page).get_page(number)
    by_id = queryset.order_by().in_bulk(list(page.object_list))
    page.object_list = [by_id[pk] for pk in page.object_list if pk in by_id]
    return page


def directory_groups(*, q: str = "", topic=None, format: str = "", place: str = "", now=None):
    """Listed groups with their topics and, as ``next_meeting_at``, their next meeting."""
    # The earliest coming date as a MIN over the group's own meetings. Written as ORDER BY
    # start LIMIT 1, PostgreSQL walks every coming date of every group in start order
    # until one belongs to this group: 30,000 rows per quiet group at large scale.
    next_meeting = (
        Occurrence.objects.filter(meeting__group=OuterRef("pk"), start__gt=now or timezone.now(), is_cancelled=False)
        .order_by()
        .values("meeting__group")
        .annotate(first=Min("start"))
        .values("first")
    )
    groups = (
        Group.objects.filter(is_listed=True)
        .annotate(next_meeting_at=Subquery(next_meeting))
        .prefetch_related("topics")
        .order_by("name")
    )
    if q:
        groups = groups.filter(Q(name__icontains=q) | Q(description__icontains=q))
    if topic:
        groups = groups.filter(topics=topic)
    if format:
        groups = groups.filter(format=format)
    if place:
        groups = groups.filter(Q(city__icontains=place) | Q(region__icontains=place))
    return groups


def my_memberships(user):
    return (
        Membership.objects.filter(user=user, status__in=[Membership.Status.ACTIVE, Membership.Status.PENDING])
        .select_related("group")
        .order_by("group__name")
    )


def encode_cursor(post: Post) -> str:
    return f"{post.last_activity_at.isoformat()}_{post.pk}"


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    """A cursor is "<last activity>_<id>" of the last post on the previous page."""
    stamp, _, post_id = (cursor or "").rpartition("_")
    try:
        when, number = parse_datetime(stamp), int(post_id)
        if when is None or not 0 < number < 2**63:
            return None
        # In UTC, so that an offset at the edge of the calendar (9999-12-31 at -23:59)
        # fails here, as a page without a cursor, rather than in the database.
        return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC), number
    except (ValueError, OverflowError):
        return None


def post_list_page(*, user, group: Group, cursor: str = ""):
    """One page of the group's posts as ``user`` may see them (``list_page``), each with
    its author label, whether it is folded away and whether it is new to them.
    Returns (pinned, posts, next_cursor)."""
    posts = (
        Post.objects.filter(visible_content_q(user, group), group=group)
        .defer(*TEXT_NOT_LISTED)
        .select_related("author")
        .annotate(author_blocked=blocked_by_viewer(user))
        .annotate(read_at=Subquery(PostRead.objects.filter(user=user.pk, post=OuterRef("pk")).values("read_at")[:1]))
    )
    pinned, page, next_cursor = list_page(posts, cursor=cursor)
    moderates = can_moderate(user, group)
    for post in pinned + page:
        post.shown_author = author_label(post, viewer_moderates=moderates)
        post.folded = is_folded(post)
        post.is_unread = is_unread(post, post.read_at)
    return pinned, page, next_cursor


def list_page(posts, *, cursor: str = ""):
    """One page of ``posts`` (a group's, as one reader may see them), newest activity
    first, pinned posts on the first page.

    Keyset pagination on (last_activity_at, id): a deep page costs what the first does.
    Returns (pinned, posts, next_cursor)."""
    position = decode_cursor(cursor)
    pinned = [] if position else list(posts.filter(is_pinned=True).order_by("-last_activity_at", "-id"))
    page = posts.filter(is_pinned=False).order_by("-last_activity_at", "-id")
    if position:
        when, post_id = position
        page = page.filter(Q(last_activity_at__lt=when) | Q(last_activity_at=when, id__lt=post_id))
    page = list(page[: POSTS_PER_PAGE + 1])
    next_cursor = encode_cursor(page[POSTS_PER_PAGE - 1]) if len(page) > POSTS_PER_PAGE else ""
    return pinned, page[:POSTS_PER_PAGE], next_cursor


def is_unread(post, read_at) -> bool:
    """Whether the post has had activity since the reader last read it (``read_at``)."""
    return read_at is None or read_at < post.last_activity_at


@dataclass
class ReplyPage:
    """One page of a thread's replies, with the reply ids that open the pages around it:
    ``?before=<earlier_before>`` for the page above, ``?from=<later_from>`` for the one
    below, and ``first_number``, the position of its first reply in the thread."""

    replies: list
    earlier_before: int | None = None
    later_from: int | None = None
    first_number: int = 1
    anchored: bool = False

    @property
    def is_last(self) -> bool:
        return self.later_from is None


def thread_replies(*, user, post: Post, start_at=None, before=None, latest: bool = False) -> ReplyPage:
    """A page of the replies the user may see, oldest first, each with its author label
    and whether it is folded away for them. Deleted replies stay as markers; held ones
    show to their author and moderators. (``reply_page`` says how the page is chosen.)"""
    moderates = can_moderate(user, post.group)
    replies = (
        Reply.objects.filter(visible_content_q(user, post.group) | Q(status=ContentStatus.DELETED), post=post)
        .select_related("author")
        .annotate(author_blocked=blocked_by_viewer(user))
    )
    page = reply_page(replies, start_at=start_at, before=before, latest=latest)
    for reply in page.replies:
        reply.shown_author = author_label(reply, viewer_moderates=moderates)
        reply.folded = is_folded(reply)
    return page


def reply_page(replies, *, start_at=None, before=None, latest: bool = False) -> ReplyPage:
    """One page of ``replies`` (a thread's, as one reader may see them), numbered.

    Keyset pages on (created_at, id). ``start_at`` is the first reply of the page (where
    a link to a reply lands), ``before`` the reply just after it, ``latest`` the last
    page. An anchor counts only if it is among ``replies``: anything else (another
    thread's reply, a held reply of someone else) gives the first page, so the address
    cannot tell whether such a reply exists; ``anchored`` says whether it counted.
    """

    def earlier_than(reply) -> Q:
        return Q(created_at__lt=reply["created_at"]) | Q(created_at=reply["created_at"], id__lt=reply["pk"])

    anchor_id = reply_id(before) or reply_id(start_at)
    anchor = replies.filter(pk=anchor_id).values("created_at", "pk").first() if anchor_id else None
    page = ReplyPage(replies=[], anchored=anchor is not None)
    if (anchor and reply_id(before)) or (latest and not anchor):
        newest_first = replies.filter(earlier_than(anchor)) if anchor else replies
        rows = list(newest_first.order_by("-created_at", "-id")[: REPLIES_PER_PAGE + 1])
        page.replies = rows[:REPLIES_PER_PAGE][::-1]
        page.later_from = anchor["pk"] if anchor else None
        if len(rows) > REPLIES_PER_PAGE:
            page.earlier_before = page.replies[0].pk
            first = {"created_at": page.replies[0].created_at, "pk": page.replies[0].pk}
            page.first_number = replies.filter(earlier_than(first)).count() + 1
    else:
        if anchor:
            page.first_number = replies.filter(earlier_than(anchor)).count() + 1
            if page.first_number > 1:
                page.earlier_before = anchor["pk"]
            replies = replies.exclude(earlier_than(anchor))
        rows = list(replies.order_by("created_at", "id")[: REPLIES_PER_PAGE + 1])
        page.replies = rows[:REPLIES_PER_PAGE]
        if len(rows) > REPLIES_PER_PAGE:
            page.later_from = rows[REPLIES_PER_PAGE].pk
    for number, reply in enumerate(page.replies, start=page.first_number):
        reply.number = number
        reply.dom_prefix = f"reply-{reply.pk}"  # unique ids for per-reply forms
    return page


def reply_id(value) -> int | None:
    """A reply id from a query string, or None for anything that cannot be one."""
    value = str(value or "")
    return int(value) if value.isdecimal() and len(value) < 19 else None


def attach_reactions(*, user, post: Post, replies) -> None:
    """Give the post and each reply ``reaction_rows`` (``reaction_rows`` below). One query,
    however many replies and reactions."""
    counts, mine = reaction_counts(post=post, replies=replies, user=user)
    for key, item in [("post", post), *((reply.pk, reply) for reply in replies)]:
        item.reaction_rows = reaction_rows(counts[key], mine[key])


def reaction_counts(*, post: Post, replies, user=None) -> tuple[dict, dict]:
    """How many of each reaction the post ("post") and each reply (by id) have, and which
    of them ``user`` gave (none without a user): two dictionaries of those keys."""
    reply_ids = [reply.pk for reply in replies]
    counts, mine = defaultdict(dict), defaultdict(set)
    rows = (
        Reaction.objects.filter(Q(post=post) | Q(reply_id__in=reply_ids))
        .values("post_id", "reply_id", "kind")
        .annotate(n=Count("id"), **({"mine": Count("id", filter=Q(user=user.pk))} if user else {}))
        .order_by()
    )
    for row in rows:
        key = row["reply_id"] or "post"
        counts[key][row["kind"]] = row["n"]
        if row.get("mine"):
            mine[key].add(row["kind"])
    return counts, mine


def reaction_rows(counts: dict, mine: set) -> list[tuple]:
    """(kind, label, count, mine) for every kind in the fixed set, in its order."""
    return [(kind, label, counts.get(kind, 0), kind in mine) for kind, label in REACTION_KINDS]


def members_of(group: Group):
    return (
        Membership.objects.filter(group=group, status=Membership.Status.ACTIVE)
        .select_related("user")
        .order_by("-role", "user__display_name")
    )


def pending_requests(group: Group):
    return (
        Membership.objects.filter(group=group, status=Membership.Status.PENDING)
        .select_related("user")
        .order_by("requested_at")
    )


class RecentPost(NamedTuple):
    """What the member's home shows of a recent post: its row is kept by these values."""

    pk: int
    group_slug: str
    group_name: str
    title: str
    shown_author: str
    reply_count: int
    last_activity_at: datetime
    folded: bool


def home_feed(user) -> tuple[list[int], list[RecentPost]]:
    """The ids of the member's groups (``active_memberships``), and the latest active
    threads across those groups, for their home page.

    For a member who moderates none of those groups, the threads are the same as for
    every such member of the same groups: they are kept (``versions.kept_or_built``, once
    the same groups at the same versions were asked for twice) under each group's id,
    address, name and list version, read with the memberships in one query. Any write to
    a post or reply of those groups, an author's new name, a group's rename, and joining
    or leaving a group moves the key, so a kept list never differs from one built now.
    What is kept shows what such a member sees (no author of an anonymous post, not even
    their id); folding a blocked author's post away is worked out for each member. A
    moderator's list (it names anonymous authors in their groups) is built for them."""
    rows = _MY_GROUPS.fetchall(user.pk)
    if not rows:
        return [], []
    group_ids = [row["group_id"] for row in rows]  # in order
    blocked = ids_in(rows[0]["blocked"])
    # can_moderate's answer for each group: staff moderate every group.
    moderated = set(group_ids) if is_site_staff(user) else {row["group_id"] for row in rows if row["moderates"]}

    def build() -> list[dict]:
        prepared = _RECENT_POSTS(len(group_ids))
        return prepared.fetchall(*group_ids) if prepared else list(_recent_posts(*group_ids))

    if moderated or len(group_ids) > KEPT_UP_TO_GROUPS or not pagecache.may_keep():
        shown = [_as_shown(row, moderates=row["group_id"] in moderated) for row in build()]
        return group_ids, [_recent_post(row, blocked) for row in shown]
    groups = [(row["group_id"], row["group__slug"], row["group__name"], row["version"]) for row in rows]
    key = f"recent-posts:{_RECENT_SHAPE}:{pagecache.digest_of(groups)}"
    kept = kept_or_built(
        LISTS,
        group_ids,
        key,
        lambda: [_as_shown(row, moderates=False) for row in build()],
        # Asked before, or built without taking any group's lock (a writer would wait).
        worth_keeping=lambda: pagecache.asked_before(key, KEPT_SECONDS),
        in_process=HELD_RECENT_POSTS,
    )
    return group_ids, [_recent_post(row, blocked) for row in kept]


def _as_shown(row: dict, *, moderates: bool) -> dict:
    """A row of ``_recent_posts`` as a member who moderates its group or not sees it: the
    name shown for its author, and no author id for an anonymous post."""
    post = SimpleNamespace(
        author_id=row["author_id"],
        author=SimpleNamespace(display_name=row["author__display_name"]),
        is_anonymous=row["is_anonymous"],
    )
    shown = {name: row[name] for name in _SHOWN}
    shown["shown_author"] = author_label(post, viewer_moderates=moderates)
    shown["author_id"] = None if row["is_anonymous"] else row["author_id"]
    return shown


# What a home row shows of a post; with its author's id (for the reader's blocks) and the
# name shown for them, all a kept row holds.
_SHOWN = ("id", "title", "group_id", "group__slug", "group__name", "is_anonymous", "reply_count", "last_activity_at")


def _recent_post(row: dict, blocked: set) -> RecentPost:
    post = SimpleNamespace(is_anonymous=row["is_anonymous"], author_blocked=row["author_id"] in blocked)
    return RecentPost(
        pk=row["id"],
        group_slug=row["group__slug"],
        group_name=row["group__name"],
        title=row["title"],
        shown_author=row["shown_author"],
        reply_count=row["reply_count"],
        last_activity_at=row["last_activity_at"],
        folded=is_folded(post),
    )


def _my_groups(user_id: int):
    """The member's active memberships: each group's id, address, name and list version,
    whether the member moderates it (``moderating_memberships``), and (the same on every
    row) the ids of the members the member blocked."""
    user = get_user_model()(pk=user_id)
    return (
        active_memberships(user)
        .order_by("group_id")
        .values(
            *("group_id", "group__slug", "group__name"),
            version=list_version("group"),
            moderates=Exists(moderating_memberships(user).filter(pk=OuterRef("pk"))),
            blocked=Subquery(blocked_by(user_id)),
        )
    )


# Compiled once per process (community/core/prepared.py).
_MY_GROUPS = PreparedValues(_my_groups)

RECENT_POSTS_SHOWN = 8
# What the home's query reads of each post; kept rows hold ``_SHOWN`` of it (``_as_shown``).
_RECENT_VALUES = (
    *("id", "title", "group_id", "author_id", "is_anonymous", "status", "reply_count", "last_activity_at"),
    *("group__name", "group__slug", "author__id", "author__display_name"),
)
# Keys name all of it and the labels (kept rows hold the name shown for their author): a
# release that keeps other rows never reads these.
_RECENT_SHAPE = pagecache.shape_of(_RECENT_VALUES, _SHOWN, RECENT_POSTS_SHOWN, ANONYMOUS_LABEL, FORMER_MEMBER_LABEL)
# The lists read most are held in each process as well (versions.KeptInProcess): nothing
# changes them (each member's folds are worked out into new RecentPost rows).
HELD_RECENT_POSTS = KeptInProcess(64)


def _recent_posts(*group_ids: int):
    """What the home page lists of the published posts in ``group_ids``, with group and
    author. The ids are literal, not a subquery on the memberships: PostgreSQL then walks
    each group's own posts, where a member of one quiet group made it read the whole site's
    newest posts (62 ms against 0.3)."""
    return (
        Post.objects.filter(published_content_q(group_ids))
        .order_by("-last_activity_at", "-id")
        .values(*_RECENT_VALUES)[:RECENT_POSTS_SHOWN]
    )


# Compiled once per process for each number of groups (community/core/prepared.py).
_RECENT_POSTS = for_each_length(_recent_posts, ids=0)


# --- meetings ------------------------------------------------------------------------------

# What a list of dates never shows of their meeting and group (a group's about and rules
# run to pages; forty dates fetched them forty times).
LONG_GROUP_TEXT = ("about", "rules")
LONG_MEETING_TEXT = ("description", "access_notes", *(f"group__{name}" for name in LONG_GROUP_TEXT))
# No date lasts a day: at most MAX_DURATION_MINUTES, plus an hour where the clocks go back.
LONGEST_DATE = timedelta(days=1)


def upcoming_occurrences(*, group_ids, after, before=None, limit: int | None = None):
    """Coming dates (cancelled ones included, marked) of the given groups' meetings, with
    their meeting and group."""
    return list(_upcoming_occurrences(group_ids, *_window(after, before), limit=limit))


def upcoming_dates(*, group_ids, after, before=None, limit: int) -> list[DateRow]:
    """``upcoming_occurrences`` as what a list shows of them, read on a query compiled
    once per process (community/core/prepared.py) and without building models; kept for
    the next request as ``_kept_dates`` says."""
    return _kept_dates(_upcoming_dates_asked(group_ids, after, before, limit))[0]


def _upcoming_dates_asked(group_ids, after, before, limit: int):
    group_ids = sorted(group_ids)
    if not group_ids:
        return None
    window = None if before is None else int((before - after).total_seconds())
    key = f"upcoming-dates:{_DATE_SHAPE}:{limit}:{window}:{pagecache.digest_of(*group_ids)}"
    return _DatesAsked(
        key, after, window, lambda: _upcoming_dates(group_ids, after, before, limit), lambda row: row.end
    )


def _upcoming_dates(group_ids, after, before, limit: int) -> list[DateRow]:
    times = _window(after, before)
    prepared = _UPCOMING_DATES(limit, len(times))(len(group_ids))
    if prepared is None:
        return [DateRow.of(o) for o in _upcoming_occurrences(group_ids, *times, limit=limit)]
    return [DateRow.from_values(row) for row in prepared.fetchall(*group_ids, *times)]


# A list of dates is kept until its first date ends, and while its window has an end, for
# a minute at most: that end moves on with the clock, and a date it reaches shows a minute
# late at worst. Without an end, for KEPT_DATES_LONGEST at most, only to bound the cache.
KEPT_DATES_WINDOW_MOVES = timedelta(minutes=1)
KEPT_DATES_LONGEST = timedelta(minutes=10)


class _DatesAsked(NamedTuple):
    """A list of dates ``build()`` gives from ``after`` on, kept under ``key`` (which names
    all else it depends on: the groups, the member, the limit and the window's length in
    seconds, ``window``, None for a list without an end); ``end_of`` a listed date's end."""

    key: str
    after: datetime
    window: int | None
    build: Callable
    end_of: Callable


def _kept_dates(*asked) -> list[list]:
    """Each list ``asked`` (an empty one for None), kept at the DATES generation
    (community/core/pagecache.py), so that any write to a date, a meeting, a group or an
    RSVP builds them again; all of them read in one round trip. A kept list is used from
    the moment it was built until its first date ends: every date it lists is still to
    come then, and a date it does not list could only have joined by a write or at the
    window's end."""
    keys = [one.key for one in asked if one is not None]
    generation, kept = pagecache.read_kept_many(pagecache.DATES, keys) if keys else (None, {})
    lists = []
    for one in asked:
        if one is None:
            lists.append([])
            continue
        found = kept[one.key]
        if found is not None:
            dates, built_at, until = found
            if built_at <= one.after < until:
                lists.append(dates)
                continue
        dates = one.build()
        longest = KEPT_DATES_LONGEST if one.window is None else KEPT_DATES_WINDOW_MOVES
        until = min([one.after + longest, *(one.end_of(date) for date in dates)])
        pagecache.keep(one.key, generation, (dates, one.after, until), int(longest.total_seconds()))
        lists.append(dates)
    return lists


# Kept dates are DateRows: a release that changes their fields never reads an earlier one's.
_DATE_SHAPE = pagecache.shape_of(list(DateRow.__annotations__.items()))


def _window(after, before) -> list:
    # The lower bound on start changes nothing in the result but lets PostgreSQL walk the
    # start index from yesterday instead of from the first date ever.
    return [after, after - LONGEST_DATE, *([before] if before is not None else [])]


def _upcoming_occurrences(group_ids, after, starts_after, before=None, *, limit):
    occurrences = (
        Occurrence.objects.filter(meeting__group_id__in=group_ids, end__gt=after, start__gt=starts_after)
        .select_related("meeting", "meeting__group")
        .defer(*(f"meeting__{name}" for name in LONG_MEETING_TEXT))
        .order_by("start", "id")
    )
    if before is not None:
        occurrences = occurrences.filter(start__lt=before)
    return occurrences[:limit] if limit else occurrences


@lru_cache(maxsize=8)
def _UPCOMING_DATES(limit: int, times: int):
    """upcoming_dates's query for each limit, with or without an end to the window, and
    each number of groups."""

    def build(*group_ids_and_times):
        group_ids, window = group_ids_and_times[:-times], group_ids_and_times[-times:]
        return _upcoming_occurrences(group_ids, *window, limit=limit).values(*DATE_VALUES.values())

    return for_each_length(build, ids=0, datetimes=times)


def my_rsvps(user, *, after, group_ids=None):
    """The member's confirmed and waitlisted dates ending after ``after``, in groups they
    still belong to (``group_ids`` when the caller has them), soonest first, with the
    date, meeting and group joined."""
    return (
        Rsvp.objects.filter(
            user=user,
            status__in=[Rsvp.Status.CONFIRMED, Rsvp.Status.WAITLISTED],
            occurrence__end__gt=after,
            occurrence__meeting__group_id__in=active_group_ids(user) if group_ids is None else group_ids,
        )
        .select_related("occurrence", "occurrence__meeting", "occurrence__meeting__group")
        .order_by("occurrence__start", "id")
    )


# How many of their own coming dates a member's lists show, unless told.
MY_DATES_SHOWN = 20


def my_upcoming(user, *, after, limit: int = MY_DATES_SHOWN, group_ids=None) -> list[tuple[DateRow, str]]:
    """The member's next dates across all their groups, each with their RSVP status, read
    as ``upcoming_dates`` reads them, and kept as it keeps them."""
    group_ids = active_group_ids(user) if group_ids is None else group_ids
    return _kept_dates(_my_upcoming_asked(user, after, limit, group_ids))[0]


def my_dates_and_coming(user, *, after, group_ids, coming_before, coming_limit: int):
    """``my_upcoming`` and ``upcoming_dates`` of the same groups (my meetings' two
    lists), read from what is kept in one round trip."""
    return _kept_dates(
        _my_upcoming_asked(user, after, MY_DATES_SHOWN, group_ids),
        _upcoming_dates_asked(group_ids, after, coming_before, coming_limit),
    )


def _my_upcoming_asked(user, after, limit: int, group_ids) -> _DatesAsked | None:
    group_ids = sorted(group_ids)
    if not group_ids:
        return None
    key = f"my-upcoming:{_DATE_SHAPE}:{user.pk}:{limit}:{pagecache.digest_of(*group_ids)}"
    return _DatesAsked(key, after, None, lambda: _my_upcoming(user, after, limit, group_ids), lambda row: row[0].end)


def _my_upcoming(user, after, limit: int, group_ids) -> list[tuple[DateRow, str]]:
    prepared = _MY_UPCOMING(limit)(len(group_ids))
    if prepared is None:
        rsvps = my_rsvps(user, after=after, group_ids=group_ids)
        rsvps = rsvps.defer(*(f"occurrence__meeting__{name}" for name in LONG_MEETING_TEXT))[:limit]
        return [(DateRow.of(rsvp.occurrence), rsvp.status) for rsvp in rsvps]
    rows = prepared.fetchall(user.pk, *group_ids, after)
    return [(DateRow.from_values(row, "occurrence__"), row["status"]) for row in rows]


@lru_cache(maxsize=8)
def _MY_UPCOMING(limit: int):
    """my_upcoming's query for each limit and number of groups."""

    def build(user_id, *group_ids_and_after):
        *group_ids, after = group_ids_and_after
        rsvps = my_rsvps(user_id, after=after, group_ids=group_ids)[:limit]
        return rsvps.values("status", *(f"occurrence__{name}" for name in DATE_VALUES.values()))

    return for_each_length(build, datetimes=1)


def calendar_feed_of(user) -> CalendarFeed | None:
    """The member's private calendar address, if they made one (my meetings shows it on
    every visit: read through a query compiled once per process)."""
    rows = _CALENDAR_FEED.fetchall(user.pk)
    return instance(CalendarFeed, rows[0]) if rows else None


_CALENDAR_FEED = PreparedValues(
    lambda user_id: CalendarFeed.objects.filter(user=user_id).values("id", "user_id", "token")
)


def rsvp_map(user, occurrences) -> dict:
    """occurrence id -> the user's RSVP (confirmed or waitlisted), for a list of dates."""
    if not user.is_authenticated:
        return {}
    return {
        rsvp.occurrence_id: rsvp
        for rsvp in Rsvp.objects.filter(
            user=user, occurrence__in=occurrences, status__in=[Rsvp.Status.CONFIRMED, Rsvp.Status.WAITLISTED]
        )
    }
