"""The email outbox: no email lost when a worker dies, at most the one in flight doubled,
never sent to someone who may no longer receive it, urgent mail first, a silent mail
server bounded."""

import smtplib
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from community.mail import outbox
from community.mail.outbox import URGENT, queue_email, still_deliverable
from community.models import Notification, OutboxEmail
from groups.models import Membership
from groups.posts.announce import notify_published

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}}


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after it runs, and no ``except Exception`` catches it."""


def sent_subjects():
    return [message.subject for message in mail.outbox]


# --- written with what it announces -----------------------------------------------------------


@pytest.mark.django_db
def test_an_email_exists_only_if_its_transaction_commits(mailoutbox):
    def queue_then_fail():
        with transaction.atomic():
            queue_email(to=["a@example.org"], subject="Rolled back", body="x")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        queue_then_fail()
    with transaction.atomic():
        queue_email(to=["a@example.org"], subject="Committed", body="x")
    assert list(OutboxEmail.objects.values_list("subject", "status")) == [("Committed", "pending")]


@pytest.mark.django_db
def test_one_drain_is_queued_per_transaction_however_many_emails(settings, django_capture_on_commit_callbacks):
    settings.TASKS = DATABASE_BACKEND
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for n in range(5):
            queue_email(to=[f"m{n}@example.org"], subject="Hi", body="x")
    assert DBTaskResult.objects.get().task_path == outbox.deliver_outbox.module_path


@pytest.mark.django_db
def test_a_key_makes_queueing_idempotent():
    for _ in range(2):
        queue_email(to=["a@example.org"], subject="Once", body="x", key="reminder-1")
    assert OutboxEmail.objects.count() == 1


def test_new_post_emails_survive_a_worker_killed_at_any_point_of_the_task(
    make_group, make_member, add_member, make_post, monkeypatch, mailoutbox
):
    """The scenario that lost 199 of 200 emails: the "new post" task killed while it
    queued the members' emails. Killed before its commit, it leaves nothing behind and the
    rerun does everything; after its commit, every email is in the outbox."""
    group = make_group()
    author = make_member("Author")
    add_member(group, author)
    followers = [make_member(f"Follower {n}", email_frequency="each") for n in range(30)]
    for follower in followers:
        add_member(group, follower)
    Membership.objects.filter(user__in=followers).update(follows_closely=True)
    post = make_post(group, author)
    Notification.objects.all().delete()
    OutboxEmail.objects.all().delete()

    real_queue = outbox.OutboxEmail.objects.bulk_create
    calls = {"n": 0}

    def killed_on_the_15th(rows, **kwargs):
        calls["n"] += 1
        if calls["n"] == 15:
            raise WorkerKilled
        return real_queue(rows, **kwargs)

    monkeypatch.setattr(outbox.OutboxEmail.objects, "bulk_create", killed_on_the_15th)
    with pytest.raises(WorkerKilled):
        notify_published(post_id=post.pk)
    # Nothing half-done: no notification claims an email that is not in the outbox.
    assert not Notification.objects.exists()
    assert not OutboxEmail.objects.exists()
    # requeue_stale_tasks puts the task back; the rerun does it all.
    monkeypatch.undo()
    assert notify_published(post_id=post.pk) == 30
    assert OutboxEmail.objects.filter(status="pending").count() == 30
    while outbox.deliver_one():
        pass
    assert sorted(m.to[0] for m in mailoutbox) == sorted(f.email for f in followers)
    # A third run (the task requeued once more) sends nothing new.
    assert notify_published(post_id=post.pk) == 0
    assert OutboxEmail.objects.count() == 30


# --- at most the one in flight doubled ---------------------------------------------------------


@pytest.mark.django_db
def test_a_worker_killed_after_the_server_accepted_doubles_only_that_email(monkeypatch, mailoutbox):
    for n in range(3):
        queue_email(to=[f"m{n}@example.org"], subject=f"Email {n}", body="x")
    real_finish = outbox._finish

    def killed_before_marking(row, status):
        raise WorkerKilled

    monkeypatch.setattr(outbox, "_finish", killed_before_marking)
    with pytest.raises(WorkerKilled):
        outbox.deliver_one()
    assert sent_subjects() == ["Email 0"]  # the server accepted it...
    assert OutboxEmail.objects.get(subject="Email 0").status == "pending"  # ...but the mark rolled back
    monkeypatch.setattr(outbox, "_finish", real_finish)
    outbox.deliver_due()
    assert sent_subjects() == ["Email 0", "Email 0", "Email 1", "Email 2"]
    # Both copies carry the same Message-ID, by which mail systems drop the second.
    ids = [message.extra_headers["Message-ID"] for message in mailoutbox]
    assert ids[0] == ids[1] != ids[2]
    assert set(OutboxEmail.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_a_worker_killed_before_the_server_accepted_loses_and_doubles_nothing(monkeypatch, mailoutbox):
    queue_email(to=["a@example.org"], subject="Hello", body="x")

    def killed_mid_send(self, fail_silently=False):
        raise WorkerKilled

    with monkeypatch.context() as patch:
        patch.setattr(EmailMultiAlternatives, "send", killed_mid_send)
        with pytest.raises(WorkerKilled):
            outbox.deliver_one()
    outbox.deliver_due()
    assert sent_subjects() == ["Hello"]


@pytest.mark.django_db(transaction=True)
def test_two_workers_draining_at_once_send_each_email_once(mailoutbox):
    for n in range(40):
        queue_email(to=[f"m{n}@example.org"], subject=f"Email {n}", body="x")

    def drain():
        try:
            outbox.deliver_due()
        finally:
            connection.close()

    threads = [threading.Thread(target=drain) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(sent_subjects()) == sorted(f"Email {n}" for n in range(40))
    assert OutboxEmail.objects.filter(status="sent").count() == 40


@pytest.mark.django_db
def test_a_sent_email_keeps_no_address_or_text(mailoutbox):
    queue_email(to=["private@example.org"], subject="About your post", body="Words", html="<p>Words</p>")
    outbox.deliver_due()
    row = OutboxEmail.objects.get()
    assert (row.status, row.attempts) == ("sent", 1)
    assert (row.to, row.subject, row.body, row.html, row.headers) == ([], "", "", "", {})
    assert row.finished_at is not None


# --- asked again at send time ------------------------------------------------------------------


@pytest.mark.django_db
def test_an_email_to_a_member_suspended_since_it_was_queued_is_not_sent(make_member, mailoutbox):
    member = make_member("River")
    queue_email(to=[member.email], recipient=member, subject="New reply", body="x")
    member.is_suspended = True
    member.save()
    assert outbox.deliver_due()["dropped"] == 1
    assert mailoutbox == []
    row = OutboxEmail.objects.get()
    assert (row.status, row.to) == ("dropped", [])


def test_a_notification_email_goes_only_while_the_member_may_see_what_it_announces(
    make_group, make_member, add_member, make_post, mailoutbox
):
    group = make_group()
    author, reader = make_member("Author"), make_member("Reader")
    add_member(group, author)
    membership = add_member(group, reader)
    post = make_post(group, author)
    note = Notification.objects.create(recipient=reader, kind=Notification.Kind.NEW_POST, group=group, post=post)
    queue_email(to=[reader.email], recipient=reader, notification_id=note.pk, subject="Still a member", body="x")
    outbox.deliver_due()
    assert sent_subjects() == ["Still a member"]
    # The member leaves before the next one goes.
    note = Notification.objects.create(recipient=reader, kind=Notification.Kind.NEW_POST, group=group, post=post)
    queue_email(to=[reader.email], recipient=reader, notification_id=note.pk, subject="Left since", body="x")
    membership.delete()
    assert outbox.deliver_due()["dropped"] == 1
    assert sent_subjects() == ["Still a member"]


@pytest.mark.django_db
def test_still_deliverable_asks_about_the_recipient_or_the_accounts_behind_the_address(make_member):
    member = make_member("River", email="river@example.org")
    for_member = OutboxEmail(recipient=member, to=[member.email])
    by_address = OutboxEmail(to=["RIVER@example.org"])
    no_account = OutboxEmail(to=["someone-signing-up@example.org"])
    assert still_deliverable(for_member)
    assert still_deliverable(by_address)
    assert still_deliverable(no_account)
    member.is_active = False
    member.save()
    assert not still_deliverable(for_member)
    assert not still_deliverable(by_address)
    member.is_active = True
    member.is_suspended = True
    member.suspended_until = timezone.now() + timedelta(days=1)
    member.save()
    assert not still_deliverable(for_member)
    member.suspended_until = timezone.now() - timedelta(days=1)  # the suspension has ended
    member.save()
    assert still_deliverable(for_member)


# --- failures: one message refused, or the server itself silent --------------------------------


@pytest.fixture
def mail_server(monkeypatch):
    """``mail_server.fail_with = error`` makes every send raise it; None sends."""

    class Server:
        fail_with = None
        attempts = 0

    server = Server()
    real_send = EmailMultiAlternatives.send

    def send(message, fail_silently=False):
        server.attempts += 1
        if server.fail_with is not None:
            raise server.fail_with
        return real_send(message, fail_silently)

    monkeypatch.setattr(EmailMultiAlternatives, "send", send)
    return server


@pytest.mark.django_db
def test_a_silent_mail_server_costs_one_attempt_then_the_drain_pauses(settings, mail_server, mailoutbox):
    settings.TASKS = DATABASE_BACKEND
    for n in range(200):
        queue_email(to=[f"m{n}@example.org"], subject="Hi", body="x")
    DBTaskResult.objects.all().delete()
    mail_server.fail_with = TimeoutError("timed out")
    started = timezone.now()
    outcome = outbox.deliver_due()
    # One timeout (EMAIL_TIMEOUT seconds), not 200: the worker goes back to other tasks.
    assert mail_server.attempts == 1
    assert outcome == {"sent": 0, "dropped": 0, "retry": 1, "failed": 0}
    assert OutboxEmail.objects.filter(attempts=0, status="pending").count() == 199
    # Every waiting email waits the pause too, so the other drains queued meanwhile (one
    # per transaction that sent mail) find nothing due and end at once.
    assert not OutboxEmail.objects.filter(next_attempt_at__lt=started + outbox.SERVER_PAUSE).exists()
    assert outbox.deliver_due() == {"sent": 0, "dropped": 0, "retry": 0, "failed": 0}
    assert mail_server.attempts == 1
    follow_up = DBTaskResult.objects.get()
    assert follow_up.queue_name == "email"
    assert follow_up.run_after >= started + outbox.SERVER_PAUSE
    # The server answers again: everything goes, the one that failed included.
    mail_server.fail_with = None
    DBTaskResult.objects.all().delete()
    OutboxEmail.objects.update(next_attempt_at=timezone.now())
    outbox.deliver_due(budget_seconds=60)
    assert len(mailoutbox) == 200


@pytest.mark.django_db
def test_a_refused_message_is_retried_with_growing_waits_and_does_not_stop_the_others(
    settings, mail_server, mailoutbox
):
    queue_email(to=["refused@example.org"], subject="Refused", body="x")
    queue_email(to=["fine@example.org"], subject="Fine", body="x")
    mail_server.fail_with = smtplib.SMTPRecipientsRefused({"refused@example.org": (550, b"no")})
    outbox.deliver_one()
    mail_server.fail_with = None
    outbox.deliver_one()
    assert sent_subjects() == ["Fine"]
    refused = OutboxEmail.objects.get(subject="Refused")
    assert (refused.status, refused.attempts, refused.last_error) == ("pending", 1, "SMTPRecipientsRefused")
    assert outbox.retry_delay(2) == 2 * outbox.retry_delay(1)
    # The last attempt gives up, says so, and keeps nothing of the message.
    mail_server.fail_with = smtplib.SMTPRecipientsRefused({})
    OutboxEmail.objects.filter(pk=refused.pk).update(
        attempts=settings.EMAIL_MAX_ATTEMPTS - 1, next_attempt_at=timezone.now()
    )
    assert outbox.deliver_one() == "failed"
    refused.refresh_from_db()
    assert (refused.status, refused.to, refused.attempts) == ("failed", [], settings.EMAIL_MAX_ATTEMPTS)


@pytest.mark.django_db
def test_crisis_alerts_go_before_a_long_queue_of_mail(mailoutbox):
    for n in range(10):
        queue_email(to=[f"m{n}@example.org"], subject="Digest", body="x")
    queue_email(to=["moderator@example.org"], subject="Possible risk", body="x", priority=URGENT)
    outbox.deliver_one()
    assert sent_subjects() == ["Possible risk"]


# --- the sweep ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_sweep_starts_a_drain_for_emails_whose_process_died_before_asking(settings):
    settings.TASKS = DATABASE_BACKEND
    # Committed, but the process died before its on-commit request for a drain.
    OutboxEmail.objects.create(key="k", to=["a@example.org"], subject="Hi", next_attempt_at=timezone.now())
    DBTaskResult.objects.all().delete()
    assert outbox.ensure_delivery_scheduled() is True
    assert DBTaskResult.objects.get().task_path == outbox.deliver_outbox.module_path
    # A drain is waiting already: no second one, from the sweep or from new emails.
    assert outbox.ensure_delivery_scheduled() is False
    queue_email(to=["b@example.org"], subject="Hi", body="x")
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db
def test_finished_rows_are_pruned_after_thirty_days(mailoutbox):
    queue_email(to=["a@example.org"], subject="Old", body="x")
    outbox.deliver_due()
    assert outbox.prune_finished(now=timezone.now() + timedelta(days=29)) == 0
    assert outbox.prune_finished(now=timezone.now() + timedelta(days=31)) == 1
