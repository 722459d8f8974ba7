"""Faults: the database going away, a mail server refusing mail, a worker killed mid-task."""

import smtplib

import pytest
from django.core.mail import EmailMultiAlternatives
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from community.models import Notification, OutboxEmail
from groups.models import Reply
from groups.posts.announce import notify_published

CRISIS_HREF = 'href="/help/"'
DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}}


# --- the database goes away and comes back --------------------------------------------------


@pytest.fixture
def database_outage():
    """``down()`` makes the database unreachable, ``up()`` brings it back. On PostgreSQL
    the connection is pointed at a closed port; on SQLite (an in-memory test database
    cannot be closed and reopened) connecting is refused instead."""
    patch = pytest.MonkeyPatch()
    original = dict(connection.settings_dict)

    def down():
        if connection.vendor == "postgresql":
            connection.close()
            patch.setitem(connection.settings_dict, "HOST", "127.0.0.1")
            patch.setitem(connection.settings_dict, "PORT", "1")
        else:

            def refuse(*args, **kwargs):
                raise OperationalError("connection refused")

            patch.setattr(connection, "ensure_connection", refuse)
            patch.setattr(connection, "cursor", refuse)

    def up():
        patch.undo()
        connection.settings_dict.update(original)

    yield down, up
    up()


@pytest.mark.django_db(transaction=True)
def test_database_down_gives_our_friendly_503_page_and_503_health_then_recovers(database_outage):
    down, up = database_outage
    client = Client(raise_request_exception=False)
    for _ in range(2):  # asked for twice: kept
        assert client.get(reverse("groups:group-list")).status_code == 200
    down()
    # A visitor's page kept in the cache (community/core/pagecache.py) is still served.
    assert client.get(reverse("groups:group-list")).status_code == 200
    page = client.get(reverse("groups:group-list") + "?format=online")
    assert page.status_code == 503
    assert page["Retry-After"] == "30"
    html = page.content.decode()
    assert "We cannot reach our records just now" in html
    assert CRISIS_HREF in html
    assert "988" in html
    assert client.get("/healthz").status_code == 503
    # The database comes back: the same process answers again, without a restart.
    up()
    assert client.get("/healthz").status_code == 200
    assert client.get(reverse("groups:group-list")).status_code == 200


# --- a mail server that refuses mail ---------------------------------------------------------


@pytest.fixture
def refusing_mail_server(monkeypatch):
    calls = []

    def refuse(self, fail_silently=False):
        calls.append(self.to)
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    return calls


def test_a_refused_email_does_not_undo_the_action(
    make_member, make_group, add_member, make_post, client, refusing_mail_server, django_capture_on_commit_callbacks
):
    group = make_group()
    author = make_member("Author", email_frequency="each")
    replier = make_member("Replier")
    add_member(group, author)
    add_member(group, replier)
    post = make_post(group, author)
    client.force_login(replier)
    url = reverse("groups:reply-create", kwargs={"group_slug": group.slug, "post_id": post.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"body": "Thinking of you."})
    assert response.status_code == 302
    assert Reply.objects.filter(post=post, body="Thinking of you.").exists()
    assert refusing_mail_server == [[author.email]]
    email = OutboxEmail.objects.get()
    # It waits in the outbox for its next attempt; only the kind of error is recorded.
    assert (email.status, email.attempts) == (OutboxEmail.Status.PENDING, 1)
    assert email.next_attempt_at > timezone.now()
    assert email.last_error == "SMTPServerDisconnected"


# Retries, crashes mid-send and dead workers: tests/community/mail/test_outbox.py and tests/test_workers.py.


# --- telling people about a reply happens in a task ------------------------------------------


@pytest.mark.django_db
def test_a_reply_is_announced_by_a_task_once_even_if_the_task_runs_twice(
    settings, client, make_group, make_member, add_member, make_post
):
    settings.TASKS = DATABASE_BACKEND
    group = make_group()
    author, replier = make_member("Poster"), make_member("Replier")
    add_member(group, author)
    add_member(group, replier)
    post = make_post(group, author)
    DBTaskResult.objects.all().delete()
    client.force_login(replier)
    response = client.post(
        reverse("groups:reply-create", kwargs={"group_slug": group.slug, "post_id": post.pk}), {"body": "Same here."}
    )
    reply = Reply.objects.get(post=post)
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.reply_count == 1  # the count changes at once, in the request
    assert not Notification.objects.exists()  # the notification waits for a worker
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs["kwargs"] == {"reply_id": reply.pk}
    # What the worker does; then the same task again, as after a worker killed mid-run.
    for _ in range(2):
        queued.task.call(**queued.args_kwargs["kwargs"])
    notification = Notification.objects.get()
    assert (notification.recipient, notification.kind, notification.reply) == (author, "reply_to_post", reply)


@pytest.mark.django_db
def test_a_reply_removed_before_its_task_runs_is_announced_to_nobody(make_group, make_member, add_member, make_post):
    group = make_group()
    author, replier = make_member("Poster"), make_member("Replier")
    add_member(group, author)
    add_member(group, replier)
    post = make_post(group, author)
    reply = Reply.objects.create(post=post, author=replier, body="x", body_html="x")
    Reply.objects.filter(pk=reply.pk).update(status="removed")
    assert notify_published(reply_id=reply.pk) == 0
    # Nor a reply whose post moderators removed in the meantime.
    Reply.objects.filter(pk=reply.pk).update(status="published")
    type(post).objects.filter(pk=post.pk).update(status="removed")
    assert notify_published(reply_id=reply.pk) == 0
    assert not Notification.objects.exists()
