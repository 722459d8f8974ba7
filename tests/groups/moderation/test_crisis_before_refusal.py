"""Crisis help comes before any refusal.

Whatever stops a post or reply from being published (the new-account limit, slow mode, a
mute, a lock, a blocking watched word, a removed membership, a suspension, a form error),
a member who wrote crisis words sees the crisis panel on the answer, keeps what they typed,
and a "possible risk" item with their words reaches the group's moderators (never
published), at the top of the queue, with an alert by email.
"""

from datetime import timedelta
from html import unescape

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from community.core.errors import ActionRefused
from groups.models import ContentStatus, Membership, Post, QueueItem, Reply, WatchedWord
from groups.moderation.content import remove_content
from groups.moderation.queue import decide_item, queue_for
from groups.moderation.suspensions import suspend_account
from groups.posts.models import BODY_MAX

CRISIS = "I can't go on like this, I want to die tonight"
PANEL_MARKERS = ["988", "741741", "911"]


@pytest.fixture
def circle(make_group, make_member, add_member, make_post):
    group = make_group("Circle", slug="circle")
    writer = make_member("Writer")
    moderator = make_member("Mod")
    other = make_member("Other")
    add_member(group, writer)
    add_member(group, moderator, role="moderator")
    add_member(group, other)
    post = make_post(group, other, title="Open thread", body="Hello")
    return group, writer, moderator, post


def _new_account_used_up(group, writer, post):
    writer.date_joined = timezone.now() - timedelta(hours=1)
    writer.save(update_fields=["date_joined"])
    for n in range(5):
        Reply.objects.create(post=post, author=writer, body=f"r{n}", body_html="", status="published")


def _slow_mode(group, writer, post):
    post.slow_mode_seconds = 3600
    post.slow_mode_reason = "a heated thread"
    post.save()
    Reply.objects.create(post=post, author=writer, body="earlier", body_html="", status="published")


def _muted(group, writer, post):
    Membership.objects.filter(group=group, user=writer).update(muted_until=timezone.now() + timedelta(days=1))


def _locked(group, writer, post):
    Post.objects.filter(pk=post.pk).update(is_locked=True)


def _blocked_word(group, writer, post):
    WatchedWord.objects.create(phrase="tonight", action=WatchedWord.Action.BLOCK, message="Please rephrase.")


def _removed(group, writer, post):
    Membership.objects.filter(group=group, user=writer).update(status=Membership.Status.REMOVED)


def _suspended(group, writer, post):
    type(writer).objects.filter(pk=writer.pk).update(is_suspended=True, suspended_until=None, suspension_reason="x")


REFUSALS = {
    "new account limit": _new_account_used_up,
    "slow mode": _slow_mode,
    "muted": _muted,
    "locked": _locked,
    "blocking watched word": _blocked_word,
    "removed from group": _removed,
    "suspended": _suspended,
}


def _submit(client, group, post, *, kind, body):
    if kind == "post":
        url = reverse("groups:post-create", kwargs={"group_slug": group.slug})
        return client.post(url, {"title": "Tonight", "body": body, "content_warning": ""})
    url = reverse("groups:reply-create", kwargs={"group_slug": group.slug, "post_id": post.pk})
    return client.post(url, {"body": body, "content_warning": ""})


def _assert_reached_a_human(group, writer, moderator, response, text):
    page = response.content.decode()
    for marker in PANEL_MARKERS:
        assert marker in page, f"crisis panel missing ({marker})"
    # What they typed is still there for them.
    assert text in unescape(page)
    # Never published, but a possible-risk item with their words is at the top of the queue.
    assert not Reply.objects.filter(body=text, status=ContentStatus.PUBLISHED).exists()
    assert not Post.objects.filter(body=text, status=ContentStatus.PUBLISHED).exists()
    top = queue_for(moderator)[0]
    assert top.is_risk
    assert top.kind == QueueItem.Kind.REFUSED_RISK
    assert text in top.kept_text
    assert top.group == group
    # The moderator is alerted by email, and the writer is not.
    alerts = [m for m in mail.outbox if "Possible risk" in m.subject]
    assert [m.to for m in alerts] == [[moderator.email]]


# Locks and slow mode are rules of a thread: they refuse replies, not new posts.
CASES = [(kind, refusal) for refusal in sorted(REFUSALS) for kind in ("post", "reply")]
CASES = [(k, r) for k, r in CASES if not (k == "post" and r in ("locked", "slow mode"))]


@pytest.mark.parametrize(("kind", "refusal"), CASES)
def test_crisis_words_reach_a_human_whatever_refuses_them(
    client, circle, kind, refusal, django_capture_on_commit_callbacks
):
    group, writer, moderator, post = circle
    REFUSALS[refusal](group, writer, post)
    client.force_login(writer)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = _submit(client, group, post, kind=kind, body=CRISIS)

    assert response.status_code in (400, 403)
    _assert_reached_a_human(group, writer, moderator, response, CRISIS)


