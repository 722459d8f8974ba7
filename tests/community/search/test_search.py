"""Site search: resources, listed groups, and only the posts and replies the viewer may
read (the same rule as the rest of the site: groups/access.py)."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community.library.articles import load_articles
from community.search.queries import search_site
from community.search.textmatch import highlight, query_terms, snippet
from groups.models import ContentStatus, Post, Reply

CANARY = "zebracanary"
on_postgres = pytest.mark.skipif(not settings.IS_POSTGRES, reason="PostgreSQL full-text search")


@pytest.fixture
def world(make_member, make_group, add_member, make_post, make_reply, staff):
    """Two groups with a member each, an unlisted group, and the canary word in every
    kind of content: published, held, removed, deleted, in a post and in replies."""
    load_articles()
    mine = make_group("Quiet Harbour", slug="quiet-harbour")
    theirs = make_group("Other Shore", slug="other-shore")
    hidden = make_group("Hidden Cove", slug="hidden-cove", is_listed=False)
    me, them = make_member("Searcher"), make_member("Someone Else")
    add_member(mine, me)
    add_member(theirs, them)
    add_member(hidden, them)
    posts = {
        "mine": make_post(mine, me, title=f"My {CANARY} evening", body=f"Walking helped with the {CANARY} tonight."),
        "theirs": make_post(theirs, them, title=f"Their {CANARY} post", body=f"Private {CANARY} words."),
        "hidden": make_post(hidden, them, title=f"Hidden {CANARY}", body=f"Unlisted {CANARY}."),
        "held": make_post(mine, me, title=f"Held {CANARY}", body=f"Held {CANARY} text."),
        "removed": make_post(mine, me, title=f"Removed {CANARY}", body=f"Removed {CANARY} text."),
        "deleted": make_post(mine, me, title=f"Deleted {CANARY}", body=f"Deleted {CANARY} text."),
    }
    replies = {
        "mine": make_reply(posts["mine"], me, body=f"A kind {CANARY} reply."),
        "theirs": make_reply(posts["theirs"], them, body=f"Their {CANARY} reply."),
        "held": make_reply(posts["mine"], me, body=f"Held reply {CANARY}."),
        "on_removed": make_reply(posts["removed"], me, body=f"Reply under a removed post {CANARY}."),
    }
    Post.objects.filter(pk=posts["held"].pk).update(status=ContentStatus.HELD)
    Post.objects.filter(pk=posts["removed"].pk).update(status=ContentStatus.REMOVED)
    Post.objects.filter(pk=posts["deleted"].pk).update(status=ContentStatus.DELETED)
    Reply.objects.filter(pk=replies["held"].pk).update(status=ContentStatus.HELD)
    return {"me": me, "them": them, "staff": staff, "posts": posts, "replies": replies, "mine": mine}


def search_as(user, q, **params):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(reverse("community:search"), {"q": q, **params})


NEVER_SHOWN = ["Held", "Removed", "Deleted", "Reply under a removed post"]


@pytest.mark.django_db
def test_member_finds_their_groups_post_and_reply_but_not_another_groups(world):
    html = search_as(world["me"], CANARY).content.decode()
    assert "My <mark>zebracanary</mark> evening" in html
    assert "A kind <mark>zebracanary</mark> reply." in html
    assert "Their" not in html
    assert "Private" not in html
    assert "Hidden" not in html
    for word in NEVER_SHOWN:
        assert f"{word} <mark>" not in html
        assert f"{word} reply" not in html


@pytest.mark.django_db
def test_held_removed_and_deleted_content_is_never_found_even_by_its_author_or_staff(world):
    for user in (world["me"], world["staff"]):
        found = search_site(user=user, text=CANARY, kind="posts") + search_site(user=user, text=CANARY, kind="replies")
        titles = " ".join(str(hit.title) + str(hit.snippet) for section in found for hit in section.hits)
        for word in NEVER_SHOWN:
            assert word not in titles, (user, word)


@pytest.mark.django_db
def test_visitor_finds_no_group_content_at_all(world):
    html = search_as(None, CANARY).content.decode()
    assert "<mark>zebracanary</mark>" not in html
    assert "Posts and replies are only" in html


@pytest.mark.django_db
def test_staff_find_published_content_of_every_group(world):
    html = search_as(world["staff"], CANARY).content.decode()
    assert "My <mark>zebracanary</mark> evening" in html
    assert "Their <mark>zebracanary</mark> post" in html
    assert "Hidden <mark>zebracanary</mark>" in html


@pytest.mark.django_db
def test_a_member_who_left_no_longer_finds_the_groups_posts(world):
    world["me"].memberships.update(status="left")
    html = search_as(world["me"], CANARY).content.decode()
    assert "<mark>zebracanary</mark>" not in html


@pytest.mark.django_db
def test_anonymous_authors_are_not_shown_in_results(world, make_post):
    make_post(world["mine"], world["me"], title="Anonymous thoughts", body=f"{CANARY} quietly", is_anonymous=True)
    html = search_as(world["them"], CANARY).content.decode()
    assert "Searcher" not in html
    html = search_as(world["me"], "anonymous thoughts").content.decode()
    assert "Anonymous thoughts" in html or "<mark>Anonymous</mark>" in html
    assert "Searcher</" not in html.split("<main", 1)[1]


@pytest.mark.django_db
def test_text_under_a_content_warning_stays_hidden_in_results(world, make_post):
    make_post(world["mine"], world["me"], title="Hard night", body=f"Details {CANARY}", content_warning="self-harm")
    html = search_as(world["me"], CANARY).content.decode()
    assert "Content warning: self-harm" in html
    assert "Details <mark>" not in html


@pytest.mark.django_db
def test_resources_and_listed_groups_are_found_but_not_unlisted_groups(world):
    html = search_as(None, "esketamine").content.decode()
    assert "Resources" in html
    assert "<mark>Esketamine</mark> (Spravato) and ketamine" in html
    html = search_as(None, "harbour").content.decode()
    assert "Quiet <mark>Harbour</mark>" in html
    html = search_as(None, "hidden cove").content.decode()
    assert "Hidden Cove" not in html.split("<main", 1)[1]


@pytest.mark.django_db
def test_filter_by_kind_shows_only_that_kind(world):
    html = search_as(world["me"], CANARY, kind="replies").content.decode()
    assert "A kind <mark>zebracanary</mark> reply." in html
    assert "My <mark>zebracanary</mark> evening</a>" not in html
    assert '<h2 id="results-posts">' not in html


@pytest.mark.django_db
def test_markup_in_content_and_in_the_query_is_escaped(world, make_post):
    make_post(world["mine"], world["me"], title="<b>bold</b> title", body=f"<script>alert('x')</script> {CANARY}")
    html = search_as(world["me"], f"<script>{CANARY}").content.decode()
    assert "<script>alert" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html or "<b>bold</b>" not in html
    assert "<script>zebracanary" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("", "Type a word or two"),
        ("a" * 1000, "Please shorten your search to 200 characters or fewer."),
        ("!!! ??? ...", "punctuation on its own finds nothing"),
        ("'; DROP TABLE groups_post; --", "Nothing matches"),
        ('" OR 1=1 --', "<h1>Search</h1>"),
        ("<img src=x onerror=alert(1)>", "Nothing matches"),
        ("nul\x00byte", "Null characters are not allowed."),
    ],
)
def test_odd_queries_get_a_clear_message_never_a_500(world, q, message):
    response = search_as(world["me"], q)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html.replace("&#x27;", "'")
    assert "<img src=x" not in html
    assert Post.objects.filter(title__contains=CANARY).exists()


@pytest.mark.django_db
def test_unknown_kind_is_a_clear_message(world):
    html = search_as(world["me"], CANARY, kind="users").content.decode()
    assert "Choose what to show from the list." in html


@pytest.mark.django_db
def test_more_than_a_section_of_posts_links_to_all_of_them(world, make_post):
    for n in range(7):
        make_post(world["mine"], world["me"], title=f"Extra {CANARY} {n}", body="More.")
    html = search_as(world["me"], CANARY).content.decode()
    assert "More posts" in html
    html = search_as(world["me"], CANARY, kind="posts").content.decode()
    assert html.count('class="card search-hit"') == 8


@pytest.mark.django_db
def test_every_page_has_the_search_box_in_the_header(client):
    html = client.get(reverse("community:home")).content.decode()
    assert 'role="search"' in html
    assert 'action="/search/"' in html


# --- PostgreSQL full-text search ---------------------------------------------------------------------


@on_postgres
@pytest.mark.django_db
def test_english_stemming_finds_other_forms_of_a_word(world, make_post):
    make_post(world["mine"], world["me"], title="Nights", body="I have been sleeping better since spring.")
    html = search_as(world["me"], "sleep").content.decode()
    assert "<mark>sleeping</mark>" in html


@on_postgres
@pytest.mark.django_db
def test_the_post_search_uses_the_gin_index(world):
    from community.search.queries import Search, StoredSearchVector

    query = Search(text=CANARY, terms=[CANARY]).query
    matches = Post.objects.alias(document=StoredSearchVector()).filter(document=query)
    with connection.cursor() as cursor:
        # The tables here are tiny, so scanning them whole or by another index would win;
        # forbid both to see whether the GIN index can answer the query.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = matches.order_by().values_list("pk", flat=True)[:1001].explain()
    assert "community_post_fts_idx" in plan


@on_postgres
@pytest.mark.django_db
def test_search_vectors_follow_edits(world):
    post = world["posts"]["mine"]
    Post.objects.filter(pk=post.pk).update(title="Renamed", body="Completely different words about lanterns.")
    assert not [hit for section in search_site(user=world["me"], text=CANARY, kind="posts") for hit in section.hits]
    assert search_site(user=world["me"], text="lantern", kind="posts")[0].hits


# --- snippets --------------------------------------------------------------------------------------------


def test_snippet_escapes_everything_then_marks_the_words():
    html = snippet("<b>Sleep</b> & rest: sleeping well helps", query_terms("sleep"))
    assert html == "&lt;b&gt;<mark>Sleep</mark>&lt;/b&gt; &amp; rest: <mark>sleeping</mark> well helps"


def test_snippet_cuts_long_text_around_the_first_match():
    text = "word " * 200 + "lantern " + "word " * 200
    html = snippet(text, ["lantern"])
    assert html.startswith("… ")
    assert html.endswith(" …")
    assert "<mark>lantern</mark>" in html
    assert len(html) < 300


def test_query_terms_skip_excluded_words_and_operators():
    assert query_terms('tms OR "side effects" -ketamine') == ["tms", "side", "effects"]


def test_highlight_with_no_terms_only_escapes():
    assert highlight("<i>x</i>", []) == "&lt;i&gt;x&lt;/i&gt;"


# --- query counts ----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("extra", [0, 30])
def test_search_runs_a_fixed_number_of_queries(world, make_post, make_reply, extra, django_assert_max_num_queries):
    for n in range(extra):
        post = make_post(world["mine"], world["me"], title=f"More {CANARY} {n}", body=f"Body {CANARY}")
        make_reply(post, world["me"], body=f"Reply {CANARY} {n}")
    client = Client()
    client.force_login(world["me"])
    client.get(reverse("community:home"))  # warm the session
    # Page overhead for a member (session, user, header counts: up to 4), then the search:
    # the viewer's groups with their versions (one query), whether a write to them is open
    # (their results may then be kept), articles, groups, and posts and replies
    # (PostgreSQL: 2 each, the matching ids then the ranked rows; SQLite: 1 each).
    with django_assert_max_num_queries(4 + 1 + 1 + 2 + 2 + 2):
        response = client.get(reverse("community:search"), {"q": CANARY})
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["member", "pending", "left", "banned", "staff", "visitor", "of no group"])
def test_the_groups_searched_with_their_versions_are_readable_group_ids(world, make_member, add_member, role):
    from django.contrib.auth.models import AnonymousUser

    from groups.access import readable_group_ids
    from groups.models import Group
    from groups.posts.versions import readable_group_versions

    # "them": active in two groups (one unlisted); the others in "mine" as their role says.
    user = world["them"] if role == "member" else AnonymousUser() if role == "visitor" else make_member()
    if role in ("pending", "left", "banned"):
        add_member(world["mine"], user, status=role)
    if role == "staff":
        user = world["staff"]
    groups = readable_group_versions(user)
    readable = readable_group_ids(user) if user.is_authenticated else set()
    if readable is None:
        assert groups is None
        return
    assert [group[0] for group in groups] == sorted(readable)
    assert len(readable) == (2 if role == "member" else 0)
    for pk, slug, name, _version in groups:
        assert Group.objects.filter(pk=pk, slug=slug, name=name).exists()


@pytest.mark.django_db
def test_what_everyone_finds_alike_is_kept_and_what_is_private_never_is(world, make_post, client):
    """Resources and listed groups are the same for every viewer: a member's search keeps
    them (once the same words were asked for twice, so made-up words cannot fill the
    cache) until a write to what visitors see: a renamed group shows at once. Posts are
    never kept: a new one is found by the very next search."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from groups.models import Group

    client.force_login(world["me"])
    search = reverse("community:search")
    for _ in range(2):
        assert "<mark>Harbour</mark></a>" in client.get(search, {"q": "harbour"}).content.decode()
    with CaptureQueriesContext(connection) as kept:
        client.get(search, {"q": "harbour"})
    with CaptureQueriesContext(connection) as built:
        client.get(search, {"q": "harbour lights"})
    assert len(kept) < len(built)  # the groups and resources were not asked for again

    Group.objects.filter(slug="quiet-harbour").update(name="Quiet Harbour Circle")
    assert "<mark>Harbour</mark> Circle" in client.get(search, {"q": "harbour"}).content.decode()

    make_post(world["mine"], world["me"], title="Harbour lights tonight", body="The harbour at night.")
    assert "lights tonight" in client.get(search, {"q": "harbour"}).content.decode()


