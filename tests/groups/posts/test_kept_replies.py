"""A thread's replies kept between requests (groups/posts/kept_replies.py).

What is asserted: every reader sees exactly the replies a page built for them alone
shows (their own buttons, folds, pressed reactions, token, time zone, and nobody else's);
every write a reader could see is on the next page, whatever wrote it; and the versions
the database keeps change on each such write.
"""

import pickle
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from community.core import pagecache
from community.models import Block, Notification
from community.privacy.actions import DeletionMode, delete_account
from groups.access import get_post_for_viewer
from groups.models import ContentStatus, Membership, Post, PostListChange, PostRead, Reply, ThreadChange
from groups.moderation.content import publish_held, remove_content
from groups.moderation.models import Reason
from groups.posts import kept_replies
from groups.posts.actions import delete_reply, edit_reply
from groups.posts.queries import REPLIES_PER_PAGE
from groups.posts.reactions import toggle_reaction
from groups.posts.versions import prune_change_logs

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def thread(make_group, make_member, add_member, make_post, make_reply):
    group = make_group("Kept Circle")
    people = {name: make_member(name) for name in ["Mod", "Author", "Ana", "Ben", "Cy", "Dee"]}
    people["Dee"].time_zone = "Asia/Tokyo"
    people["Dee"].save(update_fields=["time_zone"])
    add_member(group, people["Mod"], role=Membership.Role.MODERATOR)
    for name in ["Author", "Ana", "Ben", "Cy", "Dee"]:
        add_member(group, people[name])
    post = make_post(group, people["Author"], title="Mornings")
    replies = {
        "ana": make_reply(post, people["Ana"], body="Ana's first words"),
        "ben": make_reply(post, people["Ben"], body="Ben writes", content_warning="medication"),
        "anonymous": make_reply(post, people["Cy"], body="Said without a name", is_anonymous=True),
        "ana-later": make_reply(post, people["Ana"], body="Ana again"),
    }
    edit_reply(user=people["Ana"], reply=replies["ana"], body="Ana's words, edited", content_warning="")
    return group, people, post, replies


def page(user, url, **params):
    client = Client()
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def replies_of(html: str) -> str:
    """The replies section, with the CSRF token (masked anew on every page) left out."""
    section = html[html.index('<section aria-labelledby="replies-title"') :]
    return TOKEN.sub('name="csrfmiddlewaretoken"', section[: section.index("</section>")])


def built_alone(settings, user, url, **params) -> str:
    settings.KEEP_PAGES = False
    try:
        return replies_of(page(user, url, **params))
    finally:
        settings.KEEP_PAGES = True


@pytest.fixture
def builds(monkeypatch):
    """How many pages of replies were built to be kept."""
    calls = []
    build = kept_replies._build
    monkeypatch.setattr(kept_replies, "_build", lambda *args: calls.append(args) or build(*args))
    return calls


def test_every_reader_sees_what_a_page_built_for_them_alone_shows(thread, settings, builds):
    group, people, post, replies = thread
    toggle_reaction(user=people["Ben"], kind="support", reply=replies["ana"])
    toggle_reaction(user=people["Ben"], kind="hope", post=post)
    Block.objects.create(blocker=people["Cy"], blocked=people["Ana"])
    Block.objects.create(blocker=people["Ana"], blocked=people["Cy"])  # Cy's reply is anonymous
    Membership.objects.filter(user=people["Ben"], group=group).update(
        muted_until=post.created_at.replace(year=post.created_at.year + 1)
    )
    url = post.get_absolute_url()
    page(people["Author"], url)  # keeps the page
    shown = {name: replies_of(page(people[name], url)) for name in ["Author", "Ana", "Ben", "Cy", "Dee"]}
    # One page for the readers who may react in the site's time zone, one for Ben (muted),
    # one for Dee (Tokyo).
    assert len(builds) == 3
    for name, replies_shown in shown.items():
        assert replies_shown == built_alone(settings, people[name], url), name

    assert shown["Ana"].count(">Edit<") == 2
    assert ">Edit<" not in shown["Author"]
    assert "Folded away: you blocked this member" in shown["Cy"]
    assert "Folded away" not in shown["Ana"] + shown["Author"] + shown["Dee"]
    assert 'aria-pressed="true"' not in shown["Author"] + shown["Ana"]
    # Ben is muted: counts without buttons, his own reaction among them.
    assert 'name="kind"' not in shown["Ben"]
    assert 'class="reaction-count">1<' in shown["Ben"]
    assert "JST" in shown["Dee"]
    assert "JST" not in shown["Ana"]


