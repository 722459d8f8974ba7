"""A member's own data: export, account deletion (anonymise or erase) and blocking."""

import io
import json
import time
import zipfile
from datetime import timedelta

import pytest
from allauth.usersessions.models import UserSession
from django.apps import apps
from django.db import connection, models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from community.models import Block, DataExport, ModerationLogRef
from community.privacy import actions as privacy_actions
from community.privacy.actions import DeletionMode, delete_account, request_data_export
from community.privacy.exports import build_export_zip
from groups.meetings.actions import rsvp
from groups.models import CalendarFeed, Membership, ModerationLog, Post, Reply, Rsvp
from groups.moderation.intake import create_report
from groups.moderation.members import warn_member
from groups.posts.actions import create_post
from groups.posts.reactions import toggle_reaction
from tests.groups.meetings.factories import make_meeting

PASSWORD = "a-long-password-1"


@pytest.fixture
def busy(make_member, make_group, add_member, make_post, make_reply):
    """A member with a bit of everything: a post, a reply, a reaction, an RSVP, a feed,
    join answers, a warning from a moderator, and a report made about them by someone."""
    group = make_group("Harbour", slug="harbour")
    river = make_member("River Quill", email="river.quill@example.org")
    moderator = make_member("Mod Ash")
    reporter = make_member("Secret Reporter")
    other = make_member("Other Oak")
    membership = add_member(group, river)
    Membership.objects.filter(pk=membership.pk).update(answers=[{"question": "Why?", "answer": "Peer company"}])
    add_member(group, moderator, role="moderator")
    add_member(group, reporter)
    add_member(group, other)
    post = make_post(group, river, title="My long winter", body="Words from River.")
    reply = make_reply(post, river, body="River replies here.")
    others_reply = make_reply(post, other, body="Oak answers kindly.")
    toggle_reaction(user=river, post=post, kind="support")
    meeting = make_meeting(group, moderator)
    occurrence = meeting.occurrences.first()
    rsvp(user=river, occurrence=occurrence)
    CalendarFeed.objects.create(user=river)
    warning = warn_member(moderator=moderator, group=group, user=river, reason="unkind", note="Please be gentle.")
    create_report(reporter=reporter, group=group, post=post, reason="spam", note="reported by secret")
    return {
        "group": group,
        "river": river,
        "moderator": moderator,
        "reporter": reporter,
        "other": other,
        "post": post,
        "reply": reply,
        "others_reply": others_reply,
        "occurrence": occurrence,
        "warning": warning,
    }


