"""The queue's items are kept in the process by every value they show
(groups/moderation/queue_rows.py): whatever changes in an item, its content, its people
or the moderator's time zone shows at once, and each page has its own CSRF field."""

import re

import pytest
from django.urls import reverse

from groups.models import QueueItem
from groups.moderation.intake import create_report
from groups.moderation.queue import QueueIds, claim_item, queue_for
from groups.posts.actions import create_post, create_reply, edit_post


@pytest.fixture
def held(make_group, make_member, add_member):
    """A group that holds first posts, its moderator, and a member's held post."""
    group = make_group("Harbour", slug="harbour", hold_first_posts=1)
    moderator, author = make_member("Mod"), make_member("Ann")
    add_member(group, moderator, role="moderator")
    add_member(group, author)
    post = create_post(author=author, group=group, title="First words", body="It has been a **long** month.")
    return group, moderator, author, post


def reported_reply(group, moderator, make_post, make_member, add_member):
    """A moderator's published post, their reply to it, and a member's report of the reply."""
    published = make_post(group, moderator, title="Open thread")
    reply = create_reply(author=moderator, post=published, body="A reply to report")
    reporter = make_member("Cy")
    add_member(group, reporter)
    create_report(reporter=reporter, group=group, reply=reply, reason="spam", note="Looks like an advert")
    return published, reply, reporter


def queue_page(client) -> str:
    return client.get(reverse("moderation:queue")).content.decode()


def test_every_change_to_what_an_item_shows_shows_at_once(client, held, make_member, add_member):
    group, moderator, author, post = held
    client.force_login(moderator)
    page = queue_page(client)
    assert "First words" in page
    assert "<strong>long</strong>" in page
    assert "By Ann" in page
    item = QueueItem.objects.get(post=post)

    edit_post(user=author, post=post, title="First words, again", body="Better *today*.", content_warning="")
    page = queue_page(client)
    assert "First words, again" in page
    assert "<em>today</em>" in page
    assert "long" not in page

    author.display_name = "Annie"
    author.save()
    assert "By Annie" in queue_page(client)

    other = make_member("Bo")
    add_member(group, other, role="moderator")
    claim_item(moderator=other, item=item)
    assert "Being handled by Bo" in queue_page(client)

    QueueItem.objects.filter(pk=item.pk).update(why="A first post, held for review")
    assert "A first post, held for review" in queue_page(client)

    moderator.time_zone = "Asia/Tokyo"
    moderator.save()
    assert "JST" in queue_page(client)


def test_items_of_each_kind_show_what_they_are_about(client, held, make_member, add_member, make_post):
    group, moderator, author, post = held
    published, reply, _reporter = reported_reply(group, moderator, make_post, make_member, add_member)
    client.force_login(moderator)
    page = queue_page(client)
    assert "First words" in page  # a held post
    assert "A reply to report" in page
    assert "Looks like an advert" in page
    assert reply.get_absolute_url() in page.replace("&amp;", "&")


def test_each_page_carries_its_own_csrf_field(client, held):
    _group, moderator, _author, _post = held
    client.force_login(moderator)
    page = queue_page(client)
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page))
    assert tokens
    assert "<!--csrf-->" not in page
    claim = page.split('action="/moderation/items/', 1)[1]
    assert 'name="csrfmiddlewaretoken"' in claim.split("</form>", 1)[0]


def test_a_join_request_shows_its_answers_and_a_new_answer_shows_at_once(client, make_group, make_member, add_member):
    from groups.membership.actions import join_group
    from groups.models import JoinQuestion, Membership

    group = make_group("Quiet Room", slug="quiet", join_policy="request")
    JoinQuestion.objects.create(group=group, text="What brings you here?")
    moderator, asker = make_member("Mod"), make_member("Dee")
    add_member(group, moderator, role="moderator")
    join_group(user=asker, group=group, accepted_rules=True, answers=["Three treatments so far"])
    client.force_login(moderator)
    page = queue_page(client)
    assert "<strong>Dee</strong> asks to join" in page
    assert "Three treatments so far" in page
    Membership.objects.filter(user=asker, group=group).update(
        answers=[{"question": "What brings you here?", "answer": "Looking for others who tried TMS"}]
    )
    assert "Looking for others who tried TMS" in queue_page(client)


def test_an_item_decided_after_the_page_found_it_is_not_shown(held):
    """Between the page's ids and its items another moderator may decide one."""
    from groups.moderation.queue_rows import items_html

    _group, _moderator, _author, post = held
    item = QueueItem.objects.get(post=post)
    assert len(items_html([item.pk])) == 1
    QueueItem.objects.filter(pk=item.pk).update(status=QueueItem.Status.DONE)
    assert items_html([item.pk]) == []