def test_a_page_held_in_the_process_is_read_by_every_reader_unchanged(thread, settings, monkeypatch):
    """The page a process holds is the same object for every request: each reader's own
    replies, blocks and reactions are rendered from copies of its rows, so a reader who
    comes after another (the author of an anonymous reply among them) sees what a page
    built for them alone shows, however many times the readers take turns."""
    group, people, post, replies = thread
    toggle_reaction(user=people["Ben"], kind="support", reply=replies["ana"])
    toggle_reaction(user=people["Author"], kind="hope", reply=replies["anonymous"])
    Block.objects.create(blocker=people["Ana"], blocked=people["Ben"])
    Block.objects.create(blocker=people["Ben"], blocked=people["Cy"])  # Cy's reply is anonymous
    url = post.get_absolute_url()
    readers = ["Cy", "Ana", "Ben", "Author", "Cy", "Author", "Ben", "Ana"]
    alone = {name: built_alone(settings, people[name], url) for name in set(readers)}
    page(people["Author"], url)  # keeps the page, and holds it in this process
    read_back = []
    monkeypatch.setattr(pagecache, "kept_at", lambda key: read_back.append(key))
    for name in readers:
        assert replies_of(page(people[name], url)) == alone[name], name
    assert read_back == []  # every reader was served the page this process holds
    assert [alone[name].count(">Edit<") for name in ("Cy", "Ben", "Author")] == [1, 1, 0]  # their own replies
    assert "Folded away: you blocked this member" in alone["Ana"]
    assert "Folded away" not in alone["Ben"] + alone["Cy"]


def test_a_kept_page_carries_nothing_of_the_reader_it_was_built_for(thread):
    group, people, post, replies = thread
    toggle_reaction(user=people["Ana"], kind="me_too", reply=replies["ben"])
    url = post.get_absolute_url()
    ana = page(people["Ana"], url)  # built on Ana's request
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["Author"])
    author = client.get(url).content.decode()
    assert ">Edit<" in replies_of(ana)
    assert ">Edit<" not in replies_of(author)
    assert 'aria-pressed="true"' in replies_of(ana)
    assert 'aria-pressed="true"' not in replies_of(author)
    assert "\x00" not in author
    # The forms carry the reader's own token: the Author's reaction, sent from the page, counts.
    form = re.search(
        rf'<form method="post" action="([^"]*/replies/{replies["ben"].pk}/react/)">\s*<input type="hidden" '
        r'name="csrfmiddlewaretoken" value="([^"]+)"',
        author,
    )
    response = client.post(form[1], {"kind": "hope", "csrfmiddlewaretoken": form[2]})
    assert response.status_code == 302
    assert replies["ben"].reactions.filter(user=people["Author"], kind="hope").exists()


def write_reply(thread, make_reply):
    make_reply(thread[2], thread[1]["Ben"], body="A reply written later")
    return "A reply written later", None


def edit_words(thread, make_reply):
    edit_reply(user=thread[1]["Ben"], reply=thread[3]["ben"], body="Ben, edited", content_warning="")
    return "Ben, edited", "Ben writes"


def delete_words(thread, make_reply):
    delete_reply(user=thread[1]["Ben"], reply=thread[3]["ben"])
    return "This reply was deleted by its author.", "Ben writes"


def moderator_removes(thread, make_reply):
    remove_content(moderator=thread[1]["Mod"], content=thread[3]["ben"], reason=Reason.UNKIND)
    return None, "Ben writes"


def react(thread, make_reply):
    toggle_reaction(user=thread[1]["Ben"], kind="thank_you", reply=thread[3]["ana-later"])
    return 'Thank you <span class="reaction-count">1</span>', None


