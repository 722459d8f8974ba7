"""Visitors' pages kept in the cache (community/core/pagecache.py): served again only while
nothing they show has changed, never to a member, never with another visitor's token."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community.care.models import CareEntry
from community.core import pagecache
from community.library.articles import load_articles
from community.library.models import Article
from community.models import Notification
from groups.models import Group
from tests.groups.meetings.factories import make_meeting

TABLES_READ = re.compile(r'(?:FROM|JOIN)\s+"(\w+)"')
NONCE = re.compile(r'nonce="([^"]+)"')


@pytest.fixture
def public(make_group, make_member, add_member):
    load_articles()
    group = make_group("Lantern Circle", slug="lantern-circle", description="Talking after work.")
    owner = make_member("Owner")
    add_member(group, owner, role="owner")
    make_meeting(group, owner, weeks=4)
    entry = CareEntry.objects.create(
        name="Calm Clinic",
        kind="clinic",
        treatments={"tms"},
        city="Denver",
        region="CO",
        postal_code="80202",
        latitude=39.75,
        longitude=-104.99,
    )
    article = Article.objects.filter(status="published").first()
    return {"group": group, "entry": entry, "article": article}


def kept(address: str) -> str:
    """A visitor's page at ``address``, asked for twice so that it is kept from then on."""
    Client().get(address)
    response = Client().get(address)
    assert response.status_code == 200
    return response.content.decode()


def visitor_pages(public) -> list[str]:
    return [
        "/",
        "/groups/",
        public["group"].get_absolute_url(),
        "/resources/",
        public["article"].get_absolute_url(),
        "/care/",
        "/care/?place=Denver%2C+CO&radius=25",
        "/search/?q=tms",
    ]


@pytest.mark.django_db
def test_the_private_tables_exist():
    assert set(connection.introspection.table_names()) >= pagecache.PRIVATE_TABLES


def test_no_visitor_page_reads_a_table_whose_writes_are_not_watched(public):
    for address in visitor_pages(public):
        with CaptureQueriesContext(connection) as queries:
            response = Client().get(address)
        assert response.status_code == 200, address
        read = {table for query in queries.captured_queries for table in TABLES_READ.findall(query["sql"])}
        assert read & pagecache.PRIVATE_TABLES == set(), address


def test_a_visitor_page_is_served_again_without_a_query(public, django_assert_num_queries):
    for address in visitor_pages(public):
        first = Client().get(address)
        Client().get(address)  # asked for twice: kept
        with django_assert_num_queries(0):
            again = Client().get(address)
        assert again.status_code == 200
        assert NONCE.sub("", again.content.decode()) == NONCE.sub("", first.content.decode()), address
        assert "Cookie" in again["Vary"]


def test_a_kept_page_gets_this_response_s_own_nonce(public):
    Client().get("/care/")
    first, again = Client().get("/care/"), Client().get("/care/")
    nonces = [NONCE.search(response.content.decode()).group(1) for response in (first, again)]
    assert nonces[0] != nonces[1]
    for response, nonce in zip((first, again), nonces, strict=True):
        assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("how", ["save", "update"])
def test_a_group_taken_out_of_the_directory_is_gone_from_the_next_visitor_s_pages(public, how):
    group = public["group"]
    link = f'href="{group.get_absolute_url()}"'
    assert link in kept("/groups/")
    assert link in kept("/search/?q=lantern")
    if how == "save":
        group.is_listed = False
        group.save()
    else:  # no signal is sent: the statement itself is seen
        Group.objects.filter(pk=group.pk).update(is_listed=False)
    assert link not in Client().get("/groups/").content.decode()
    assert link not in Client().get("/search/?q=lantern").content.decode()


def test_an_unpublished_article_is_gone_from_the_next_visitor_s_pages(public):
    article = public["article"]
    assert article.title in kept(article.get_absolute_url())
    assert article.title in kept("/resources/")
    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
    assert Client().get(article.get_absolute_url()).status_code == 404
    assert article.title not in Client().get("/resources/").content.decode()


