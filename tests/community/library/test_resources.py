"""The resource library: starting articles, reading pages, staff editing with drafts and
preview, and members' suggestions with the staff queue."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from community.library.articles import ARTICLES_DIR, load_articles, parse_article, read_articles
from community.models import Article, ArticleSource, ArticleTopic, ResourceSuggestion

NOT_ADVICE = "not medical advice"


@pytest.fixture
def articles(db):
    """The starting articles. The data migration loads them, but a transactional test
    elsewhere may have emptied the tables, so load them again (it is idempotent)."""
    load_articles()
    return {article.slug: article for article in Article.objects.all()}


@pytest.fixture
def draft(db):
    article = Article.objects.create(
        title="Draft about DRAFT-CANARY",
        slug="draft-page",
        topic=ArticleTopic.COPING,
        summary="Not ready yet.",
        body="Words still being checked. DRAFT-CANARY",
    )
    ArticleSource.objects.create(article=article, title="A source", url="https://example.org/source")
    return article


def staff_client(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


# --- the starting content --------------------------------------------------------------------


def test_every_starting_article_parses_with_a_known_topic_sources_and_a_not_advice_section():
    files = read_articles()
    assert len(files) == len(list(ARTICLES_DIR.glob("*.md"))) >= 11
    for item in files:
        assert item.topic in ArticleTopic.values, item.slug
        assert item.sources, item.slug
        assert all(url.startswith("https://") for _title, url in item.sources), item.slug
        assert "not medical advice" in item.body.lower(), item.slug
        assert isinstance(item.last_reviewed, datetime.date)


def test_parse_article_explains_a_file_without_front_matter():
    with pytest.raises(ValueError, match="front matter"):
        parse_article("# Just a heading\n", name="broken.md")


@pytest.mark.django_db
def test_loading_articles_again_creates_nothing_and_keeps_staff_edits(articles):
    Article.objects.filter(slug="tms").update(title="TMS, edited by staff")
    assert load_articles() == 0
    assert Article.objects.get(slug="tms").title == "TMS, edited by staff"
    assert Article.objects.count() == len(articles)


@pytest.mark.django_db
def test_loaded_articles_are_published_with_sources_and_related_links(articles):
    article = articles["esketamine-and-ketamine"]
    assert article.is_published
    assert article.sources.count() >= 3
    assert set(article.related.values_list("slug", flat=True)) >= {"what-is-trd", "tms"}


# --- reading -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_index_lists_published_articles_by_topic_in_reading_order(client, articles, draft):
    html = client.get(reverse("community:article-list")).content.decode()
    assert "Understanding TRD" in html
    assert "Crisis help" in html
    links = [
        html.index(f'href="/resources/{slug}/"') for slug in ("what-is-trd", "esketamine-and-ketamine", "crisis-help")
    ]
    assert links == sorted(links)
    assert "DRAFT-CANARY" not in html
    assert NOT_ADVICE in html


@pytest.mark.django_db
def test_article_page_shows_sources_review_date_reviewer_related_and_not_advice(client, articles):
    article = articles["esketamine-and-ketamine"]
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Sources" in html
    for source in article.sources.all():
        assert escape(source.url) in html
    assert "Last reviewed" in html
    assert "November 26, 2026" in html
    assert "Steady Ground editorial team" in html
    assert "Related pages" in html
    assert "What is treatment-resistant depression?" in html
    assert NOT_ADVICE in html
    assert "print.css" in html


@pytest.mark.django_db
def test_talking_with_your_clinician_has_the_question_list_and_tracker_table(client, articles):
    html = client.get(articles["talking-with-your-clinician"].get_absolute_url()).content.decode()
    assert "Questions to bring" in html
    assert "<table>" in html
    assert "Time at full dose" in html


@pytest.mark.django_db
def test_article_markdown_is_sanitised(client, staff, articles):
    Article.objects.filter(slug="tms").update(body='Hello <script>alert("x")</script> [link](javascript:alert(1))')
    html = client.get(reverse("community:article-detail", args=["tms"])).content.decode()
    assert "<script>alert" not in html
    assert 'href="javascript:' not in html


@pytest.mark.django_db
def test_draft_is_a_404_for_visitors_and_members_and_shown_to_staff(client, member, staff, draft):
    url = draft.get_absolute_url()
    assert client.get(url).status_code == 404
    client.force_login(member)
    response = client.get(url)
    assert response.status_code == 404
    assert "DRAFT-CANARY" not in response.content.decode()
    response = staff_client(staff).get(url)
    assert response.status_code == 200
    assert "Only staff can see this page" in response.content.decode()


@pytest.mark.django_db
def test_staff_see_drafts_on_the_index_marked_as_drafts(staff, articles, draft):
    html = staff_client(staff).get(reverse("community:article-list")).content.decode()
    assert "Draft about DRAFT-CANARY" in html
    assert "Suggestions waiting (0)" in html


# --- staff editing -------------------------------------------------------------------------------


def article_data(**overrides):
    data = {
        "title": "Light therapy",
        "slug": "light-therapy",
        "topic": "coping",
        "summary": "What bright light in the morning can and cannot do.",
        "body": "## What it is\n\nSitting near a bright lamp each morning.\n",
        "order": "75",
        "status": "draft",
        "last_reviewed": "",
        "reviewer": "",
        "sources": "Seasonal affective disorder, NIMH | https://www.nimh.nih.gov/health/publications/seasonal-affective-disorder",
    }
    return {**data, **overrides}


@pytest.mark.django_db
def test_staff_preview_shows_the_rendered_text_and_saves_nothing(staff):
    response = staff_client(staff).post(reverse("community:article-create"), article_data(preview="1"))
    assert response.status_code == 200
    assert "Preview (not saved yet)" in response.content.decode()
    assert "<h2>What it is</h2>" in response.content.decode()
    assert not Article.objects.filter(slug="light-therapy").exists()


@pytest.mark.django_db
def test_staff_save_a_draft_then_publish_it(client, staff, articles):
    editor = staff_client(staff)
    response = editor.post(reverse("community:article-create"), article_data())
    assert response.status_code == 302
    article = Article.objects.get(slug="light-therapy")
    assert not article.is_published
    assert client.get(article.get_absolute_url()).status_code == 404

    data = article_data(
        status="published", last_reviewed="2026-11-20", reviewer="Staff Sam", related=[articles["self-care"].pk]
    )
    response = editor.post(reverse("community:article-edit", args=["light-therapy"]), data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.is_published
    assert article.last_reviewed == datetime.date(2026, 11, 20)
    assert list(article.sources.values_list("url", flat=True)) == [
        "https://www.nimh.nih.gov/health/publications/seasonal-affective-disorder"
    ]
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Light therapy" in html
    assert "Everyday self-care" in html


@pytest.mark.django_db
def test_publishing_without_sources_or_review_is_refused_with_messages(staff):
    data = article_data(status="published", sources="")
    response = staff_client(staff).post(reverse("community:article-create"), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "needs the date it was last reviewed" in html
    assert "needs the name of its reviewer" in html
    assert "needs at least one source" in html
    assert not Article.objects.filter(slug="light-therapy").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sources", "message"),
    [
        ("Just a title with no link", "write the title, then |, then the link"),
        ("A title | javascript:alert(1)", "must start with https://"),
    ],
)
def test_malformed_source_lines_are_named(staff, sources, message):
    response = staff_client(staff).post(reverse("community:article-create"), article_data(sources=sources))
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.django_db
def test_reserved_slug_is_refused(staff):
    response = staff_client(staff).post(reverse("community:article-create"), article_data(slug="suggestions"))
    assert response.status_code == 400
    assert "reserved" in response.content.decode()


# --- suggestions ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_member_suggests_a_resource_and_sees_it_waiting(member_client, member):
    data = {"title": "A sleep diary", "url": "https://example.org/sleep-diary", "reason": "It helped me see patterns."}
    response = member_client.post(reverse("community:resource-suggest"), data)
    assert response.status_code == 302
    suggestion = ResourceSuggestion.objects.get()
    assert suggestion.suggested_by == member
    assert suggestion.status == "pending"
    html = member_client.get(reverse("community:resource-suggest")).content.decode()
    assert "A sleep diary" in html
    assert "Waiting for review" in html


@pytest.mark.django_db
def test_suggestion_with_a_javascript_link_is_refused(member_client):
    data = {"title": "Bad", "url": "javascript:alert(1)", "reason": "x"}
    response = member_client.post(reverse("community:resource-suggest"), data)
    assert response.status_code == 400
    assert not ResourceSuggestion.objects.exists()


@pytest.mark.django_db
def test_staff_accept_a_suggestion_into_a_draft_with_its_link_as_a_source(member, staff):
    suggestion = ResourceSuggestion.objects.create(
        suggested_by=member, title="A sleep diary", url="https://example.org/sleep-diary", reason="Patterns."
    )
    url = reverse("community:suggestion-decide", args=[suggestion.pk])
    response = staff_client(staff).post(url, {"decision": "accept", "note": "Thank you!"})
    suggestion.refresh_from_db()
    assert suggestion.status == "accepted"
    assert suggestion.article is not None
    assert response.url == reverse("community:article-edit", args=[suggestion.article.slug])
    assert not suggestion.article.is_published
    assert suggestion.article.sources.get().url == "https://example.org/sleep-diary"


@pytest.mark.django_db
def test_staff_decline_a_suggestion_and_a_second_decision_is_refused(member, staff):
    suggestion = ResourceSuggestion.objects.create(
        suggested_by=member, title="Miracle cure", url="https://example.org/cure", reason="Trust me."
    )
    url = reverse("community:suggestion-decide", args=[suggestion.pk])
    editor = staff_client(staff)
    editor.post(url, {"decision": "decline", "note": "We only list reviewed sources."})
    suggestion.refresh_from_db()
    assert suggestion.status == "declined"
    response = editor.post(url, {"decision": "accept"}, follow=True)
    assert "already decided" in response.content.decode()
    assert not Article.objects.filter(title="Miracle cure").exists()


# --- who may open what ---------------------------------------------------------------------------

L = "login"
# Expected GET status per role: visitor, member, staff.
GET_MATRIX = {
    "article-list": (200, 200, 200),
    "article-detail": (200, 200, 200),
    "draft-detail": (404, 404, 200),
    "article-create": (L, 403, 200),
    "article-edit": (L, 403, 200),
    "resource-suggest": (L, 200, 200),
    "suggestion-list": (L, 403, 200),
    "suggestion-decide": (L, 405, 405),
}


def url_for(name, suggestion):
    if name == "article-detail":
        return reverse("community:article-detail", args=["tms"])
    if name == "draft-detail":
        return reverse("community:article-detail", args=["draft-page"])
    if name == "article-edit":
        return reverse("community:article-edit", args=["tms"])
    if name == "suggestion-decide":
        return reverse("community:suggestion-decide", args=[suggestion.pk])
    return reverse(f"community:{name}")


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(GET_MATRIX))
def test_resource_urls_answer_each_role(name, articles, draft, member, staff):
    suggestion = ResourceSuggestion.objects.create(
        suggested_by=member, title="T", url="https://example.org", reason="R"
    )
    for role, expected in zip(("visitor", "member", "staff"), GET_MATRIX[name], strict=True):
        client = Client()
        if role != "visitor":
            client.force_login(member if role == "member" else staff)
        response = client.get(url_for(name, suggestion))
        if expected == L:
            assert response.status_code == 302, (name, role)
            assert response.url.startswith(reverse("account_login")), (name, role)
        else:
            assert response.status_code == expected, (name, role, response.status_code)
        if response.status_code in (403, 404):
            assert "DRAFT-CANARY" not in response.content.decode()


@pytest.mark.django_db
def test_members_cannot_decide_on_suggestions(member_client, member):
    suggestion = ResourceSuggestion.objects.create(
        suggested_by=member, title="T", url="https://example.org", reason="R"
    )
    response = member_client.post(reverse("community:suggestion-decide", args=[suggestion.pk]), {"decision": "accept"})
    assert response.status_code == 403
    suggestion.refresh_from_db()
    assert suggestion.status == "pending"


# --- query counts --------------------------------------------------------------------------------


def add_articles(count):
    Article.objects.bulk_create(
        Article(
            title=f"Extra page {n}",
            slug=f"extra-{n}",
            topic=ArticleTopic.COPING,
            summary="More.",
            body="Words.",
            status="published",
            last_reviewed=datetime.date(2026, 11, 1),
            reviewer="Staff",
        )
        for n in range(count)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("extra", [0, 40])
def test_article_index_runs_a_fixed_number_of_queries(client, articles, extra, django_assert_max_num_queries):
    add_articles(extra)
    # A visitor: 1 query, the published articles in reading order.
    with django_assert_max_num_queries(1):
        response = client.get(reverse("community:article-list"))
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("extra", [0, 40])
def test_article_page_runs_a_fixed_number_of_queries(client, articles, extra, django_assert_max_num_queries):
    add_articles(extra)
    Article.objects.get(slug="tms").related.add(*Article.objects.filter(slug__startswith="extra-"))
    # The article, its sources, its related articles.
    with django_assert_max_num_queries(3):
        response = client.get(reverse("community:article-detail", args=["tms"]))
    assert response.status_code == 200