def kept_search(client, q: str) -> str:
    """The third of three same searches: the first marks the words asked, the second
    keeps what it found, the third is answered from what was kept (when nothing moved)."""
    for _ in range(2):
        client.get(reverse("community:search"), {"q": q})
    return client.get(reverse("community:search"), {"q": q}).content.decode()


@pytest.mark.django_db
def test_a_members_repeated_search_is_kept_and_asks_the_database_for_no_post_or_reply(world, client):
    client.force_login(world["me"])
    search = reverse("community:search")
    kept_search(client, CANARY)
    with CaptureQueriesContext(connection) as kept:
        html = client.get(search, {"q": CANARY}).content.decode()
    assert "A kind <mark>zebracanary</mark> reply." in html
    assert not [query for query in kept if "groups_reply" in query["sql"] or '"groups_post"' in query["sql"]]
    with CaptureQueriesContext(connection) as built:
        client.get(search, {"q": f"{CANARY} evening"})
    assert len(kept) < len(built)


def edit_reply(reply, body):
    Reply.objects.filter(pk=reply.pk).update(body=body, body_html=f"<p>{body}</p>")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "gone", "shown"),
    [
        # Only the reply's row is written: its thread and, since migration 0012, its group move.
        (lambda w: edit_reply(w["replies"]["mine"], f"An edited {CANARY} answer."), "A kind", "An edited"),
        (
            lambda w: Reply.objects.filter(pk=w["replies"]["mine"].pk).update(status=ContentStatus.REMOVED),
            "A kind",
            "My <mark>zebracanary</mark> evening",
        ),
        (
            lambda w: Post.objects.filter(pk=w["posts"]["mine"].pk).update(content_warning="Self-harm"),
            "Walking helped",
            "Self-harm",
        ),
        (
            lambda w: w["mine"].__class__.objects.filter(pk=w["mine"].pk).update(name="Calm Bay"),
            "Quiet Harbour",
            "Calm Bay",
        ),
        (
            lambda w: w["mine"].__class__.objects.filter(pk=w["mine"].pk).update(slug="calm-bay"),
            "/groups/quiet-harbour/",
            "/groups/calm-bay/",
        ),
        (lambda w: w["me"].memberships.all().delete(), "A kind", "Nothing matches"),
    ],
    ids=["reply edited", "reply removed", "warning added", "group renamed", "address changed", "member left"],
)
def test_what_a_kept_search_shows_changes_with_the_next_search(world, client, change, gone, shown):
    client.force_login(world["me"])
    html = kept_search(client, CANARY)
    assert gone in html
    change(world)
    html = client.get(reverse("community:search"), {"q": CANARY}).content.decode()
    assert gone not in html
    assert shown in html


