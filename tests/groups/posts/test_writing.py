"""Writing: Preview on every post, reply and edit form (no JavaScript, nothing saved),
landing on your reply with the replies before it, and your own edit history."""

import pytest
from django.urls import reverse

from groups.models import Post, Reply, Revision
from groups.posts.queries import REPLIES_PER_PAGE


@pytest.fixture
def circle(make_group, make_member, add_member):
    group = make_group("Circle", slug="circle", allow_anonymous=True)
    people = {name: make_member(name) for name in ["Author", "Reader", "Mod"]}
    add_member(group, people["Author"])
    add_member(group, people["Reader"])
    add_member(group, people["Mod"], role="moderator")
    return group, people


def url(name, group, **kwargs):
    return reverse(f"groups:{name}", kwargs={"group_slug": group.slug, **kwargs})


PREVIEW_INPUT = {
    "title": "Week two",
    "body": "**Tired** but ok. <script>alert(1)</script>",
    "content_warning": "hospital stay",
    "preview": "1",
}


def test_post_preview_shows_sanitised_markdown_behind_its_warning_and_saves_nothing(client, circle):
    group, people = circle
    client.force_login(people["Author"])
    response = client.post(url("post-create", group), {**PREVIEW_INPUT, "is_anonymous": "on"})
    assert response.status_code == 200
    html = response.content.decode()
    preview = html.split('id="preview"', 1)[1].split("</section>", 1)[0]
    assert "<strong>Tired</strong>" in preview
    assert "<script>alert(1)" not in html
    # Collapsed exactly as published: a closed <details> with the warning in its summary.
    assert '<details class="content-warning">' in preview
    assert "Content warning: hospital stay" in preview
    assert "Anonymous member" in preview
    # The form keeps what was typed, and nothing is saved.
    assert 'value="Week two"' in html
    assert "**Tired** but ok." in html
    assert Post.objects.count() == 0


def test_preview_with_bad_input_shows_the_message_and_no_preview(client, circle):
    group, people = circle
    client.force_login(people["Author"])
    response = client.post(url("post-create", group), {"title": "", "body": "Hello", "preview": "1"})
    assert response.status_code == 400
    assert 'id="preview"' not in response.content.decode()


def test_reply_preview_and_edit_previews_save_nothing(client, circle, make_post, make_reply):
    group, people = circle
    post = make_post(group, people["Author"], title="A thread", body="Original post")
    reply = make_reply(post, people["Author"], body="Original reply")
    client.force_login(people["Author"])

    response = client.post(url("reply-create", group, post_id=post.pk), {"body": "_Soft_ words", "preview": "1"})
    assert response.status_code == 200
    assert "<em>Soft</em>" in response.content.decode().split('id="preview"', 1)[1]
    assert Reply.objects.count() == 1

    response = client.post(
        url("post-edit", group, post_id=post.pk), {"title": "New title", "body": "New *post*", "preview": "1"}
    )
    assert response.status_code == 200
    assert "New <em>post</em>" in response.content.decode()
    response = client.post(url("reply-edit", group, reply_id=reply.pk), {"body": "New *reply*", "preview": "1"})
    assert response.status_code == 200
    assert "New <em>reply</em>" in response.content.decode()
    post.refresh_from_db()
    reply.refresh_from_db()
    assert (post.title, post.body, reply.body) == ("A thread", "Original post", "Original reply")
    assert not Revision.objects.exists()


@pytest.mark.parametrize("name", ["post-create", "post-edit", "reply-edit", "post-detail"])
def test_every_writing_form_has_a_preview_button(client, circle, make_post, make_reply, name):
    group, people = circle
    post = make_post(group, people["Author"])
    reply = make_reply(post, people["Author"])
    kwargs = {"post-create": {}, "reply-edit": {"reply_id": reply.pk}}.get(name, {"post_id": post.pk})
    client.force_login(people["Author"])
    html = client.get(url(name, group, **kwargs)).content.decode()
    assert '<button type="submit" name="preview" value="1"' in html


def test_after_replying_the_author_lands_on_their_reply_with_the_ones_before_it(client, circle, make_post, make_reply):
    group, people = circle
    post = make_post(group, people["Author"])
    earlier = [make_reply(post, people["Reader"], body=f"Earlier reply {n}") for n in range(REPLIES_PER_PAGE + 3)]
    client.force_login(people["Author"])
    response = client.post(url("reply-create", group, post_id=post.pk), {"body": "My new reply"}, follow=True)
    html = response.content.decode()
    mine = Reply.objects.get(body="My new reply")
    assert response.redirect_chain[-1][0].endswith(f"#reply-{mine.pk}")
    assert f'id="reply-{mine.pk}"' in html
    # The replies just before it are on the same page, above it.
    assert html.index(f"Earlier reply {len(earlier) - 1}") < html.index("My new reply")
    assert f"{REPLIES_PER_PAGE + 4} replies" in html


def test_authors_see_their_own_edit_history_and_others_do_not(client, circle, make_post, make_reply):
    group, people = circle
    post = make_post(group, people["Author"], body="First words")
    reply = make_reply(post, people["Author"], body="First reply words")
    client.force_login(people["Author"])
    client.post(url("post-edit", group, post_id=post.pk), {"title": "A post", "body": "Second words"})
    client.post(url("reply-edit", group, reply_id=reply.pk), {"body": "Second reply words"})
    thread = client.get(post.get_absolute_url()).content.decode()
    assert url("post-history", group, post_id=post.pk) in thread
    assert url("reply-history", group, reply_id=reply.pk) in thread
    assert "First words" in client.get(url("post-history", group, post_id=post.pk)).content.decode()
    assert "First reply words" in client.get(url("reply-history", group, reply_id=reply.pk)).content.decode()

    client.force_login(people["Reader"])
    assert url("post-history", group, post_id=post.pk) not in client.get(post.get_absolute_url()).content.decode()
    assert client.get(url("post-history", group, post_id=post.pk)).status_code == 404
    assert client.get(url("reply-history", group, reply_id=reply.pk)).status_code == 404


def test_each_thread_page_gives_its_reply_form_a_key_of_its_own(client, circle, make_group, add_member, make_post):
    """The empty reply form is rendered once per process; each page still gets a new
    submission key (two tabs must not share one: the second reply would be taken for the
    first sent twice), and the anonymous choice only where the group allows it."""
    import re

    group, people = circle
    client.force_login(people["Reader"])
    post = make_post(group, people["Author"])
    pages = [client.get(post.get_absolute_url()).content.decode() for _ in range(2)]
    keys = [re.findall(r'name="submission_key" value="([0-9a-f]{32})"', page) for page in pages]
    assert len(keys[0]) == len(keys[1]) == 1
    assert keys[0] != keys[1]
    assert all('name="is_anonymous"' in page for page in pages)

    plain = make_group("Plain", slug="plain", allow_anonymous=False)
    add_member(plain, people["Reader"])
    other = make_post(plain, people["Reader"])
    assert 'name="is_anonymous"' not in client.get(other.get_absolute_url()).content.decode()