def test_an_item_is_built_from_its_one_row_alone(
    held, make_member, add_member, make_post, django_assert_max_num_queries
):
    """Whatever the item shows comes from the page's one query: a field it does not read
    would be a query per item (and a value its key leaves out)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from groups.moderation.queue_rows import _item_html, items_html

    group, moderator, _author, _post = held
    published, _reply, reporter = reported_reply(group, moderator, make_post, make_member, add_member)
    create_report(reporter=reporter, group=group, post=published, reason="spam")
    _item_html.cache_clear()
    item_ids = list(QueueItem.objects.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as queries:
        shown = items_html(item_ids)
    assert len(shown) == 3
    selects = [query["sql"] for query in queries if query["sql"].lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1


@pytest.mark.parametrize("sent", [{"group": "abc"}, {"group": "999999"}, {"kind": "<b>odd</b>"}])
def test_a_refused_filter_value_is_never_repeated_into_the_page(client, held, sent):
    _group, moderator, _author, _post = held
    client.force_login(moderator)
    page = client.get(reverse("moderation:queue"), sent).content.decode()
    assert "That choice is not one of the available choices." in page
    for value in sent.values():
        assert value not in page
        assert value.replace("<", "&lt;").replace(">", "&gt;") not in page
    assert "First words" in page  # a refused filter filters nothing


@pytest.mark.parametrize("staff", [False, True])
@pytest.mark.parametrize("by_group", [False, True])
@pytest.mark.parametrize("kind", ["", QueueItem.Kind.REPORT, QueueItem.Kind.HELD_POST])
def test_the_compiled_count_and_pages_list_what_queue_for_lists(
    held, make_group, make_member, add_member, make_post, staff, by_group, kind
):
    """Each shape of the queue's page (staff or not, a group or not, a kind or not) counts
    and pages the same items as ``queue_for``, in its order: here a moderator of two of
    three groups, with held posts and reports in each."""
    group, moderator, author, post = held
    other, elsewhere = make_group("Second", hold_first_posts=1), make_group("Not theirs", hold_first_posts=1)
    add_member(other, moderator, role="moderator")
    for n, place in enumerate([group, other, elsewhere] * 3):
        writer = make_member(f"Writer {n}")
        add_member(place, writer)
        create_post(author=writer, group=place, title=f"Held {n}", body="Words")
        poster = make_member(f"Poster {n}")
        add_member(place, poster)
        create_report(reporter=writer, group=place, post=make_post(place, poster), reason="spam")
    viewer = make_member("Staff", is_staff=True) if staff else moderator
    group_id = other.pk if by_group else None
    expected = list(queue_for(viewer, group_id=group_id, kind=kind).values_list("pk", flat=True))
    assert expected  # every shape lists something here
    ids = QueueIds(viewer, group_id=group_id, kind=kind)
    assert ids.count() == len(expected)
    assert ids[0:2] + ids[2 : len(expected)] == expected
    assert ids[len(expected) : len(expected) + 25] == []
    # Read with the count (PostgreSQL): the page the Paginator is likely to ask for, and any
    # other page it asks for instead.
    for likely in (slice(0, 2), slice(2, 4), slice(len(expected), len(expected) + 2)):
        ids = QueueIds(viewer, group_id=group_id, kind=kind, likely=likely)
        assert ids.count() == len(expected)
        assert ids[likely.start : min(likely.stop, len(expected))] == expected[likely]
        assert ids[1:3] == expected[1:3]


@pytest.mark.parametrize(
    ("asked", "shown"),
    [("", 1), ("1", 1), ("2", 2), ("3", 2), ("0", 2), ("-1", 2), ("abc", 1), ("9" * 30, 2), ("1.5", 1)],
)
def test_any_page_asked_for_shows_the_page_the_paginator_picks(client, held, make_member, add_member, asked, shown):
    """The queue reads the page asked for with its count; a number it cannot show gives
    the page Django's Paginator picks (the first for words, the last past the end), with
    its items, never an error."""
    group, moderator, author, post = held
    for n in range(30):
        writer = make_member(f"Writer {n}")
        add_member(group, writer)
        create_post(author=writer, group=group, title=f"Held {n:02d}", body="Words")
    expected = list(queue_for(moderator).values_list("pk", flat=True))
    client.force_login(moderator)
    response = client.get(reverse("moderation:queue"), {"page": asked})
    assert response.status_code == 200
    page = response.context["page"]
    assert (page.number, page.paginator.count) == (shown, 31)
    assert list(page.object_list) == expected[(shown - 1) * 25 : shown * 25]
    assert len(response.context["items_html"]) == len(page.object_list)