@pytest.mark.django_db
def test_a_new_reply_in_any_of_the_members_groups_is_found_by_the_next_search(
    world, client, make_group, add_member, make_post, make_reply
):
    second = make_group("Second Circle", slug="second-circle")
    add_member(second, world["me"])
    add_member(second, world["them"])
    post = make_post(second, world["them"], title="Evenings", body="Plain words.")
    client.force_login(world["me"])
    kept_search(client, CANARY)
    make_reply(post, world["them"], body=f"A fresh {CANARY} thought.")
    assert (
        "A fresh <mark>zebracanary</mark> thought."
        in client.get(reverse("community:search"), {"q": CANARY}).content.decode()
    )


@pytest.mark.django_db
def test_two_members_of_different_groups_never_share_kept_results(world, client):
    client.force_login(world["me"])
    kept_search(client, CANARY)
    other = Client()
    other.force_login(world["them"])
    html = kept_search(other, CANARY)
    assert "Their <mark>zebracanary</mark> post" in html
    assert "My <mark>zebracanary</mark> evening" not in html


@pytest.mark.django_db(transaction=True)
def test_a_search_while_a_reply_edit_is_open_is_not_kept(world, second_connection):
    """The edit takes its version before it commits: a search meanwhile builds from the
    old words and must not keep them under a version the edit will not move again."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    client = Client()
    client.force_login(world["me"])
    search = reverse("community:search")
    client.get(search, {"q": CANARY})  # the words asked once: the next build may be kept
    other = second_connection()
    try:
        other.execute(
            "UPDATE groups_reply SET body_html = '<p>Quietly changed.</p>' WHERE id = %s", [world["replies"]["mine"].pk]
        )
        assert "A kind" in client.get(search, {"q": CANARY}).content.decode()  # not committed yet
        other.commit()
    finally:
        other.close()
    assert "Quietly changed." in client.get(search, {"q": CANARY}).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_search_that_will_not_be_kept_makes_no_writer_wait(
    world, second_connection, make_group, add_member, make_post, make_reply, monkeypatch
):
    """A search keeps what it finds under the locks of every group the member reads, and
    writers to those groups wait for it while it builds. A search that will not be kept
    takes none, or lets them go at once: the words asked for the first time, or a write
    open in one of the groups (found by review: a reply in the member's other group waited
    for both searches below)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes no locks")
    import psycopg  # noqa: PLC0415 - PostgreSQL's driver, for its lock error

    from community.search import queries  # noqa: PLC0415 - its finders are replaced below

    second = make_group("Second Circle", slug="second-circle")
    add_member(second, world["me"])
    add_member(second, world["them"])
    reply_elsewhere = make_reply(make_post(second, world["them"], title="Evenings"), world["them"], body="Plain.")
    open_write = second_connection()  # an edit in the member's first group, left open
    open_write.execute("UPDATE groups_reply SET body_html = '<p>x</p>' WHERE id = %s", [world["replies"]["mine"].pk])
    waited, find_posts = [], queries.FINDERS["posts"]

    def posts_while_another_writes(*args):
        writer = second_connection(autocommit=True)
        writer.execute("SET lock_timeout = '300ms'")
        try:
            writer.execute("UPDATE groups_reply SET body_html = '<p>y</p>' WHERE id = %s", [reply_elsewhere.pk])
        except psycopg.errors.LockNotAvailable:
            waited.append(True)
        return find_posts(*args)

    monkeypatch.setitem(queries.FINDERS, "posts", posts_while_another_writes)
    client = Client()
    client.force_login(world["me"])
    for _ in range(2):  # asked for the first time, then with a write open
        client.get(reverse("community:search"), {"q": CANARY})
    open_write.rollback()
    assert waited == []