def test_a_changed_care_entry_shows_on_the_next_visitor_s_page(public):
    assert "Calm Clinic" in kept("/care/?place=Denver%2C+CO")
    CareEntry.objects.filter(pk=public["entry"].pk).update(name="Quiet Clinic")
    page = Client().get("/care/?place=Denver%2C+CO").content.decode()
    assert "Quiet Clinic" in page
    assert "Calm Clinic" not in page


def test_writes_to_private_tables_leave_the_kept_pages_alone(public, make_member, add_member, make_post):
    author = make_member()
    add_member(public["group"], author)
    Client().get("/groups/")
    generation = pagecache.current_generation(pagecache.PUBLIC)
    make_post(public["group"], author, title="Only members read this")
    assert pagecache.current_generation(pagecache.PUBLIC) == generation


@pytest.mark.django_db(transaction=True)
def test_the_generation_changes_when_the_write_commits(make_group):
    group = make_group()
    before = pagecache.current_generation(pagecache.PUBLIC)
    with transaction.atomic():
        Group.objects.filter(pk=group.pk).update(name="Renamed")
        # Other processes render from the data before the commit, under this generation.
        assert cache.get(pagecache.generation_key(pagecache.PUBLIC)) == before
        # This thread reads its own write: a new generation for it.
        during = pagecache.current_generation(pagecache.PUBLIC)
        assert during not in (None, before)
    assert cache.get(pagecache.generation_key(pagecache.PUBLIC)) not in (None, before, during)


def test_members_never_get_a_visitor_s_page_and_theirs_is_never_kept(public, member_client, member):
    assert "Log in" in kept("/groups/")
    page = member_client.get("/groups/").content.decode()
    assert "Log out" in page
    assert "My groups" in page
    member_client.get("/")
    member_client.get("/")
    visitor_home = Client().get("/").content.decode()
    assert "Log out" not in visitor_home
    assert member.display_name not in visitor_home


def test_a_visitor_s_message_is_shown_on_a_kept_page(public, member_client):
    kept("/")
    response = member_client.post("/accounts/logout/", follow=True)
    assert "You have signed out." in response.content.decode()


def test_nothing_is_kept_while_redis_is_away(public, redis_down):
    """The cache then falls back to this process's memory, which other processes'
    writes never reach: a page kept there could be stale."""
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert Client().get("/groups/").status_code == 200
        assert len(queries) > 0


def test_a_page_holding_a_csrf_token_is_never_kept(db):
    calls = []

    @pagecache.visitor_page
    def with_form(request):
        calls.append(1)
        return HttpResponse(f"<form>{get_token(request)}</form>")

    @pagecache.visitor_page
    def without_form(request):
        calls.append(2)
        return HttpResponse("<p>Hello</p>")

    for _ in range(3):  # an address is kept when asked for the second time
        for address, view in (("/form/", with_form), ("/page/", without_form)):
            request = RequestFactory().get(address)
            request.user = AnonymousUser()
            view(request)
    assert calls == [1, 2, 1, 2, 1]