def take_back_a_reaction(thread, make_reply):
    toggle_reaction(user=thread[1]["Ana"], kind="me_too", reply=thread[3]["ben"])  # given before: see below
    return None, 'Me too <span class="reaction-count">'


def rename(thread, make_reply):
    ben = thread[1]["Ben"]
    ben.display_name = "Benedict"
    ben.save()
    return "<strong>Benedict</strong>", "<strong>Ben</strong>"


def leave_the_site(thread, make_reply):
    delete_account(user=thread[1]["Ben"], mode=DeletionMode.ANONYMISE)
    return "Former member", "<strong>Ben</strong>"


def write_without_the_application(thread, make_reply):
    with connection.cursor() as cursor:  # the admin's shell, a data fix: no Django signal
        cursor.execute(
            "UPDATE groups_reply SET body_html = %s WHERE id = %s", ["<p>Fixed by hand</p>", thread[3]["ben"].pk]
        )
    return "Fixed by hand", "Ben writes"


@pytest.mark.parametrize(
    "write",
    [
        write_reply,
        edit_words,
        delete_words,
        moderator_removes,
        react,
        take_back_a_reaction,
        rename,
        leave_the_site,
        write_without_the_application,
    ],
)
def test_every_write_is_on_the_next_page(thread, settings, make_reply, write):
    group, people, post, replies = thread
    url = post.get_absolute_url()
    if write is take_back_a_reaction:
        toggle_reaction(user=people["Ana"], kind="me_too", reply=replies["ben"])
    before = replies_of(page(people["Dee"], url))
    shows, no_longer = write(thread, make_reply)
    after = replies_of(page(people["Dee"], url))
    assert after == built_alone(settings, people["Dee"], url)
    assert after != before
    if shows:
        assert shows in after
    if no_longer:
        assert no_longer not in after


def test_a_reply_waiting_for_review_shows_to_its_author_and_the_moderators_only(thread, settings):
    group, people, post, replies = thread
    Reply.objects.filter(pk=replies["ana-later"].pk).update(status="held")
    url = post.get_absolute_url()
    dee = replies_of(page(people["Dee"], url))
    ana = replies_of(page(people["Ana"], url))
    moderator = replies_of(page(people["Mod"], url))
    assert "Ana again" not in dee
    assert "Ana again" in ana
    assert "Waiting for review" in ana
    assert "Ana again" in moderator
    assert ana == built_alone(settings, people["Ana"], url)


def test_moderators_get_their_tools_and_the_names_behind_anonymous_replies(thread):
    group, people, post, replies = thread
    remove_content(moderator=people["Mod"], content=replies["ben"], reason=Reason.UNKIND)
    url = post.get_absolute_url()
    member = replies_of(page(people["Dee"], url))
    moderator = replies_of(page(people["Mod"], url))
    assert "Cy (posted anonymously)" in moderator
    assert "Cy (posted anonymously)" not in member
    assert "Removed by moderators" in moderator
    assert "Ben writes" in moderator
    assert "Ben writes" not in member
    assert "Moderate" in moderator
    assert "Moderate" not in member


def test_pages_of_a_long_thread_are_kept_apart_and_made_up_anchors_are_not_kept(
    thread, make_reply, settings, monkeypatch
):
    group, people, post, replies = thread
    later = [
        make_reply(post, people["Ben"], body=f"Later words {n}") for n in range(kept_replies.queries.REPLIES_PER_PAGE)
    ]
    kept_keys = []
    real_set = cache.set
    monkeypatch.setattr(
        cache,
        "set",
        lambda key, *a, **k: kept_keys.append(key.startswith("thread-replies")) or real_set(key, *a, **k),
    )
    url = post.get_absolute_url()
    first = replies_of(page(people["Dee"], url))
    second = replies_of(page(people["Dee"], url, **{"from": later[-4].pk}))
    newest = replies_of(page(people["Dee"], url, latest="1"))
    assert "Later words 46" in second
    assert "Later words 46" not in first
    assert newest != first
    assert second == built_alone(settings, people["Dee"], url, **{"from": later[-4].pk})
    assert sum(kept_keys) == 3
    real = later[-4].pk
    for made_up in (
        {"from": "99999999"},
        {"before": "abc"},
        {"from": replies["ana"].pk + 10_000_000},
        # "before" wins over "from": a made-up "from" beside it chooses nothing.
        {"before": real, "from": "1"},
        {"before": real, "from": "2"},
    ):
        assert replies_of(page(people["Dee"], url, **made_up)) == built_alone(settings, people["Dee"], url, **made_up)
    assert sum(kept_keys) == 4  # the three pages, and the one before a real reply