def read_zip(data: bytes) -> tuple[dict, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return json.loads(archive.read("data.json")), archive.read("index.html").decode()


# --- export -----------------------------------------------------------------------------------


def test_export_holds_everything_about_the_member_and_never_the_reporter(busy):
    data, html = read_zip(build_export_zip(busy["river"]))
    assert data["profile"]["email"] == "river.quill@example.org"
    assert data["profile"]["display_name"] == "River Quill"
    assert [p["title"] for p in data["posts"]] == ["My long winter"]
    assert [r["body"] for r in data["replies"]] == ["River replies here."]
    assert data["reactions"][0]["kind"] == "support"
    assert data["rsvps"][0]["meeting"] == "Evening circle"
    assert data["memberships"][0]["join_answers"] == [{"question": "Why?", "answer": "Peer company"}]
    assert data["notification_settings"]["emails"]
    assert any(d["note"] == "Please be gentle." for d in data["moderation_decisions_about_you"])
    everything = json.dumps(data) + html
    for secret in ("Secret Reporter", "reported by secret", "Mod Ash", "Oak answers kindly"):
        assert secret not in everything
    assert "My long winter" in html
    assert "<script" not in html


def test_export_escapes_what_the_member_wrote_in_the_readable_page(busy, make_post):
    make_post(busy["group"], busy["river"], title="<script>alert(1)</script>", body="<img src=x onerror=alert(1)>")
    _data, html = read_zip(build_export_zip(busy["river"]))
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_export_request_builds_zip_emails_owner_and_only_owner_can_download(
    busy, client, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(busy["river"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("community:export-request"))
    assert response.status_code == 302
    export = DataExport.objects.get(user=busy["river"])
    assert export.status == DataExport.Status.READY
    assert [m.subject for m in mailoutbox] == ["[Steady Ground] Your data export is ready"]
    assert "My long winter" not in mailoutbox[0].body
    url = reverse("community:export-download", kwargs={"token": export.token})
    assert url in client.get(reverse("community:privacy-settings")).content.decode()
    download = client.get(url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert "no-store" in download["Cache-Control"]
    data, _html = read_zip(download.content)
    assert data["profile"]["display_name"] == "River Quill"
    other = Client()
    other.force_login(busy["other"])
    assert other.get(url).status_code == 404
    visitor = Client().get(url)
    assert visitor.status_code == 302
    assert reverse("account_login") in visitor.url


def test_export_link_expires(busy, client):
    export = DataExport.objects.create(
        user=busy["river"], status="ready", archive=b"zip", expires_at=timezone.now() - timedelta(minutes=1)
    )
    client.force_login(busy["river"])
    assert client.get(reverse("community:export-download", kwargs={"token": export.token})).status_code == 404
    assert privacy_actions.purge_expired_exports() == 1


def test_second_export_request_while_one_is_pending_is_refused(busy):
    DataExport.objects.create(user=busy["river"], expires_at=timezone.now() + timedelta(days=7))
    with pytest.raises(Exception, match="already being prepared"):
        request_data_export(user=busy["river"])


def test_export_task_run_twice_sends_one_email(busy, mailoutbox, django_capture_on_commit_callbacks):
    from community.privacy.actions import build_data_export

    export = DataExport.objects.create(user=busy["river"], expires_at=timezone.now() + timedelta(days=7))
    with django_capture_on_commit_callbacks(execute=True):
        build_data_export.call(export_id=export.pk)
        build_data_export.call(export_id=export.pk)
    assert len(mailoutbox) == 1


def test_export_export_page_needs_login(client):
    response = client.get(reverse("community:privacy-settings"))
    assert response.status_code == 302


def test_export_of_a_member_with_1000_posts_is_quick(make_member, make_group, add_member, capsys):
    group = make_group()
    member = make_member()
    add_member(group, member)
    now = timezone.now()
    Post.objects.bulk_create(
        Post(
            group=group,
            author=member,
            title=f"Post {n}",
            body="Words " * 80,
            body_html="<p>x</p>",
            last_activity_at=now,
        )
        for n in range(1000)
    )
    started = time.perf_counter()
    data, _html = read_zip(build_export_zip(member))
    elapsed = time.perf_counter() - started
    with capsys.disabled():
        print(f"\nexport of 1,000 posts took {elapsed:.2f}s on {connection.vendor}")
    assert len(data["posts"]) == 1000
    # The issue asks for "within a minute for a heavy user"; this is far inside it.
    assert elapsed < 30


# --- deletion ---------------------------------------------------------------------------------


def reauthenticated_client(user) -> Client:
    client = Client()
    client.force_login(user)
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def logged_in_client(user) -> Client:
    """Signed in through allauth's login form, so the session is recorded (usersessions)."""
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def test_delete_page_asks_for_the_password_first(busy):
    client = Client()
    client.force_login(busy["river"])
    response = client.get(reverse("community:account-delete"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))


def test_delete_needs_a_choice_and_confirmation(busy):
    client = reauthenticated_client(busy["river"])
    response = client.post(reverse("community:account-delete"), {"mode": DeletionMode.ERASE})
    assert response.status_code == 400
    assert "Please tick the box" in response.content.decode()
    assert type(busy["river"]).objects.filter(pk=busy["river"].pk).exists()


def test_anonymise_keeps_posts_as_former_member(busy):
    client = reauthenticated_client(busy["river"])
    response = client.post(reverse("community:account-delete"), {"mode": DeletionMode.ANONYMISE, "confirm": "on"})
    assert response.status_code == 302
    post = Post.objects.get(pk=busy["post"].pk)
    assert post.author_id is None
    assert post.body == "Words from River."
    assert client.get(reverse("community:profile-edit")).status_code == 302  # signed out
    viewer = Client()
    viewer.force_login(busy["other"])
    html = viewer.get(post.get_absolute_url()).content.decode()
    assert "Former member" in html
    assert "Words from River." in html
    assert "Oak answers kindly." in html
    assert "River Quill" not in html


def test_anonymous_words_stay_anonymous_after_their_author_leaves(busy, make_post, make_reply):
    """ "Former member" on an anonymous post would tell readers that its author just
    deleted their account: to everyone but the moderators it stays "Anonymous member"."""
    group, river = busy["group"], busy["river"]
    post = make_post(group, river, title="Said without my name", body="Quiet words.", is_anonymous=True)
    make_reply(busy["post"], river, body="An anonymous reply.", is_anonymous=True)
    delete_account(user=river, mode=DeletionMode.ANONYMISE)
    reader, moderator = Client(), Client()
    reader.force_login(busy["other"])
    moderator.force_login(busy["moderator"])
    # Each page, and the words there that River wrote anonymously.
    pages = [
        (post.get_absolute_url(), "Quiet words."),
        (busy["post"].get_absolute_url(), "An anonymous reply."),
        (reverse("groups:post-list", args=[group.slug]), "Said without my name"),
        (reverse("community:home"), "Said without my name"),
    ]
    for url, words in pages:
        for _kept in range(2):  # built, then kept
            html = reader.get(url).content.decode()
            shown_with = _item_around(html, words)
            assert "Anonymous member" in shown_with, url
            assert "Former member" not in shown_with, url
            assert "River Quill" not in html, url
    thread = moderator.get(post.get_absolute_url()).content.decode()
    assert "Former member (posted anonymously)" in thread
    assert "River Quill" not in thread


def _item_around(html: str, words: str) -> str:
    """The post, reply or row (``<article>`` or ``<li>``) of the page that holds ``words``."""
    at = html.index(words)
    start = max(html.rfind("<article", 0, at), html.rfind("<li", 0, at))
    ends = [end for end in (html.find("</li>", at), html.find("</article>", at)) if end > 0]
    return html[start : min(ends)]


def test_erase_replaces_text_and_keeps_others_replies(busy):
    delete_account(user=busy["river"], mode=DeletionMode.ERASE)
    post = Post.objects.get(pk=busy["post"].pk)
    assert post.body == ""
    assert post.title == "Removed by its author"
    assert Reply.objects.get(pk=busy["reply"].pk).body == ""
    viewer = Client()
    viewer.force_login(busy["other"])
    html = viewer.get(post.get_absolute_url()).content.decode()
    assert "removed by its author" in html
    assert "Oak answers kindly." in html
    assert "Words from River." not in html
    assert "River replies here." not in html


def test_deletion_frees_seats_ends_sessions_and_keeps_moderation_log_with_a_pseudonym(busy):
    river = busy["river"]
    client = logged_in_client(river)
    other_browser = logged_in_client(river)
    assert UserSession.objects.filter(user=river).count() == 2
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.post(reverse("community:account-delete"), {"mode": DeletionMode.ANONYMISE, "confirm": "on"})
    assert response.url == reverse("community:home")
    assert not UserSession.objects.filter(user_id=river.pk).exists()
    assert other_browser.get(reverse("community:profile-edit")).status_code == 302
    assert not Rsvp.objects.filter(user_id=river.pk).exists()
    assert not CalendarFeed.objects.filter(user_id=river.pk).exists()
    entry = ModerationLog.objects.get(pk=busy["warning"].pk)
    assert entry.target_user_id is None
    assert entry.action == "warned"
    assert ModerationLogRef.objects.get(entry=entry).target_ref.startswith("Former member ")


def test_a_crash_halfway_through_deletion_leaves_the_account_as_it_was(busy, monkeypatch):
    river = busy["river"]

    def boom(*args, **kwargs):
        raise RuntimeError("worker died")

    # The last step but one: everything before it (seats, text, sessions) has been done.
    monkeypatch.setattr(privacy_actions.LogEntry.objects, "filter", boom)
    with pytest.raises(RuntimeError):
        delete_account(user=river, mode=DeletionMode.ERASE)
    river.refresh_from_db()
    assert Post.objects.get(pk=busy["post"].pk).body == "Words from River."
    assert Post.objects.get(pk=busy["post"].pk).author_id == river.pk
    assert Rsvp.objects.filter(user=river, status="confirmed").exists()
    assert not ModerationLogRef.objects.exists()
    monkeypatch.undo()
    delete_account(user=river, mode=DeletionMode.ERASE)
    assert not type(river).objects.filter(pk=river.pk).exists()


def text_columns():
    for model in apps.get_models():
        if not model._meta.managed or model._meta.proxy:
            continue
        fields = [
            f.column
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField | models.EmailField)
        ]
        if fields:
            yield model, fields


def find_in_tables(needles: list[str]) -> list[tuple[str, str, str]]:
    """Every (model, column, needle) where a text column of any table contains a needle."""
    found = []
    with connection.cursor() as cursor:
        for model, columns in text_columns():
            table = connection.ops.quote_name(model._meta.db_table)
            for column in columns:
                col = connection.ops.quote_name(column)
                for needle in needles:
                    cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE CAST({col} AS TEXT) LIKE %s", [f"%{needle}%"])  # noqa: S608
                    if cursor.fetchone()[0]:
                        found.append((model._meta.label, column, needle))
    return found


def test_after_deletion_no_table_holds_the_members_identifiers(busy, django_capture_on_commit_callbacks):
    river = busy["river"]
    # Queued work and an export that name the member, as a busy account would have.
    request_data_export(user=river)
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {"to": [river.email], "subject": "x", "body": "y"}},
        task_path="community.tasks.send_email",
        queue_name="default",
        backend_name="default",
        run_after=timezone.now(),
        priority=0,
    )
    from community.models import OutboxEmail

    for key, recipient in [("by-address", None), ("for-member", river)]:
        OutboxEmail.objects.create(
            key=key, recipient=recipient, to=[river.email], subject="x", next_attempt_at=timezone.now()
        )
    feed_token = CalendarFeed.objects.get(user=river).token
    needles = [river.email, river.display_name, feed_token]
    # The scan itself works: before deletion it finds the member in several tables.
    assert {label for label, _column, _needle in find_in_tables(needles)} >= {
        "community.User",
        "account.EmailAddress",
        "groups.CalendarFeed",
        "django_tasks_database.DBTaskResult",
        "community.OutboxEmail",
    }
    delete_account(user=river, mode=DeletionMode.ANONYMISE)
    assert find_in_tables(needles) == []


# --- blocking ---------------------------------------------------------------------------------


def test_blocked_members_posts_and_replies_are_folded_for_me_only(busy, client):
    Block.objects.create(blocker=busy["other"], blocked=busy["river"])
    client.force_login(busy["other"])
    html = client.get(busy["post"].get_absolute_url()).content.decode()
    assert html.count("Folded away: you blocked this member") == 2  # the post and River's reply
    listing = client.get(reverse("groups:post-list", kwargs={"group_slug": "harbour"})).content.decode()
    assert "A post from a member you blocked" in listing
    assert "My long winter" not in listing
    moderator = Client()
    moderator.force_login(busy["moderator"])
    assert "Folded away" not in moderator.get(busy["post"].get_absolute_url()).content.decode()


def test_anonymous_posts_are_not_folded_so_blocking_reveals_nobody(busy, client):
    Block.objects.create(blocker=busy["other"], blocked=busy["river"])
    busy["group"].allow_anonymous = True
    busy["group"].save()
    post = create_post(author=busy["river"], group=busy["group"], title="Anon", body="Quiet words", is_anonymous=True)
    client.force_login(busy["other"])
    assert "Folded away" not in client.get(post.get_absolute_url()).content.decode()


def test_blocked_member_cannot_mention_me_and_nobody_is_told(busy, client, mailoutbox):
    from community.models import Notification

    Block.objects.create(blocker=busy["other"], blocked=busy["river"])
    create_post(author=busy["river"], group=busy["group"], title="Hi", body="Hello @Other Oak and @Mod Ash")
    assert not Notification.objects.filter(recipient=busy["other"], kind="mention").exists()
    assert Notification.objects.filter(recipient=busy["moderator"], kind="mention").exists()


def test_block_and_unblock_from_the_privacy_page(busy, client):
    client.force_login(busy["other"])
    response = client.post(reverse("community:block-create"), {"display_name": "river quill"})
    assert response.status_code == 302
    assert Block.objects.filter(blocker=busy["other"], blocked=busy["river"]).exists()
    assert "River Quill" in client.get(reverse("community:privacy-settings")).content.decode()
    client.post(reverse("community:block-remove", kwargs={"user_id": busy["river"].pk}))
    assert not Block.objects.exists()


@pytest.mark.parametrize(("name", "message"), [("Other Oak", "You cannot block yourself."), ("Nobody", "No member")])
def test_block_form_refuses_self_and_unknown_names(busy, client, name, message):
    client.force_login(busy["other"])
    response = client.post(reverse("community:block-create"), {"display_name": name})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Block.objects.exists()


def test_moderation_log_shows_a_deleted_moderators_actions_under_a_pseudonym(busy, staff, client):
    delete_account(user=busy["moderator"], mode=DeletionMode.ANONYMISE)
    ref = ModerationLogRef.objects.get(entry=busy["warning"]).actor_ref
    client.force_login(staff)
    html = client.get(reverse("moderation:log")).content.decode()
    assert ref in html
    assert "Mod Ash" not in html
    assert "River Quill" in html  # the member the decision was about is still here