@pytest.mark.parametrize(
    ("sql", "table"),
    [
        ('INSERT INTO "groups_group" ("name") VALUES (%s)', "groups_group"),
        ('UPDATE "community_article" SET "status" = %s', "community_article"),
        ('DELETE FROM "groups_membership" WHERE "id" IN (%s)', "groups_membership"),
        ("  update public.community_careentry set name = 'x'", "community_careentry"),
        ('SELECT "groups_group"."id" FROM "groups_group"', None),
        ('SELECT "groups_group"."id" FROM "groups_group" FOR UPDATE', None),
        ('SAVEPOINT "s1"', None),
        ("SET LOCAL plan_cache_mode = force_generic_plan", None),
        ("SET LOCAL plan_cache_mode TO DEFAULT", None),
        ('TRUNCATE "groups_group"', pagecache.ANY_TABLE),
        ('WITH "x" AS (UPDATE "groups_group" SET "name" = %s) SELECT 1', pagecache.ANY_TABLE),
    ],
)
def test_written_table(sql, table):
    assert pagecache.written_table(sql) == table


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_members_share_the_directory_s_cards_in_their_own_time_zone(public, make_member, add_member, make_post):
    ana, ben = (make_member(name, time_zone="America/Denver") for name in ("Ana", "Ben"))
    cy = make_member("Cy", time_zone="Asia/Tokyo")
    group = public["group"]
    add_member(group, ben)
    post = make_post(group, ben, title="Hello")
    Notification.objects.create(recipient=ben, kind=Notification.Kind.NEW_POST, group=group, post=post)
    assert "MST" in signed_in(ana).get("/groups/").content.decode()
    with CaptureQueriesContext(connection) as queries:
        page = signed_in(ben).get("/groups/").content.decode()
    assert not [query for query in queries.captured_queries if '"groups_group"' in query["sql"]]
    assert 'href="/groups/lantern-circle/"' in page
    assert "MST" in page  # the cards Ana's page kept
    assert "1 unread" in page  # Ben's own header
    assert "1 unread" not in signed_in(ana).get("/groups/").content.decode()
    tokyo = signed_in(cy).get("/groups/").content.decode()
    assert "JST" in tokyo
    assert "MST" not in tokyo
    Group.objects.filter(pk=public["group"].pk).update(is_listed=False)
    assert 'href="/groups/lantern-circle/"' not in signed_in(ben).get("/groups/").content.decode()


def test_a_member_s_page_of_kept_cards_builds_neither_the_query_nor_the_filter(public, make_member, monkeypatch):
    from groups.directory import views as directory_views

    ana, ben = make_member("Ana"), make_member("Ben")
    for address in ("/groups/", "/groups/?q=lantern"):
        assert 'href="/groups/lantern-circle/"' in signed_in(ana).get(address).content.decode()

    def built(*args, **kwargs):
        raise AssertionError("built for a page whose cards are kept")

    monkeypatch.setattr(directory_views.queries, "directory_groups", built)
    monkeypatch.setattr(directory_views, "DirectoryFilterForm", built)
    for address in ("/groups/", "/groups/?q=lantern"):
        page = signed_in(ben).get(address).content.decode()
        assert 'href="/groups/lantern-circle/"' in page
        assert 'name="q"' in page


def test_a_statement_that_changes_no_row_leaves_the_kept_pages_alone(public):
    Client().get("/groups/")
    generation = pagecache.current_generation(pagecache.PUBLIC)
    Group.objects.filter(pk=-1).update(name="Nobody")
    assert pagecache.current_generation(pagecache.PUBLIC) == generation
    Group.objects.filter(pk=public["group"].pk).update(name="Somebody")
    assert pagecache.current_generation(pagecache.PUBLIC) != generation


def test_an_address_asked_for_once_is_not_kept(public, django_assert_num_queries):
    """Made-up query strings cannot fill the cache with pages."""
    Client().get("/search/?q=lantern&x=1")
    with CaptureQueriesContext(connection) as queries:
        Client().get("/search/?q=lantern&x=2")
    assert len(queries) > 0
    Client().get("/search/?q=lantern&x=2")
    with django_assert_num_queries(0):
        Client().get("/search/?q=lantern&x=2")


