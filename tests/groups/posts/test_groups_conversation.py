"""Posts, replies, content warnings, anonymity, reactions, edits, pins, locks and notifications."""

import re
from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from community.core.errors import ActionRefused
from community.models import Notification
from community.notifications.actions import unsubscribe_token
from groups.models import Post, PostRead, Reaction, Reply, Revision
from groups.posts.actions import create_reply
from groups.posts.queries import REPLIES_PER_PAGE


@pytest.fixture
def circle(make_group, make_member, add_member):
    group = make_group("Circle", slug="circle")
    people = {name: make_member(name) for name in ["Author", "Reader", "Mod", "Outsider"]}
    add_member(group, people["Author"])
    add_member(group, people["Reader"])
    add_member(group, people["Mod"], role="moderator")
    return group, people


def url(name, group, **kwargs):
    return reverse(f"groups:{name}", kwargs={"group_slug": group.slug, **kwargs})


def test_member_publishes_a_post_with_sanitised_markdown(client, circle):
    group, people = circle
    client.force_login(people["Author"])
    response = client.post(
        url("post-create", group),
        {
            "title": "Week one of TMS",
            "body": "**Tired** but ok. <script>alert(1)</script> [site](javascript:alert(1)) [good](https://example.org)",
        },
    )
    post = Post.objects.get()
    assert response.url == post.get_absolute_url()
    html = client.get(response.url).content.decode()
    assert "<strong>Tired</strong>" in html
    assert "<script>alert(1)</script>" not in html
    assert 'href="javascript:' not in html
    assert 'href="https://example.org" rel="nofollow ugc noopener"' in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "Hi", "body": "   "}, "Please write something"),
        ({"title": "", "body": "Hello"}, "This field is required"),
        ({"title": "Hi", "body": "x" * 10_001}, "at most 10000 characters"),
        ({"title": "t" * 151, "body": "Hello"}, "at most 150 characters"),
        ({"title": "Hi", "body": "Hello", "content_warning": "c" * 101}, "at most 100 characters"),
    ],
)
def test_bad_post_gets_a_clear_message_and_nothing_is_saved(client, circle, data, message):
    group, people = circle
    client.force_login(people["Author"])
    response = client.post(url("post-create", group), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Post.objects.exists()


def test_content_warning_keeps_the_body_collapsed(client, circle, make_post):
    group, people = circle
    post = make_post(group, people["Author"], body="The hard part.", content_warning="self-harm (no details)")
    client.force_login(people["Reader"])
    html = client.get(post.get_absolute_url()).content.decode()
    assert '<details class="content-warning">' in html
    assert "Content warning: self-harm (no details)" in html
    assert html.index("<summary>") < html.index("The hard part.")


def test_anonymous_post_hides_the_author_from_members_but_not_moderators(client, circle, make_post, make_reply):
    group, people = circle
    post = make_post(group, people["Author"], title="Quiet question", is_anonymous=True)
    make_reply(post, people["Author"], body="Replying to myself anonymously", is_anonymous=True)
    client.force_login(people["Reader"])
    for page in (post.get_absolute_url(), url("post-list", group)):
        html = client.get(page).content.decode()
        assert "Anonymous member" in html
        assert "Author" not in html.replace("author", "")  # the display name "Author" never appears
    client.force_login(people["Mod"])
    html = client.get(post.get_absolute_url()).content.decode()
    assert "Author (posted anonymously)" in html


def test_anonymous_author_never_reaches_notification_emails(
    circle, make_post, make_reply, django_capture_on_commit_callbacks, mailoutbox
):
    group, people = circle
    people["Reader"].email_frequency = "each"
    people["Reader"].email_excerpts = True
    people["Reader"].save()
    post = make_post(group, people["Reader"], title="Question")
    with django_capture_on_commit_callbacks(execute=True):
        make_reply(post, people["Author"], body="Secret answer text", is_anonymous=True)
    assert len(mailoutbox) == 1
    assert "Author" not in mailoutbox[0].body
    assert mailoutbox[0].subject == "[Steady Ground] New reply in Circle"


def test_anonymous_posting_refused_where_the_group_does_not_allow_it(client, circle):
    group, people = circle
    group.allow_anonymous = False
    group.save()
    client.force_login(people["Author"])
    client.post(url("post-create", group), {"title": "Hi", "body": "Hello", "is_anonymous": "on"})
    assert Post.objects.get().is_anonymous is False  # the field is not offered, so it is ignored


def test_reply_updates_count_and_activity_and_notifies_the_post_author(client, circle, make_post):
    group, people = circle
    post = make_post(group, people["Author"])
    before = post.last_activity_at
    client.force_login(people["Reader"])
    response = client.post(url("reply-create", group, post_id=post.pk), {"body": "Sending strength."})
    reply = Reply.objects.get()
    assert response.url == post.get_absolute_url() + f"?latest=1#reply-{reply.pk}"
    post.refresh_from_db()
    assert post.reply_count == 1
    assert post.last_activity_at > before
    notification = Notification.objects.get(recipient=people["Author"])
    assert (notification.kind, notification.reply) == ("reply_to_post", reply)


def test_earlier_repliers_hear_of_new_replies_but_not_people_who_left(
    circle, make_post, make_reply, make_member, add_member
):
    group, people = circle
    leaver = make_member("Leaver")
    leaver_membership = add_member(group, leaver)
    post = make_post(group, people["Author"])
    make_reply(post, people["Reader"])
    make_reply(post, leaver)
    leaver_membership.status = "left"
    leaver_membership.save()
    make_reply(post, people["Mod"])
    kinds = {
        (n.recipient.display_name, n.kind)
        for n in Notification.objects.filter(reply__author=people["Mod"]).select_related("recipient")
    }
    assert kinds == {("Author", "reply_to_post"), ("Reader", "reply_in_thread")}


def test_mentions_reach_group_members_only(circle, make_post, make_member):
    group, people = circle
    make_member("Stranger")
    make_post(group, people["Author"], body="Thank you @reader and @Stranger and @Mod!")
    mentioned = {
        n.recipient.display_name for n in Notification.objects.filter(kind="mention").select_related("recipient")
    }
    assert mentioned == {"Reader", "Mod"}


def test_followers_hear_of_new_posts(circle, make_post):
    from groups.models import Membership

    group, people = circle
    Membership.objects.filter(user=people["Reader"]).update(follows_closely=True)
    make_post(group, people["Author"])
    assert Notification.objects.get(kind="new_post").recipient == people["Reader"]


def test_reply_to_a_locked_post_is_refused(client, circle, make_post):
    group, people = circle
    post = make_post(group, people["Author"])
    post.is_locked = True
    post.save()
    client.force_login(people["Reader"])
    response = client.post(url("reply-create", group, post_id=post.pk), {"body": "Hello?"})
    assert response.status_code == 400
    assert "locked" in response.content.decode()
    assert not Reply.objects.exists()


def test_reactions_toggle_and_stay_within_the_set(client, circle, make_post):
    group, people = circle
    post = make_post(group, people["Author"])
    client.force_login(people["Reader"])
    react = url("post-react", group, post_id=post.pk)
    client.post(react, {"kind": "support"})
    assert list(Reaction.objects.values_list("kind", flat=True)) == ["support"]
    client.post(react, {"kind": "support"})
    assert not Reaction.objects.exists()
    response = client.post(react, {"kind": "thumbs_down"}, follow=True)
    assert "not one of the choices" in response.content.decode()
    assert not Reaction.objects.exists()


def test_reaction_counts_are_everyones_and_pressed_only_for_the_viewers_own(client, circle, make_post, make_reply):
    group, people = circle
    post = make_post(group, people["Author"])
    reply = make_reply(post, people["Author"])
    Reaction.objects.create(user=people["Reader"], post=post, kind="support")
    Reaction.objects.create(user=people["Author"], post=post, kind="support")
    Reaction.objects.create(user=people["Author"], reply=reply, kind="me_too")

    def buttons(viewer):
        client.force_login(viewer)
        html = client.get(post.get_absolute_url()).content.decode()
        return re.findall(
            r'value="(\w+)" class="reaction[^"]*" aria-pressed="(\w+)">[^<]*(?:<span class="reaction-count">(\d+))?',
            html,
        )

    reader = buttons(people["Reader"])
    assert ("support", "true", "2") in reader  # the post: two reactions, one of them the reader's
    assert ("me_too", "false", "1") in reader  # the reply: the author's, not the reader's
    author = buttons(people["Author"])
    assert ("support", "true", "2") in author
    assert ("me_too", "true", "1") in author


def test_database_refuses_a_duplicate_reaction(circle, make_post):
    group, people = circle
    post = make_post(group, people["Author"])
    Reaction.objects.create(user=people["Reader"], post=post, kind="me_too")
    with pytest.raises(IntegrityError):
        Reaction.objects.create(user=people["Reader"], post=post, kind="me_too")


def test_edit_keeps_history_for_the_author_and_moderators_and_shows_edited_to_members(client, circle, make_post):
    group, people = circle
    post = make_post(group, people["Author"], title="First", body="Original words")
    client.force_login(people["Author"])
    client.post(url("post-edit", group, post_id=post.pk), {"title": "Second", "body": "New words"})
    post.refresh_from_db()
    assert (post.title, post.body) == ("Second", "New words")
    assert Revision.objects.get(post=post).body == "Original words"
    assert "Original words" in client.get(url("post-history", group, post_id=post.pk)).content.decode()
    client.force_login(people["Reader"])
    html = client.get(post.get_absolute_url()).content.decode()
    assert "edited" in html
    assert "Original words" not in html
    assert client.get(url("post-history", group, post_id=post.pk)).status_code == 404
    client.force_login(people["Mod"])
    assert "Original words" in client.get(url("post-history", group, post_id=post.pk)).content.decode()


def test_deleted_reply_leaves_a_marker_in_the_thread(client, circle, make_post, make_reply):
    group, people = circle
    post = make_post(group, people["Author"])
    reply = make_reply(post, people["Reader"], body="Words I regret")
    client.force_login(people["Reader"])
    client.post(url("reply-delete", group, reply_id=reply.pk))
    html = client.get(post.get_absolute_url()).content.decode()
    assert "This reply was deleted by its author." in html
    assert "Words I regret" not in html
    post.refresh_from_db()
    assert post.reply_count == 0


def test_deleted_post_leaves_the_list(client, circle, make_post):
    group, people = circle
    post = make_post(group, people["Author"], title="Gone soon")
    client.force_login(people["Author"])
    client.post(url("post-delete", group, post_id=post.pk))
    assert "Gone soon" not in client.get(url("post-list", group)).content.decode()
    assert client.get(post.get_absolute_url()).status_code == 404


def test_pinned_posts_come_first_and_unread_markers_clear_when_read(client, circle, make_post):
    group, people = circle
    older = make_post(group, people["Author"], title="Older and pinned")
    make_post(group, people["Author"], title="Newer")
    client.force_login(people["Mod"])
    client.post(url("post-pin", group, post_id=older.pk), {"pinned": "1"})
    client.force_login(people["Reader"])
    response = client.get(url("post-list", group))
    titles = [p.title for p in response.context["pinned"] + response.context["posts"]]
    assert titles == ["Older and pinned", "Newer"]
    assert new_titles(response) == ["Older and pinned", "Newer"]
    client.get(older.get_absolute_url())
    assert new_titles(client.get(url("post-list", group))) == ["Newer"]


def new_titles(response) -> list[str]:
    """The titles the post list marks "New", in its order."""
    rows = re.findall(r'<li class="post-row( unread)?">.*?">([^<]*)</a>', response.content.decode(), re.S)
    return [title for unread, title in rows if unread]


def test_post_list_pages_by_keyset(client, circle, make_post):
    group, people = circle
    for n in range(25):
        make_post(group, people["Author"], title=f"Post {n:02d}")
    client.force_login(people["Reader"])
    first = client.get(url("post-list", group))
    assert [p.title for p in first.context["posts"]][:2] == ["Post 24", "Post 23"]
    second = client.get(url("post-list", group), {"after": first.context["next_cursor"]})
    assert [p.title for p in second.context["posts"]] == [f"Post {n:02d}" for n in range(4, -1, -1)]
    assert second.context["next_cursor"] == ""
    garbage = client.get(url("post-list", group), {"after": "not-a-cursor"})
    assert garbage.status_code == 200


def test_long_threads_show_replies_in_pages_both_ways(client, circle, make_post, make_reply, make_member):
    group, people = circle
    post = make_post(group, people["Author"])
    start = timezone.now() - timedelta(days=1)
    # Bulk rows, a minute apart; one held reply that the reader must not see or count.
    replies = Reply.objects.bulk_create(
        Reply(post=post, author=people["Author"], body=f"Reply {n}", body_html=f"<p>Reply {n}</p>") for n in range(120)
    )
    for n, reply in enumerate(replies):
        Reply.objects.filter(pk=reply.pk).update(created_at=start + timedelta(minutes=n))
    held = make_reply(post, people["Mod"], body="Held words")
    Reply.objects.filter(pk=held.pk).update(status="held", created_at=start + timedelta(minutes=10, seconds=30))
    client.force_login(people["Reader"])

    def shown(response):
        return [reply.body_html.removeprefix("<p>").removesuffix("</p>") for reply in response.context["replies"]]

    first = client.get(post.get_absolute_url())
    assert shown(first) == [f"Reply {n}" for n in range(REPLIES_PER_PAGE)]
    assert "Earlier replies" not in first.content.decode()
    second = client.get(post.get_absolute_url(), {"from": first.context["reply_page"].later_from})
    assert shown(second) == [f"Reply {n}" for n in range(50, 100)]
    last = client.get(post.get_absolute_url(), {"from": second.context["reply_page"].later_from})
    assert shown(last) == [f"Reply {n}" for n in range(100, 120)]
    assert "Later replies" not in last.content.decode()
    back = client.get(post.get_absolute_url(), {"before": last.context["reply_page"].earlier_before})
    assert shown(back) == shown(second)
    assert shown(client.get(post.get_absolute_url(), {"before": back.context["reply_page"].earlier_before})) == shown(
        first
    )
    # A link to one reply (notifications, emails) opens the page that starts with it,
    # numbered by its place in the thread.
    linked = client.get(replies[75].get_absolute_url())
    assert shown(linked)[0] == "Reply 75"
    assert f'id="reply-{replies[75].pk}" aria-label="Reply 76"' in linked.content.decode()
    assert "Held words" not in "".join(shown(first))
    newest = client.get(post.get_absolute_url(), {"latest": "1"})
    assert shown(newest) == [f"Reply {n}" for n in range(70, 120)]
    assert newest.context["reply_page"].first_number == 71
    # Someone else's held reply is no anchor: the address cannot tell that it exists.
    probe = client.get(post.get_absolute_url(), {"from": held.pk})
    assert shown(probe) == shown(first)
    assert probe.context["reply_page"].earlier_before is None


def test_opening_a_long_thread_leaves_replies_on_later_pages_unread(client, circle, make_post, make_reply):
    group, people = circle
    post = make_post(group, people["Author"])
    Reply.objects.bulk_create(
        Reply(post=post, author=people["Reader"], body=f"Reply {n}", body_html="<p>x</p>")
        for n in range(REPLIES_PER_PAGE)
    )
    late = make_reply(post, people["Reader"], body="Are you still with us?")
    notification = Notification.objects.get(recipient=people["Author"], reply=late)
    client.force_login(people["Author"])
    client.get(post.get_absolute_url())  # the first page: the reply to them is on the next
    notification.refresh_from_db()
    assert notification.read_at is None
    assert not PostRead.objects.filter(user=people["Author"], post=post).exists()
    client.get(late.get_absolute_url())
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert PostRead.objects.filter(user=people["Author"], post=post).exists()


@pytest.mark.parametrize("query", [{"from": "nonsense"}, {"before": "99999999999999999999"}, {"from": "-3"}])
def test_reply_page_anchors_that_are_not_replies_of_this_thread_show_the_first_page(
    client, circle, make_post, make_reply, query
):
    group, people = circle
    post = make_post(group, people["Author"])
    first = make_reply(post, people["Reader"], body="First words")
    other = make_reply(make_post(group, people["Author"]), people["Reader"], body="Elsewhere")
    client.force_login(people["Reader"])
    for params in (query, {"from": other.pk}, {"before": other.pk}):
        response = client.get(post.get_absolute_url(), params)
        assert response.status_code == 200
        assert [reply.pk for reply in response.context["replies"]] == [first.pk]


def test_notification_list_and_header_count(client, circle, make_post, make_reply):
    group, people = circle
    post = make_post(group, people["Author"], title="My question")
    make_reply(post, people["Reader"])
    client.force_login(people["Author"])
    html = client.get(reverse("community:notification-list")).content.decode()
    assert "New reply in Circle" in html
    assert "My question" in html
    assert '<span class="visually-hidden">, 1 unread</span>' in html
    client.get(post.get_absolute_url())  # reading the post marks its notifications read
    assert Notification.objects.get().read_at is not None


def test_notifications_from_a_group_vanish_once_the_member_leaves(client, circle, make_post, make_reply):
    from groups.models import Membership

    group, people = circle
    post = make_post(group, people["Author"], title="Private title")
    make_reply(post, people["Reader"])
    client.force_login(people["Author"])
    assert "New reply in Circle" in client.get(reverse("community:notification-list")).content.decode()
    Membership.objects.filter(user=people["Author"]).update(status="left")
    html = client.get(reverse("community:notification-list")).content.decode()
    # The list follows what the member may read now: nothing from a group they left.
    assert "New reply in Circle" not in html
    assert "Private title" not in html


def test_emails_carry_no_post_text_by_default(
    circle, make_post, make_reply, django_capture_on_commit_callbacks, mailoutbox
):
    group, people = circle
    people["Author"].email_frequency = "each"
    people["Author"].save()
    post = make_post(group, people["Author"], title="Title not in email")
    with django_capture_on_commit_callbacks(execute=True):
        make_reply(post, people["Reader"], body="Very private reply text")
    body = mailoutbox[0].body
    assert "Very private reply text" not in body
    assert "Title not in email" not in body
    assert "988" in body
    assert "/notifications/unsubscribe/" in body
    assert mailoutbox[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_excerpts_only_when_opted_in_and_never_for_warned_content(
    circle, make_post, make_reply, django_capture_on_commit_callbacks, mailoutbox
):
    group, people = circle
    people["Author"].email_frequency = "each"
    people["Author"].email_excerpts = True
    people["Author"].save()
    post = make_post(group, people["Author"])
    with django_capture_on_commit_callbacks(execute=True):
        make_reply(post, people["Reader"], body="Gentle words for you")
        make_reply(post, people["Mod"], body="Heavy words", content_warning="grief")
    assert "Gentle words for you" in mailoutbox[0].body
    assert "Heavy words" not in mailoutbox[1].body


def test_daily_digest_sends_pending_notifications_once(
    circle, make_post, make_reply, mailoutbox, django_capture_on_commit_callbacks
):
    from community.notifications.actions import send_digest

    group, people = circle
    post = make_post(group, people["Author"])  # Author's preference is the default: daily
    make_reply(post, people["Reader"])
    make_reply(post, people["Mod"])
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digest(people["Author"]) == 2
        assert send_digest(people["Author"]) == 0
    assert len(mailoutbox) == 1
    assert "2 new" in mailoutbox[0].subject


def test_one_click_unsubscribe_changes_only_that_setting(client, member):
    member.email_frequency = "each"
    member.email_excerpts = True
    member.save()
    token_url = reverse("community:unsubscribe", kwargs={"token": unsubscribe_token(member)})
    assert "Stop notification emails?" in client.get(token_url).content.decode()
    member.refresh_from_db()
    assert member.email_frequency == "each"  # a GET (a mail scanner) changes nothing
    response = client.post(token_url)
    assert response.status_code == 200
    member.refresh_from_db()
    assert (member.email_frequency, member.email_excerpts, member.display_name) == ("none", True, "River")


def test_notification_settings_page_saves_choices(member_client, member):
    member_client.post(
        reverse("community:notification-settings"),
        {"email_frequency": "each", "email_excerpts": "on", "meeting_reminders": "hour"},
    )
    member.refresh_from_db()
    assert (member.email_frequency, member.email_excerpts, member.meeting_reminders) == ("each", True, "hour")


def test_send_digests_command_emails_each_daily_member_once(
    circle, make_post, make_reply, mailoutbox, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    group, people = circle
    post = make_post(group, people["Author"])
    make_reply(post, people["Reader"])
    make_reply(post, people["Mod"])
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests", verbosity=0)
        call_command("send_digests", verbosity=0)
    # The author (two replies) and the first replier (one later reply) each get one digest.
    assert sorted(m.to[0] for m in mailoutbox) == sorted([people["Author"].email, people["Reader"].email])


def test_a_reply_to_a_post_deleted_meanwhile_is_refused_with_a_message(circle, make_post):
    """The post is read again, locked, as the reply is saved: if it went in between (a
    group deleted, an account erased), the member is told, and nothing is saved."""
    group, people = circle
    post = make_post(group, people["Author"], title="Soon gone")
    Post.objects.filter(pk=post.pk).delete()
    with pytest.raises(ActionRefused, match="This post is gone"):
        create_reply(author=people["Reader"], post=post, body="Are you still there?")
    assert not Reply.objects.filter(body="Are you still there?").exists()
