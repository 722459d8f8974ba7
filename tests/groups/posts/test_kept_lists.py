"""A group's list of posts kept between requests (groups/posts/kept_lists.py).

What is asserted: every reader sees exactly the rows a page built for them alone shows
(their read markers, their folds, their own post waiting for review, their time zone, and
nobody else's); every write a reader could see is on the next page, whatever wrote it;
and the versions the database keeps change on each such write, in that group only.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from community.core import pagecache
from community.models import Block
from community.privacy.actions import DeletionMode, delete_account
from groups.models import Membership, Post, PostListChange, PostRead
from groups.moderation.content import remove_content
from groups.moderation.models import Reason
from groups.posts import kept_lists
from groups.posts.actions import delete_post, edit_post
from groups.posts.queries import POSTS_PER_PAGE

pytestmark = pytest.mark.django_db


@pytest.fixture
def group_with_posts(make_group, make_member, add_member, make_post):
    group = make_group("Listed Circle")
    people = {name: make_member(name) for name in ["Mod", "Ana", "Ben", "Cy", "Dee"]}
    people["Dee"].time_zone = "Asia/Tokyo"
    people["Dee"].save(update_fields=["time_zone"])
    add_member(group, people["Mod"], role=Membership.Role.MODERATOR)
    for name in ["Ana", "Ben", "Cy", "Dee"]:
        add_member(group, people[name])
    posts = {
        "ana": make_post(group, people["Ana"], title="Ana asks about mornings"),
        "ben": make_post(group, people["Ben"], title="Ben on waiting lists", content_warning="medication"),
        "anonymous": make_post(group, people["Cy"], title="Said without a name", is_anonymous=True),
        "pinned": make_post(group, people["Mod"], title="Welcome, read this first"),
    }
    Post.objects.filter(pk=posts["pinned"].pk).update(is_pinned=True)
    return group, people, posts


def list_url(group, **params) -> str:
    return reverse("groups:post-list", kwargs={"group_slug": group.slug})


def rows_of(user, group, **params) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(list_url(group), params)
    assert response.status_code == 200
    html = response.content.decode()
    if '<ul class="post-list">' not in html:
        return ""
    rows = html[html.index('<ul class="post-list">') :]
    return rows[: rows.index("</ul>")]


def built_alone(settings, user, group, **params) -> str:
    settings.KEEP_PAGES = False
    try:
        return rows_of(user, group, **params)
    finally:
        settings.KEEP_PAGES = True


@pytest.fixture
def builds(monkeypatch):
    """How many pages of the list were built to be kept."""
    calls = []
    build = kept_lists._build
    monkeypatch.setattr(kept_lists, "_build", lambda *args: calls.append(args) or build(*args))
    return calls


def read(user, post):
    client = Client()
    client.force_login(user)
    assert client.get(post.get_absolute_url()).status_code == 200


def test_every_reader_sees_what_a_page_built_for_them_alone_shows(group_with_posts, settings, builds):
    group, people, posts = group_with_posts
    read(people["Ana"], posts["ben"])
    read(people["Ben"], posts["ana"])
    Block.objects.create(blocker=people["Cy"], blocked=people["Ana"])
    Block.objects.create(blocker=people["Ana"], blocked=people["Cy"])  # Cy's post is anonymous
    shown = {name: rows_of(people[name], group) for name in ["Ana", "Ben", "Cy", "Dee"]}
    assert len(builds) == 2  # the site's time zone, and Tokyo's
    for name, rows in shown.items():
        assert rows == built_alone(settings, people[name], group), name
    assert "A post from a member you blocked" in shown["Cy"]
    assert "Ana asks about mornings" not in shown["Cy"]
    assert "A post from a member you blocked" not in shown["Ana"] + shown["Ben"] + shown["Dee"]
    assert shown["Ana"].count("tag-new") == shown["Dee"].count("tag-new") - 1
    assert "JST" in shown["Dee"]
    assert "JST" not in shown["Ana"]


def test_a_list_held_in_the_process_is_read_by_every_reader_unchanged(group_with_posts, settings, monkeypatch):
    """The list a process holds is the same object for every request: each reader's new
    markers and folds are theirs alone, however many times the readers take turns."""
    group, people, posts = group_with_posts
    read(people["Ana"], posts["ben"])
    Block.objects.create(blocker=people["Cy"], blocked=people["Ana"])
    Block.objects.create(blocker=people["Ben"], blocked=people["Cy"])  # Cy's post is anonymous
    readers = ["Cy", "Ana", "Ben", "Cy", "Dee", "Ana", "Cy", "Ben"]
    alone = {name: built_alone(settings, people[name], group) for name in set(readers)}
    rows_of(people["Ben"], group)  # keeps the list, and holds it in this process
    rows_of(people["Dee"], group)  # another time zone: another list
    read_back = []
    monkeypatch.setattr(pagecache, "kept_at", lambda key: read_back.append(key))
    for name in readers:
        assert rows_of(people[name], group) == alone[name], name
    assert read_back == []  # every reader was served the list this process holds
    assert "A post from a member you blocked" in alone["Cy"]
    assert "A post from a member you blocked" not in alone["Ana"] + alone["Ben"] + alone["Dee"]
    assert alone["Ana"].count("tag-new") == alone["Ben"].count("tag-new") - 1


def write_post(group_with_posts, make_post):
    make_post(group_with_posts[0], group_with_posts[1]["Ben"], title="A post written later")
    return "A post written later", None


def edit_a_title(group_with_posts, make_post):
    edit_post(
        user=group_with_posts[1]["Ben"],
        post=group_with_posts[2]["ben"],
        title="Ben, on lists",
        body="Words.",
        content_warning="",
    )
    return "Ben, on lists", "Ben on waiting lists"


def reply(group_with_posts, make_post):
    from groups.posts.actions import create_reply  # noqa: PLC0415 - as the other writes, by the action

    create_reply(author=group_with_posts[1]["Dee"], post=group_with_posts[2]["ana"], body="Same here")
    return "1 reply", None


def author_deletes(group_with_posts, make_post):
    delete_post(user=group_with_posts[1]["Ben"], post=group_with_posts[2]["ben"])
    return None, "Ben on waiting lists"


def moderator_removes(group_with_posts, make_post):
    remove_content(moderator=group_with_posts[1]["Mod"], content=group_with_posts[2]["ben"], reason=Reason.UNKIND)
    return None, "Ben on waiting lists"


def unpin(group_with_posts, make_post):
    Post.objects.filter(pk=group_with_posts[2]["pinned"].pk).update(is_pinned=False)
    return None, '<span class="tag">Pinned</span>'


def rename(group_with_posts, make_post):
    ben = group_with_posts[1]["Ben"]
    ben.display_name = "Benedict"
    ben.save()
    return "Benedict ·", "Ben ·"


def leave_the_site(group_with_posts, make_post):
    delete_account(user=group_with_posts[1]["Ben"], mode=DeletionMode.ANONYMISE)
    return "Former member", "Ben ·"


def write_without_the_application(group_with_posts, make_post):
    with connection.cursor() as cursor:  # the admin's shell, a data fix: no Django signal
        cursor.execute(
            "UPDATE groups_post SET title = %s WHERE id = %s", ["Fixed by hand", group_with_posts[2]["ben"].pk]
        )
    return "Fixed by hand", "Ben on waiting lists"


@pytest.mark.parametrize(
    "write",
    [
        write_post,
        edit_a_title,
        reply,
        author_deletes,
        moderator_removes,
        unpin,
        rename,
        leave_the_site,
        write_without_the_application,
    ],
)
def test_every_write_is_on_the_next_page(group_with_posts, settings, make_post, write):
    group, people, posts = group_with_posts
    before = rows_of(people["Dee"], group)
    shows, no_longer = write(group_with_posts, make_post)
    after = rows_of(people["Dee"], group)
    assert after == built_alone(settings, people["Dee"], group)
    assert after != before
    if shows:
        assert shows in after
    if no_longer:
        assert no_longer not in after


def test_reading_a_post_takes_its_new_marker_off_for_that_reader_only(group_with_posts):
    group, people, posts = group_with_posts
    rows_of(people["Ben"], group)  # keeps the page
    read(people["Dee"], posts["ana"])
    dee, ben = rows_of(people["Dee"], group), rows_of(people["Ben"], group)
    ana_row = f'href="{posts["ana"].get_absolute_url()}"'
    assert "tag-new" not in dee.split(ana_row)[1].split("</h3>")[0]
    assert "tag-new" in ben.split(ana_row)[1].split("</h3>")[0]


def test_a_post_waiting_for_review_shows_to_its_author_and_the_moderators_only(group_with_posts, settings):
    group, people, posts = group_with_posts
    Post.objects.filter(pk=posts["ana"].pk).update(status="held")
    dee, ana, moderator = (rows_of(people[name], group) for name in ["Dee", "Ana", "Mod"])
    assert "Ana asks about mornings" not in dee
    assert "Ana asks about mornings" in ana
    assert "Waiting for review" in ana
    assert "Ana asks about mornings" in moderator
    assert ana == built_alone(settings, people["Ana"], group)


def test_moderators_see_removed_posts_and_the_names_behind_anonymous_ones(group_with_posts):
    group, people, posts = group_with_posts
    remove_content(moderator=people["Mod"], content=posts["ben"], reason=Reason.UNKIND)
    member, moderator = rows_of(people["Dee"], group), rows_of(people["Mod"], group)
    assert "Cy (posted anonymously)" in moderator
    assert "Cy (posted anonymously)" not in member
    assert "Removed by moderators" in moderator
    assert "Ben on waiting lists" not in member


def test_later_pages_are_kept_only_at_a_place_in_the_list(group_with_posts, make_post, settings, monkeypatch):
    group, people, posts = group_with_posts
    for n in range(POSTS_PER_PAGE + 5):
        make_post(group, people["Ben"], title=f"Later post {n:02d}")
    kept_keys = []
    real_set = cache.set
    monkeypatch.setattr(
        cache,
        "set",
        lambda key, *a, **k: kept_keys.append(key.startswith("post-list")) or real_set(key, *a, **k),
    )
    client = Client()
    client.force_login(people["Dee"])
    first = client.get(list_url(group))
    cursor = first.context["next_cursor"]
    second = rows_of(people["Dee"], group, after=cursor)
    assert "Later post 04" in second
    assert "Later post 04" not in rows_of(people["Dee"], group)
    assert second == built_alone(settings, people["Dee"], group, after=cursor)
    assert sum(kept_keys) == 2
    when, _, post_id = cursor.rpartition("_")
    for made_up in (f"{when}_{int(post_id) + 1}", "2020-01-01T00:00:00+00:00_1", "not-a-cursor"):
        assert rows_of(people["Dee"], group, after=made_up) == built_alone(
            settings, people["Dee"], group, after=made_up
        )
    assert sum(kept_keys) == 2


def test_without_redis_every_page_is_built_for_its_reader(group_with_posts, settings, redis_down, builds):
    group, people, posts = group_with_posts
    for _ in range(3):
        assert rows_of(people["Ana"], group) == built_alone(settings, people["Ana"], group)
    # Only the first request, which found Redis gone on the way, may have kept its page.
    assert len(builds) <= 1


def version_of(group) -> int:
    return PostListChange.objects.filter(group=group).order_by("-id").values_list("id", flat=True).first() or 0


def test_the_database_gives_the_list_a_new_version_on_every_write_to_it(
    group_with_posts, make_group, make_member, add_member, make_post
):
    group, people, posts = group_with_posts
    elsewhere = make_group("Elsewhere")
    outsider = make_member("Outsider")
    add_member(elsewhere, outsider)
    seen = {version_of(group)}

    def changed():
        version = version_of(group)
        assert version not in seen
        seen.add(version)

    make_post(group, people["Ben"], title="More")
    changed()
    Post.objects.filter(pk=posts["ben"].pk).update(is_locked=True)
    changed()
    people["Ana"].display_name = "Anabel"
    people["Ana"].save()
    changed()
    make_post(elsewhere, outsider, title="In another group")
    outsider.display_name = "Renamed outsider"
    outsider.save()
    assert version_of(group) in seen
    Post.objects.filter(pk=posts["ana"].pk).delete()
    changed()


@pytest.mark.django_db(transaction=True)
def test_a_write_that_commits_after_a_later_one_still_reaches_the_list(
    make_group, make_member, add_member, make_post, second_connection
):
    """As for a thread (test_kept_replies.py): a title changed in a transaction that took
    its id first and commits last is on the next page."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    group = make_group("Racing list")
    ana, dee = make_member("Ana"), make_member("Dee")
    for member in (ana, dee):
        add_member(group, member)
    first = make_post(group, ana, title="First words")
    assert "First words" in rows_of(dee, group)
    other = second_connection()
    try:
        other.execute("UPDATE groups_post SET title = 'Renamed words' WHERE id = %s", [first.pk])  # left open
        make_post(group, ana, title="A later post")  # a later id, committed first
        assert "First words" in rows_of(dee, group)
        other.commit()
    finally:
        other.close()
    assert "Renamed words" in rows_of(dee, group)


@pytest.mark.parametrize("count", [1, 3, 70])
def test_a_pages_read_markers_are_the_readers_own(make_group, make_member, add_member, make_post, count):
    """Read through a query compiled once for each number of posts (past 63, the ORM's)."""
    group = make_group("Markers")
    ana, ben = make_member("Ana"), make_member("Ben")
    for member in (ana, ben):
        add_member(group, member)
    posts = [make_post(group, ana, title=f"Post {n}") for n in range(count)]
    read = posts[::2]
    PostRead.objects.bulk_create(PostRead(user=ben, post=post, read_at=timezone.now()) for post in read)
    PostRead.objects.create(user=ana, post=posts[-1], read_at=timezone.now())  # someone else's
    markers = kept_lists._read_markers(ben.pk, [post.pk for post in posts])
    assert markers == dict(PostRead.objects.filter(user=ben).values_list("post", "read_at"))
    assert set(markers) == {post.pk for post in read}