def test_a_kept_item_another_release_cannot_read_is_built_afresh_and_replaced(
    public, monkeypatch, django_assert_num_queries
):
    """A release that changes the shape of what is kept must not answer 500 until it expires."""
    key = pagecache._page_key(RequestFactory().get("/groups/"))
    cache.set(key, "kept by another release")
    unpickle = cache.get_many

    def unreadable(keys, *args, **kwargs):
        if key in keys and cache.get(key) == "kept by another release":
            raise AttributeError("Can't get attribute 'KeptPage'")
        return unpickle(keys, *args, **kwargs)

    monkeypatch.setattr(cache, "get_many", unreadable)
    for _ in range(2):
        response = Client().get("/groups/")
        assert response.status_code == 200
        assert 'href="/groups/lantern-circle/"' in response.content.decode()
    with django_assert_num_queries(0):
        assert Client().get("/groups/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_transaction_renews_each_generation_once_when_it_commits(make_group, monkeypatch):
    groups = [make_group() for _ in range(3)]
    renewed = []
    monkeypatch.setattr(pagecache, "new_generations", lambda *names: renewed.append(set(names)))
    with transaction.atomic():
        for group in groups:
            Group.objects.filter(pk=group.pk).update(name=f"Renamed {group.pk}")
        assert renewed == []  # nobody else can read the new names yet
    assert renewed == [set(pagecache.generations_written("groups_group"))]


@pytest.mark.django_db(transaction=True)
def test_a_write_kept_after_a_savepoint_rolled_back_is_still_announced(make_group, monkeypatch):
    group = make_group()
    renewed = []
    monkeypatch.setattr(pagecache, "new_generations", lambda *names: renewed.append(set(names)))
    with transaction.atomic():
        try:
            with transaction.atomic():
                Group.objects.filter(pk=group.pk).update(name="Rolled back")
                raise RuntimeError
        except RuntimeError:
            pass
        Group.objects.filter(pk=group.pk).update(name="Kept")
    written = set(pagecache.generations_written("groups_group"))
    assert renewed == [written]
    with transaction.atomic():
        Group.objects.filter(pk=group.pk).update(name="Kept again")
    assert renewed == [written, written]


@pytest.mark.django_db(transaction=True)
def test_a_member_reading_their_notifications_renews_nothing_kept(
    client, make_group, make_member, add_member, make_post, make_reply
):
    """The list's query runs with a SET LOCAL before it (community/core/prepared.py
    one_plan), which was taken for a write to every table: each visit threw away every
    kept page and every member's header counts (found measuring the page)."""
    group = make_group("Harbour")
    ana, ben = make_member("Ana"), make_member("Ben")
    for member in (ana, ben):
        add_member(group, member)
    make_reply(make_post(group, ana, title="Mornings"), ben)
    client.force_login(ana)
    names = (pagecache.PUBLIC, pagecache.MEETINGS, pagecache.HEADER, pagecache.SCREENING)
    client.get(reverse("community:notification-list"))
    before = {name: cache.get(pagecache.generation_key(name)) for name in names}
    for _ in range(6):  # past the threshold at which statements are prepared
        assert b"Mornings" in client.get(reverse("community:notification-list")).content
    assert {name: cache.get(pagecache.generation_key(name)) for name in names} == before


@pytest.mark.django_db
def test_kept_items_of_one_generation_are_read_in_one_round_trip(monkeypatch):
    generation, _nothing = pagecache.read_kept(pagecache.PUBLIC, "warm")
    pagecache.keep("kept-a", generation, "A", 60)
    pagecache.keep("kept-b", generation, ["B"], 60)
    pagecache.keep("kept-old", "an earlier generation", "old", 60)
    asked = []
    get_many = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys, *a, **k: asked.append(keys) or get_many(keys, *a, **k))
    keys = ["kept-a", "kept-b", "kept-old", "kept-never"]
    assert pagecache.read_kept_many(pagecache.PUBLIC, keys) == (
        generation,
        {"kept-a": "A", "kept-b": ["B"], "kept-old": None, "kept-never": None},
    )
    assert asked == [[pagecache.generation_key(pagecache.PUBLIC), *keys]]
    # A write to what visitors see moves the generation: nothing of the old one is read.
    monkeypatch.undo()
    pagecache.new_generations(pagecache.PUBLIC)
    new, found = pagecache.read_kept_many(pagecache.PUBLIC, keys)
    assert new != generation
    assert found == dict.fromkeys(keys)