def test_without_redis_every_page_is_built_for_its_reader(thread, settings, redis_down, builds):
    group, people, post, replies = thread
    url = post.get_absolute_url()
    for _ in range(3):
        shown = replies_of(page(people["Ana"], url))
        assert shown == built_alone(settings, people["Ana"], url)
    # Only the first request, which found Redis gone on the way, may have kept its page
    # (in this process's memory, under the thread's version: still exact).
    assert len(builds) <= 1


def version_of(post) -> int:
    return ThreadChange.objects.filter(post=post).order_by("-id").values_list("id", flat=True).first() or 0


def test_the_database_gives_the_thread_a_new_version_on_every_write(thread, make_reply):
    group, people, post, replies = thread
    seen = {version_of(post)}

    def changed():
        version = version_of(post)
        assert version not in seen
        seen.add(version)

    make_reply(post, people["Ben"], body="More")
    changed()
    toggle_reaction(user=people["Dee"], kind="hope", post=post)
    changed()
    toggle_reaction(user=people["Dee"], kind="hope", reply=replies["ben"])
    changed()
    toggle_reaction(user=people["Dee"], kind="hope", reply=replies["ben"])
    changed()
    Reply.objects.filter(pk=replies["ben"].pk).update(is_risk=True)
    changed()
    people["Ana"].display_name = "Anabel"
    people["Ana"].save()
    changed()
    people["Dee"].display_name = "Deirdre"  # has not replied here
    people["Dee"].save()
    assert version_of(post) in seen
    Reply.objects.filter(pk=replies["ana"].pk).delete()
    changed()


def test_a_write_that_was_rolled_back_leaves_no_version_a_later_write_reuses(thread, make_reply):
    # PostgreSQL's identity sequences never give a number twice. SQLite's AUTOINCREMENT
    # takes back a rolled-back one; no request keeps a page inside a transaction it then
    # rolls back, and SQLite is only for trying the site out (groups/posts/versions.py).
    if connection.vendor != "postgresql":
        pytest.skip("SQLite gives a rolled-back id again")
    group, people, post, replies = thread
    versions = []

    def write_then_fail():
        with transaction.atomic():
            make_reply(post, people["Ben"], body="Never sent")
            versions.append(version_of(post))
            raise RuntimeError

    with pytest.raises(RuntimeError):
        write_then_fail()
    rolled_back = versions[0]
    make_reply(post, people["Ben"], body="Sent")
    assert version_of(post) != rolled_back


def test_a_kept_thread_still_takes_its_new_marker_off(thread, make_reply):
    group, people, post, replies = thread
    url, posts = post.get_absolute_url(), reverse("groups:post-list", kwargs={"group_slug": group.slug})
    page(people["Author"], url)  # keeps the page
    assert "tag-new" in page(people["Dee"], posts)
    page(people["Dee"], url)
    assert "tag-new" not in page(people["Dee"], posts)
    make_reply(post, people["Ben"], body="News")
    assert "tag-new" in page(people["Dee"], posts)
    page(people["Dee"], url)
    assert "tag-new" not in page(people["Dee"], posts)


def test_the_sweep_keeps_only_each_threads_newest_change(thread, make_reply, django_assert_num_queries):
    group, people, post, replies = thread
    make_reply(post, people["Ben"], body="One more")
    version = version_of(post)
    assert ThreadChange.objects.filter(post=post).count() > 1
    with django_assert_num_queries(2):  # one DELETE per log, whatever it holds
        assert prune_change_logs() > 0
    assert list(ThreadChange.objects.filter(post=post).values_list("id", flat=True)) == [version]
    assert prune_change_logs() == 0