@pytest.mark.django_db
def test_a_kept_search_is_held_in_the_process_and_never_shared_across_groups(world, client, monkeypatch):
    """Once kept, a member's results are served from the process itself (no read from
    the cache), under the same key: another member's groups are another key."""
    from community.core import pagecache  # noqa: PLC0415 - its reads are watched below

    client.force_login(world["me"])
    kept_search(client, CANARY)
    read_back = []
    monkeypatch.setattr(pagecache, "kept_at", lambda key: read_back.append(key))
    html = client.get(reverse("community:search"), {"q": CANARY}).content.decode()
    assert "My <mark>zebracanary</mark> evening" in html
    assert read_back == []
    other = Client()
    other.force_login(world["them"])
    theirs = other.get(reverse("community:search"), {"q": CANARY}).content.decode()
    assert "Their <mark>zebracanary</mark> post" in theirs
    assert "My <mark>zebracanary</mark> evening" not in theirs


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("asked", "shown"),
    [
        ({"q": "sleep"}, 'value="sleep"'),
        ({"q": "<b>loud</b>"}, 'value="&lt;b&gt;loud&lt;/b&gt;"'),
        ({"q": "x" * 201}, "Please shorten your search to 200 characters or fewer."),
        ({"q": "sleep", "kind": "nonsense"}, "Choose what to show from the list."),
        ({"q": "a\x00b"}, "Null characters are not allowed."),
        ({"page": "2", "q": "tms"}, 'name="page" value="2"'),
    ],
)
def test_the_search_form_shows_the_words_asked_each_time(client, asked, shown):
    """The form's fields are rendered once per process for each set of words: each page
    still shows its own words and its own refusals, escaped."""
    for _ in range(2):
        html = client.get(reverse("community:search"), asked).content.decode()
        assert shown in html
    other = client.get(reverse("community:search"), {"q": "walking"}).content.decode()
    assert 'value="walking"' in other
    assert shown not in other