@pytest.mark.parametrize("kind", ["post", "reply"])
def test_crisis_words_in_a_too_long_message_reach_a_human(client, circle, kind, django_capture_on_commit_callbacks):
    group, writer, moderator, post = circle
    text = CRISIS + " " + "x" * BODY_MAX
    client.force_login(writer)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = _submit(client, group, post, kind=kind, body=text)

    assert response.status_code == 400
    _assert_reached_a_human(group, writer, moderator, response, text)


def test_a_refusal_without_crisis_words_shows_no_panel_and_queues_nothing(client, circle):
    group, writer, moderator, post = circle
    _locked(group, writer, post)
    client.force_login(writer)

    response = _submit(client, group, post, kind="reply", body="Thanks everyone")

    assert response.status_code == 400
    assert "741741" not in response.content.decode()
    assert "Thanks everyone" in response.content.decode()
    assert not QueueItem.objects.exists()


def test_refused_crisis_item_never_shows_to_members_and_is_closed_by_a_check_in(client, circle):
    group, writer, moderator, post = circle
    _locked(group, writer, post)
    client.force_login(writer)
    _submit(client, group, post, kind="reply", body=CRISIS)
    item = QueueItem.objects.get(kind=QueueItem.Kind.REFUSED_RISK)

    client.force_login(moderator)
    queue_page = client.get(reverse("moderation:queue")).content.decode()
    assert "possible risk" in queue_page.lower()
    assert "want to die tonight" in queue_page  # collapsed in a <details>, but there for them
    response = client.post(
        reverse("moderation:item-decide", kwargs={"item_id": item.pk}), {"decision": "checked_in", "note": "Wrote"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == QueueItem.Status.DONE

    # The thread never shows the words to anyone.
    client.force_login(post.author)
    assert "want to die" not in client.get(post.get_absolute_url()).content.decode()


def test_a_reply_to_a_thread_removed_while_writing_still_reaches_a_human(
    client, circle, django_capture_on_commit_callbacks
):
    group, writer, moderator, post = circle
    remove_content(moderator=moderator, content=post, reason="off_topic")
    client.force_login(writer)
    with django_capture_on_commit_callbacks(execute=True):
        response = _submit(client, group, post, kind="reply", body=CRISIS)
    assert response.status_code == 403
    _assert_reached_a_human(group, writer, moderator, response, CRISIS)
    # The item does not point at the removed thread, and removing it did not settle it.
    assert queue_for(moderator)[0].status == QueueItem.Status.OPEN


def test_an_edit_sent_after_removal_from_the_group_still_reaches_a_human(
    client, circle, make_post, django_capture_on_commit_callbacks
):
    group, writer, moderator, post = circle
    mine = make_post(group, writer, title="Mine", body="Ordinary words")
    _removed(group, writer, post)
    client.force_login(writer)
    url = reverse("groups:post-edit", kwargs={"group_slug": group.slug, "post_id": mine.pk})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"title": "Mine", "body": CRISIS, "content_warning": ""})
    assert response.status_code == 403
    _assert_reached_a_human(group, writer, moderator, response, CRISIS)
    mine.refresh_from_db()
    assert mine.body == "Ordinary words"


def test_removing_a_thread_does_not_close_a_refused_crisis_reply_to_it(client, circle):
    group, writer, moderator, post = circle
    _locked(group, writer, post)
    client.force_login(writer)
    _submit(client, group, post, kind="reply", body=CRISIS)
    remove_content(moderator=moderator, content=post, reason="off_topic")
    assert QueueItem.objects.get(kind=QueueItem.Kind.REFUSED_RISK).status == QueueItem.Status.OPEN


def test_refused_crisis_messages_sent_again_make_one_item_and_one_alert(
    client, circle, django_capture_on_commit_callbacks
):
    group, writer, moderator, post = circle
    _locked(group, writer, post)
    client.force_login(writer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            _submit(client, group, post, kind="reply", body=CRISIS)
        _submit(client, group, post, kind="reply", body="Still here. I want to die.")
    item = QueueItem.objects.get(kind=QueueItem.Kind.REFUSED_RISK)
    assert "Still here" in item.kept_text
    assert item.kept_text.count("tonight") == 1
    assert len([m for m in mail.outbox if "Possible risk" in m.subject]) == 1


def test_a_moderator_cannot_close_a_crisis_item_about_their_own_words(circle, make_post, make_member, add_member):
    group, writer, moderator, post = circle
    add_member(group, make_member("Mod Two"), role="moderator")
    own = make_post(group, moderator, body="I want to die")
    item = QueueItem.objects.get(post=own)
    with pytest.raises(ActionRefused):
        decide_item(moderator=moderator, item=item, decision="checked_in")
    item.refresh_from_db()
    assert item.status == QueueItem.Status.OPEN


def test_the_only_moderator_suspended_means_staff_are_alerted(
    circle, make_post, staff, django_capture_on_commit_callbacks
):
    group, writer, moderator, post = circle
    suspend_account(staff=staff, user=moderator, days=2, reason_text="A break")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        make_post(group, writer, body="I want to die")
    assert [m.to for m in mail.outbox if "Possible risk" in m.subject] == [[staff.email]]