@pytest.mark.django_db(transaction=True)
def test_writers_never_wait_on_one_another_for_a_version(
    make_group, make_member, add_member, make_post, make_reply, second_connection
):
    """A reaction not yet committed in a thread must not hold up a reply, another reaction
    or a replier's new name in it: versions are rows added, never a row to update."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    group = make_group("Busy thread")
    ana, ben = make_member("Ana"), make_member("Ben")
    for member in (ana, ben):
        add_member(group, member)
    post = make_post(group, ana, title="Mornings")
    reply = make_reply(post, ben, body="Ben writes")
    other = second_connection()
    try:
        other.execute(
            "INSERT INTO groups_reaction (user_id, reply_id, kind, created_at) VALUES (%s, %s, 'hope', now())",
            [ana.pk, reply.pk],
        )  # and left open
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        make_reply(post, ana, body="Ana answers")
        toggle_reaction(user=ben, kind="support", reply=reply)
        ben.display_name = "Benedict"
        ben.save()
    finally:
        other.rollback()
        other.close()
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
    assert Reply.objects.filter(post=post).count() == 2


def test_the_cache_holds_no_deleted_words_and_no_anonymous_author(thread, monkeypatch):
    group, people, post, replies = thread
    delete_reply(user=people["Ben"], reply=replies["ben"])
    kept = []
    real_set = cache.set
    monkeypatch.setattr(
        cache,
        "set",
        lambda key, value, *a, **k: (
            kept.append(value) if key.startswith("thread-replies") else real_set(key, value, *a, **k)
        ),
    )
    page(people["Dee"], post.get_absolute_url())
    (entry,) = kept
    rows = {row.pk: row for row in entry.page.replies}
    assert "Ben writes" not in pickle.dumps(entry).decode("latin-1")
    assert rows[replies["ben"].pk].author_id is None
    assert rows[replies["anonymous"].pk].author_id is None
    # Only Cy's own requests can tell the reply is theirs.
    assert rows[replies["anonymous"].pk].author_key == kept_replies.author_key(people["Cy"].pk)
    assert rows[replies["anonymous"].pk].author_key not in {
        kept_replies.author_key(p.pk) for p in people.values() if p != people["Cy"]
    }


def test_an_unreadable_kept_page_is_built_again(thread, settings, monkeypatch):
    group, people, post, replies = thread
    url = post.get_absolute_url()
    page(people["Dee"], url)
    real_get = cache.get

    def unpickling_fails(key, *args, **kwargs):
        if key.startswith("thread-replies"):
            raise AttributeError("a class of an earlier release")
        return real_get(key, *args, **kwargs)

    monkeypatch.setattr(cache, "get", unpickling_fails)
    assert replies_of(page(people["Dee"], url)) == built_alone(settings, people["Dee"], url)


def test_a_thread_deleted_while_it_is_opened_is_not_found(thread, monkeypatch):
    group, people, post, replies = thread
    client = Client()
    client.force_login(people["Dee"])
    # The thread page reads the post and its reader in one statement, after the group:
    # a post gone by then is a 404.
    monkeypatch.setattr(kept_replies._POST_AND_READER, "fetchall", lambda *ids: [])
    assert client.get(post.get_absolute_url()).status_code == 404
    monkeypatch.undo()
    # A reply's preview reads the post first and its reader after: gone in between, a 404.
    monkeypatch.setattr(kept_replies._READER_IN_THREAD, "fetchall", lambda *ids: [])
    preview = reverse("groups:reply-create", args=[group.slug, post.pk])
    assert client.post(preview, {"body": "Not yet sent", "preview": "1"}).status_code == 404
    assert not Reply.objects.filter(body="Not yet sent").exists()


def test_the_thread_reads_its_post_and_reader_in_one_statement_with_the_same_rule(
    thread, make_post, make_group, add_member
):
    """``post_and_reader`` is ``get_post_for_viewer`` for readers: the same post, or the
    same 404, for every post of the thread's group and every address."""
    group, people, post, replies = thread
    held, removed, deleted = (make_post(group, people[name], title=name) for name in ("Ana", "Ben", "Cy"))
    for item, status in (
        (held, ContentStatus.HELD),
        (removed, ContentStatus.REMOVED),
        (deleted, ContentStatus.DELETED),
    ):
        Post.objects.filter(pk=item.pk).update(status=status)
    Block.objects.create(blocker=people["Ana"], blocked=people["Author"])
    elsewhere = make_group("Elsewhere")
    add_member(elsewhere, people["Ben"])
    other_group_post = make_post(elsewhere, people["Ben"], title="Other")
    ids = [post.pk, held.pk, removed.pk, deleted.pk, other_group_post.pk, 0, 2**63 - 1, 2**63, 10**30]
    for name in ["Author", "Ana", "Ben", "Cy", "Dee"]:
        user = people[name]
        for post_id in ids:
            try:
                expected = get_post_for_viewer(user, group, post_id)
            except Http404:
                expected = None
            try:
                found, reader = kept_replies.post_and_reader(user, group, post_id)
            except Http404:
                found = reader = None
            assert (found is None) == (expected is None), (name, post_id)
            if found is not None:
                assert found.pk == expected.pk
                assert found.author.display_name == expected.author.display_name
                assert found.author_blocked == expected.author_blocked
                assert found.__dict__.keys() >= {"title", "body_html", "status", "last_activity_at"}
                assert reader == kept_replies._reader_in(found, user)


def test_a_reply_moved_to_another_thread_changes_both(thread, make_post):
    group, people, post, replies = thread
    other = make_post(group, people["Ben"], title="Elsewhere")
    before = version_of(post), version_of(other)
    Reply.objects.filter(pk=replies["ben"].pk).update(post=other)
    assert version_of(post) != before[0]
    assert version_of(other) != before[1]


def test_every_trigger_behind_the_versions_is_in_the_database():
    """A migration that rebuilds a table (SQLite does for most changes) drops its triggers
    silently: kept pages would then go stale. This fails first."""
    tables = ["groups_reply", "groups_reaction", "groups_post"]
    expected = {f"{table}_{done}_logged" for table in tables for done in ("inserted", "updated", "deleted")}
    expected.add("community_user_renamed_logged")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            # PostgreSQL's reply triggers log the group as well (migration 0012); SQLite's
            # row triggers do it in triggers of their own.
            expected |= {f"groups_reply_{done}_list_logged" for done in ("inserted", "updated", "deleted")}
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {name for (name,) in cursor.fetchall()}
    assert expected <= present


def test_every_write_to_a_reply_moves_its_groups_list_version(thread, make_reply):
    """A member's kept search results show replies' words under their groups' list
    versions (community/search/queries.py): an edit touches the reply's row alone."""
    group, people, post, replies = thread

    def version():
        return PostListChange.objects.filter(group=group).order_by("-id").values_list("id", flat=True).first()

    seen = {version()}
    for write in (
        lambda: Reply.objects.filter(pk=replies["ben"].pk).update(body="Edited"),
        lambda: Reply.objects.filter(pk=replies["ben"].pk).update(status=ContentStatus.REMOVED),
        lambda: Reply.objects.filter(pk=replies["ana"].pk).delete(),
    ):
        write()
        assert version() not in seen
        seen.add(version())


def three_in_a_thread(make_group, make_member, add_member, make_post, make_reply):
    """Ana's post, Ben's reply to it, and Dee, who reads it."""
    group = make_group("Racing")
    ana, ben, dee = make_member("Ana"), make_member("Ben"), make_member("Dee")
    for member in (ana, ben, dee):
        add_member(group, member)
    post = make_post(group, ana, title="Mornings")
    reply = make_reply(post, ben, body="Words Ben takes back")
    return group, ana, ben, dee, post, reply


@pytest.mark.django_db(transaction=True)
def test_a_write_that_commits_after_a_later_one_still_reaches_the_page(
    make_group, make_member, add_member, make_post, make_reply, second_connection
):
    """Ids are taken when a write runs: the deletion below takes one before the reaction
    and commits after it, so the newest id does not move when the deletion appears. A
    reader meanwhile must not keep the page (found by review)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    group, ana, ben, dee, post, reply = three_in_a_thread(make_group, make_member, add_member, make_post, make_reply)
    url = post.get_absolute_url()
    assert "Words Ben takes back" in page(dee, url)
    other = second_connection()
    try:
        other.execute("UPDATE groups_reply SET status = 'deleted' WHERE id = %s", [reply.pk])  # left open
        toggle_reaction(user=ana, kind="hope", post=post)  # a later id, committed first
        assert "Words Ben takes back" in page(dee, url)  # the deletion is not committed yet
        other.commit()
    finally:
        other.close()
    assert "Words Ben takes back" not in page(dee, url)


def advisory_locks_of(other) -> int:
    (count,) = other.execute(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
    ).fetchone()
    return count


@pytest.mark.django_db(transaction=True)
def test_a_write_to_many_threads_takes_few_locks_waits_for_no_other_and_stops_readers_keeping(
    make_group, make_member, add_member, make_post, make_reply, second_connection
):
    """Locks come from a table of fixed size, shared by every connection (64 a connection
    by default): a demo seed, an account's deletion or a task can write to thousands of
    threads in one transaction, which failed with "out of shared memory" when each took a
    lock of its own (found seeding the large data set). Past a few threads a transaction
    takes a shared hold of one lock for every thread instead, and readers respect it as
    they do the others."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes no locks")
    group, ana, ben, dee, post, _reply = three_in_a_thread(make_group, make_member, add_member, make_post, make_reply)
    now = timezone.now()
    others = Post.objects.bulk_create(
        Post(group=group, author=ana, title=f"Thread {n}", body="Words.", last_activity_at=now) for n in range(80)
    )
    Reply.objects.bulk_create(Reply(post=other, author=ben, body="More words.") for other in others)
    Reply.objects.bulk_create(Reply(post=other, author=dee, body="Dee's words.") for other in others)
    url = post.get_absolute_url()
    assert "Words Ben takes back" in page(dee, url)
    other = second_connection()
    try:
        for one in others[:20]:  # one thread at a time, then all at once: both count
            other.execute(
                "UPDATE groups_reply SET body = 'Changed.' WHERE post_id = %s AND author_id = %s", [one.pk, ben.pk]
            )
        other.execute("UPDATE groups_reply SET status = 'deleted' WHERE author_id = %s", [ben.pk])  # left open
        assert advisory_locks_of(other) <= 40
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        Reply.objects.filter(author=dee).update(body="Dee edits everywhere")  # wide too: it must not wait
        toggle_reaction(user=ana, kind="hope", post=post)  # a later id, committed first
        assert "Words Ben takes back" in page(dee, url)  # not kept: the deletion is still open
        other.commit()
    finally:
        other.close()
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
    assert "Words Ben takes back" not in page(dee, url)


def writes_of(captured) -> list[str]:
    return [query["sql"] for query in captured if query["sql"].startswith(("INSERT", "UPDATE"))]


def test_reading_a_thread_again_writes_only_what_changed(thread, make_reply):
    """The reader's query learns their thread mark and whether a notification about the
    thread is unread; a page that would change neither writes nothing, and a new reply
    or notice is still marked read on the next visit."""
    group, people, post, replies = thread
    client = Client()
    client.force_login(people["Author"])  # notified of each reply
    url = post.get_absolute_url() + "?latest"
    client.get(url)
    assert not Notification.objects.filter(recipient=people["Author"], post=post, read_at__isnull=True).exists()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    assert writes_of(captured) == []
    make_reply(post, people["Ben"], body="One more")
    assert Notification.objects.filter(recipient=people["Author"], post=post, read_at__isnull=True).exists()
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    assert len(writes_of(captured)) == 2  # the thread mark moves on, the notice is read
    assert not Notification.objects.filter(recipient=people["Author"], post=post, read_at__isnull=True).exists()
    read_at = PostRead.objects.get(user=people["Author"], post=post).read_at
    assert read_at >= Post.objects.get(pk=post.pk).last_activity_at


def test_a_reader_part_way_through_an_old_thread_writes_nothing(thread):
    """A reader who has not reached the newest replies has no thread mark to move, and no
    notice about replies written an hour ago is still on its way: reading writes nothing."""
    group, people, post, replies = thread
    an_hour_ago = timezone.now() - timedelta(hours=1)
    Reply.objects.bulk_create(
        Reply(post=post, author=people["Ben"], body=f"Older words {n}", created_at=an_hour_ago)
        for n in range(REPLIES_PER_PAGE)
    )
    Reply.objects.filter(post=post).update(created_at=an_hour_ago)
    Post.objects.filter(pk=post.pk).update(last_activity_at=an_hour_ago)
    client = Client()
    client.force_login(people["Dee"])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(post.get_absolute_url())
    assert response.context["reply_page"].is_last is False
    assert writes_of(captured) == []
    assert not PostRead.objects.filter(user=people["Dee"], post=post).exists()


def reader_query_runs_before_the_notice(monkeypatch):
    """The reader's query, from now on, saw no unread notice: the announce task writes it
    just after (as it may while a page is built)."""
    reader_in = kept_replies._READER_IN_THREAD.fetchall

    def before_the_notice(*ids):
        return [{**row, "unread_notices": False} for row in reader_in(*ids)]

    monkeypatch.setattr(kept_replies._READER_IN_THREAD, "fetchall", before_the_notice)


def test_a_notice_that_arrives_while_the_page_is_built_is_still_marked_read(thread, make_reply, monkeypatch):
    """The reader's query may run before the announce task has written the notification
    about a reply the page then shows; a reply newer than the reader's mark still sends
    the notifications through mark_read."""
    group, people, post, replies = thread
    client = Client()
    client.force_login(people["Author"])
    url = post.get_absolute_url() + "?latest"
    client.get(url)
    make_reply(post, people["Ben"], body="Written while the page is built")
    reader_query_runs_before_the_notice(monkeypatch)
    assert "Written while the page is built" in client.get(url).content.decode()
    assert not Notification.objects.filter(recipient=people["Author"], post=post, read_at__isnull=True).exists()


def test_the_notice_of_a_reply_approved_late_is_marked_read_even_while_it_arrives(thread, monkeypatch):
    """A reply held for review and approved an hour after it was written is announced
    then: its notice may still be on its way while the page is built (a review found it
    left unread), although the reply itself is old."""
    group, people, post, replies = thread
    client = Client()
    client.force_login(people["Author"])
    url = post.get_absolute_url() + "?latest"
    client.get(url)
    PostRead.objects.filter(user=people["Author"]).update(read_at=timezone.now() - timedelta(hours=2))
    held = Reply.objects.create(
        post=post,
        author=people["Ben"],
        body="Held an hour, then approved",
        body_html="<p>Held an hour, then approved</p>",
        status=ContentStatus.HELD,
    )
    Reply.objects.filter(post=post).update(created_at=timezone.now() - timedelta(hours=1))
    publish_held(moderator=people["Mod"], content=held, group=group, note="")
    assert Notification.objects.filter(recipient=people["Author"], reply=held, read_at__isnull=True).exists()
    reader_query_runs_before_the_notice(monkeypatch)
    assert "Held an hour, then approved" in client.get(url).content.decode()
    assert not Notification.objects.filter(recipient=people["Author"], post=post, read_at__isnull=True).exists()


def test_a_process_holds_few_pages_and_none_longer_than_redis_keeps_it(monkeypatch):
    from groups.posts import versions  # noqa: PLC0415 - its clock is moved below

    now = [1000.0]
    monkeypatch.setattr(versions.time, "monotonic", lambda: now[0])
    held = versions.KeptInProcess(2, seconds=600)
    for key in ("a", "b", "c"):
        held.put(key, key.upper())
    assert (held.get("a"), held.get("b"), held.get("c")) == (None, "B", "C")  # the oldest went
    now[0] += 599
    assert held.get("c") == "C"
    now[0] += 1
    assert held.get("c") is None  # as long as Redis keeps it, no longer
