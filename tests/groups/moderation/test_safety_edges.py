"""Promises kept at the edges: approvals told, alerts that say what happened, safe phrases,
nothing private left in lists, reports merged, queue choices that fit, decisions that agree."""

import json
import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from community.models import Notification
from community.notifications.actions import send_digest
from community.privacy.exports import collect_member_data
from groups.models import ContentStatus, Membership, ModerationLog, Post, QueueItem, Reply, Report, WatchedWord
from groups.moderation.appeals import appeal_decision
from groups.moderation.content import remove_content
from groups.moderation.intake import create_report
from groups.moderation.members import remove_member, warn_member
from groups.moderation.queue import approve_item, decide_item, decision_choices, queue_for
from groups.moderation.suspensions import suspend_account
from groups.posts.actions import create_reply
from groups.posts.screening import has_crisis_language
from tests.groups.meetings.factories import make_meeting

A = ModerationLog.Action

# SQLite locks the whole database for a write: what these race for is a row lock.
ROW_LOCKS = pytest.mark.skipif(not settings.IS_POSTGRES, reason="row locks are tested on PostgreSQL")


@pytest.fixture
def circle(make_group, make_member, add_member):
    group = make_group("Circle", slug="circle")
    people = {name: make_member(name) for name in ["Author", "Reader", "Mod", "Mod Two", "R1", "R2", "R3"]}
    for name, person in people.items():
        add_member(group, person, role="moderator" if name.startswith("Mod") else "member")
    return group, people


# --- every promise kept -------------------------------------------------------------------------


def test_author_is_told_when_a_held_post_is_approved_without_its_text(
    client, circle, make_post, django_capture_on_commit_callbacks
):
    group, people = circle
    group.hold_all = True
    group.save()
    people["Author"].email_frequency = "each"
    people["Author"].save()
    post = make_post(group, people["Author"], title="Private title", body="PRIVATE-BODY words")
    item = QueueItem.objects.get(post=post)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decide_item(moderator=people["Mod"], item=item, decision="approve")

    notice = Notification.objects.get(recipient=people["Author"], kind=Notification.Kind.APPROVED)
    assert notice.post == post
    emails = [m for m in mail.outbox if m.to == [people["Author"].email]]
    assert len(emails) == 1
    assert "approved" in emails[0].subject
    assert "PRIVATE-BODY" not in emails[0].body
    client.force_login(people["Author"])
    assert "was approved" in client.get(reverse("community:notification-list")).content.decode()


def test_author_is_told_when_a_held_post_is_rejected(circle, make_post):
    group, people = circle
    group.hold_all = True
    group.save()
    post = make_post(group, people["Author"])
    decide_item(moderator=people["Mod"], item=QueueItem.objects.get(post=post), decision="reject", reason="unkind")
    assert Notification.objects.filter(
        recipient=people["Author"], kind=Notification.Kind.MODERATION, decision__action=A.REJECTED
    ).exists()


def test_forms_say_before_writing_that_a_moderator_reads_first_posts(client, circle, make_post):
    group, people = circle
    group.hold_first_posts = 1
    group.save()
    post = make_post(group, people["Mod"])
    client.force_login(people["Author"])
    page = client.get(reverse("groups:post-create", kwargs={"group_slug": group.slug})).content.decode()
    assert "Your first posts in this group are read by a moderator" in page
    assert "read by a moderator" in client.get(post.get_absolute_url()).content.decode()
    # A moderator's own form says nothing of the kind.
    client.force_login(people["Mod Two"])
    page = client.get(reverse("groups:post-create", kwargs={"group_slug": group.slug})).content.decode()
    assert "read by a moderator" not in page


def test_a_risk_report_alert_does_not_claim_the_person_saw_crisis_resources(
    circle, make_post, django_capture_on_commit_callbacks
):
    group, people = circle
    post = make_post(group, people["Author"], body="A hard week.")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        create_report(reporter=people["Reader"], group=group, reason=Report.Reason.AT_RISK, post=post)
    alert = next(m for m in mail.outbox if "Possible risk" in m.subject)
    assert "has not been shown anything" in alert.body
    assert "They were shown the crisis resources" not in alert.body


def test_own_crisis_words_alert_says_the_author_saw_the_resources(
    circle, make_post, django_capture_on_commit_callbacks
):
    group, people = circle
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        make_post(group, people["Author"], body="I want to die")
    alert = next(m for m in mail.outbox if "Possible risk" in m.subject)
    assert "They were shown the crisis resources at once" in alert.body


def test_a_moderator_writing_crisis_words_alerts_the_others_not_themselves(
    circle, make_post, django_capture_on_commit_callbacks
):
    group, people = circle
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post = make_post(group, people["Mod"], body="Honestly I want to die some days")
    alerted = sorted(m.to[0] for m in mail.outbox if "Possible risk" in m.subject)
    assert alerted == [people["Mod Two"].email]
    assert [i.post for i in queue_for(people["Mod Two"])] == [post]
    assert list(queue_for(people["Mod"])) == []


@pytest.fixture
def made_a_plan(db):
    """The seeded phrase these tests are about (a flushed test database may lack the seeds)."""
    from groups.models import CrisisPhrase

    CrisisPhrase.objects.get_or_create(phrase="made a plan")
    CrisisPhrase.objects.get_or_create(phrase="want to die")


@pytest.mark.parametrize(
    "text",
    [
        "I made a safety plan with my therapist today",
        "We made a plan with my doctor to taper slowly",
        "My treatment plan changes next month",
        "I made a plan with my psychiatrist, and I feel calmer",
    ],
)
def test_common_safe_plans_are_not_flagged(made_a_plan, text):
    assert not has_crisis_language(text)


@pytest.mark.parametrize(
    "text",
    [
        "I made a plan and I want to die",
        "I have made a plan. I'm suicidal",
        "I made a plan with my doctor's pills",
        "I have made a plan for the nurse to find me",
        "made a plan with the team leaving tonight for good",
    ],
)
def test_risk_is_still_flagged_next_to_plans(made_a_plan, text):
    assert has_crisis_language(text)


def test_made_a_plan_on_its_own_is_still_flagged(made_a_plan):
    assert has_crisis_language("I've made a plan")


# --- nothing private left in lists ------------------------------------------------------------


def _follow(group, user):
    Membership.objects.filter(group=group, user=user).update(follows_closely=True)


def _hide(how, *, post, group, people):
    if how == "removed":
        remove_content(moderator=people["Mod"], content=post, reason="unkind")
    elif how == "deleted":
        Post.objects.filter(pk=post.pk).update(status=ContentStatus.DELETED)
    elif how == "hidden by reports":
        for name in ("R1", "R2", "R3"):
            create_report(reporter=people[name], group=group, reason=Report.Reason.SPAM, post=post)
    elif how == "reader left":
        Membership.objects.filter(group=group, user=people["Reader"]).update(status=Membership.Status.LEFT)
    elif how == "reader removed":
        remove_member(moderator=people["Mod"], group=group, user=people["Reader"], reason="unkind")
    else:
        raise AssertionError(how)


READER_PAGES = [
    ("community:home", {}),
    ("community:notification-list", {}),
    ("community:search", {"q": "CANARY title"}),
    ("groups:my-groups", {}),
    ("groups:my-meetings", {}),
    ("moderation:my-decisions", {}),
]


@pytest.mark.parametrize(
    "how", ["removed", "deleted", "hidden by reports", "reader left", "reader removed", "reader suspended"]
)
def test_a_canary_no_longer_visible_is_nowhere_for_the_reader(
    client, circle, make_post, staff, how, django_capture_on_commit_callbacks
):
    """Plant a canary, notify a follower (an email with excerpts, queued but not yet
    sent), take the canary away from them, then look everywhere they could meet it."""
    group, people = circle
    reader = people["Reader"]
    _follow(group, reader)
    reader.email_frequency = "each"
    reader.email_excerpts = True
    reader.save()
    with django_capture_on_commit_callbacks(execute=False) as pending_emails:
        post = make_post(group, people["Author"], title="CANARY-title-5521", body="CANARY-body-5521")
    assert Notification.objects.filter(recipient=reader, post=post).exists()

    if how == "reader suspended":
        suspend_account(staff=staff, user=reader, days=3, reason_text="A break")
    else:
        _hide(how, post=post, group=group, people=people)

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for send in pending_emails:
            send()
        send_digest(reader)
    assert not [m for m in mail.outbox if reader.email in m.to and "CANARY" in m.subject + m.body]
    assert not [m for m in mail.outbox if reader.email in m.to and "New post" in m.subject]
    assert "CANARY" not in json.dumps(collect_member_data(reader))

    client.force_login(reader)
    for name, query in READER_PAGES:
        page = client.get(reverse(name), query).content.decode()
        assert "CANARY-title-5521" not in page, name
        assert "CANARY-body-5521" not in page, name
    if how not in ("reader suspended",):
        page = client.get(reverse("community:notification-list")).content.decode()
        assert "New post in" not in page


def test_an_email_queued_before_the_post_was_removed_is_not_sent(
    circle, make_post, django_capture_on_commit_callbacks, settings
):
    group, people = circle
    _follow(group, people["Reader"])
    # The email is queued with the notification; the removal comes before the worker sends it.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post = make_post(group, people["Author"], title="CANARY-title-9", body="x")
    remove_content(moderator=people["Mod"], content=post, reason="unkind")
    mail.outbox.clear()
    for callback in callbacks:
        callback()
    assert [m for m in mail.outbox if "CANARY" in m.subject or people["Reader"].email in m.to] == []


def test_a_suspended_member_gets_no_notification_email_or_reminder(
    circle, make_post, staff, django_capture_on_commit_callbacks
):
    group, people = circle
    _follow(group, people["Reader"])
    suspend_account(staff=staff, user=people["Reader"], days=3, reason_text="A break")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        make_post(group, people["Author"], title="New thing", body="Words")
    assert not Notification.objects.filter(recipient=people["Reader"], kind=Notification.Kind.NEW_POST).exists()
    assert [m for m in mail.outbox if people["Reader"].email in m.to] == []


def test_suspended_members_get_no_meeting_reminders(circle, staff, django_capture_on_commit_callbacks):
    from groups.meetings.actions import rsvp
    from groups.meetings.reminders import send_due_reminders

    group, people = circle
    start = timezone.localtime(timezone.now() + timedelta(hours=20), timezone.get_fixed_timezone(0))
    meeting = make_meeting(
        group,
        people["Mod"],
        title="CANARY-meeting",
        video_url="https://video.example.org/r",
        starts_on=start.date(),
        start_time=start.time().replace(second=0, microsecond=0),
    )
    occurrence = meeting.occurrences.first()
    rsvp(user=people["Reader"], occurrence=occurrence)
    suspend_account(staff=staff, user=people["Reader"], days=3, reason_text="A break")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send_due_reminders()
    assert [m for m in mail.outbox if people["Reader"].email in m.to] == []


def test_export_and_decisions_page_show_the_same_decisions(client, circle, make_post, make_member):
    group, people = circle
    WatchedWord.objects.create(phrase="zebra", action=WatchedWord.Action.FLAG)
    post = make_post(group, people["Author"], body="A zebra walked in")
    report = create_report(reporter=people["Reader"], group=group, reason=Report.Reason.SPAM, post=post)
    approve_item(moderator=people["Mod"], item=QueueItem.objects.get(report=report))
    warn_member(moderator=people["Mod"], group=group, user=people["Author"], reason="unkind", note="Be gentle")

    data = collect_member_data(people["Author"])
    exported = {d["action"] for d in data["moderation_decisions_about_you"]}
    client.force_login(people["Author"])
    page = client.get(reverse("moderation:my-decisions")).content.decode()
    assert exported == {"Warned"}
    assert "Warned" in page
    for hidden in ("Flagged by a watched word", "Report dismissed", "zebra"):
        assert hidden not in json.dumps(data["moderation_decisions_about_you"])
        assert hidden not in page


# --- reports and decisions that fit -------------------------------------------------------------


def test_three_reports_make_one_queue_item_and_the_third_reporter_is_thanked(client, circle, make_post):
    group, people = circle
    post = make_post(group, people["Author"], body="Something")
    for name, reason in (("R1", "spam"), ("R2", "spam")):
        create_report(reporter=people[name], group=group, reason=reason, post=post)
    client.force_login(people["R3"])
    url = reverse("groups:post-report", kwargs={"group_slug": group.slug, "post_id": post.pk})
    response = client.post(url, {"reason": "harassment", "note": ""}, follow=True)
    assert response.status_code == 200
    assert "a moderator will look" in response.content.decode().lower()

    items = list(queue_for(people["Mod"]))
    assert len(items) == 1
    assert items[0].why.startswith("Reported by 3 members: Spam (2), Harassment or bullying (1)")
    assert "R1" not in items[0].why
    post.refresh_from_db()
    assert post.status == ContentStatus.HELD  # hidden once, until a moderator decides

    # Keeping it settles all three reports and shows the post again.
    decide_item(moderator=people["Mod"], item=items[0], decision="approve")
    post.refresh_from_db()
    assert post.status == ContentStatus.PUBLISHED
    assert not Report.objects.filter(status=Report.Status.OPEN).exists()


def test_hiding_and_keeping_a_reply_keeps_the_reply_count_exact(circle, make_post, make_reply):
    group, people = circle
    post = make_post(group, people["Author"])
    reply = make_reply(post, people["Reader"])
    for name in ("R1", "R2", "R3"):
        create_report(reporter=people[name], group=group, reason="spam", reply=reply)
    post.refresh_from_db()
    assert post.reply_count == 0
    decide_item(moderator=people["Mod"], item=QueueItem.objects.get(kind="report"), decision="approve")
    post.refresh_from_db()
    assert post.reply_count == 1


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("join", {"approve", "decline"}),
        ("held", {"approve", "reject"}),
        ("report", {"approve", "reject", "warn"}),
        ("risk", {"checked_in", "escalate", "approve", "reject"}),
        ("appeal", {"uphold", "grant"}),
    ],
)
def test_each_queue_item_offers_the_choices_that_fit_it(client, circle, make_post, make_member, setup, expected):
    group, people = circle
    if setup == "join":
        Membership.objects.create(group=group, user=make_member("Asker"), status="pending")
        item = QueueItem.objects.create(group=group, kind="join_request", membership=Membership.objects.last())
    elif setup == "held":
        group.hold_all = True
        group.save()
        item = QueueItem.objects.get(post=make_post(group, people["Author"]))
    elif setup == "report":
        report = create_report(
            reporter=people["R1"], group=group, reason="spam", post=make_post(group, people["Author"])
        )
        item = QueueItem.objects.get(report=report)
    elif setup == "risk":
        item = QueueItem.objects.get(post=make_post(group, people["Author"], body="I want to die"))
    else:
        entry = warn_member(moderator=people["Mod"], group=group, user=people["Author"], reason="unkind")
        appeal_decision(user=people["Author"], decision=entry, text="Please look again")
        item = QueueItem.objects.get(kind="appeal")
    assert {value for value, _ in decision_choices(item)} == expected

    client.force_login(people["Mod Two"])
    page = client.get(reverse("moderation:queue")).content.decode()
    for value in expected:
        assert f'value="{value}"' in page
    # A choice that does not fit is refused with a message and changes nothing.
    wrong = "grant" if setup != "appeal" else "reject"
    response = client.post(reverse("moderation:item-decide", kwargs={"item_id": item.pk}), {"decision": wrong})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == QueueItem.Status.OPEN


def test_a_moderator_can_pass_a_crisis_flag_to_staff(circle, make_post, staff, django_capture_on_commit_callbacks):
    group, people = circle
    item = QueueItem.objects.get(post=make_post(group, people["Author"], body="I want to die"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decide_item(moderator=people["Mod"], item=item, decision="escalate", note="Worried")
    item.refresh_from_db()
    assert item.escalated_at
    assert item.status == QueueItem.Status.OPEN
    assert [m.to for m in mail.outbox if "Possible risk" in m.subject] == [[staff.email]]
    assert ModerationLog.objects.filter(action=A.ESCALATED, actor=people["Mod"]).exists()
    decide_item(moderator=staff, item=item, decision="checked_in", note="Called them")
    item.refresh_from_db()
    assert item.status == QueueItem.Status.DONE


# --- exact under concurrency ---------------------------------------------------------------------


def _at_once(count, work):
    barrier = threading.Barrier(count)
    errors = []

    def run(n):
        try:
            barrier.wait()
            work(n)
        except Exception as error:  # noqa: BLE001 - a refusal is an expected outcome here
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
@ROW_LOCKS
def test_ten_simultaneous_reports_hide_the_post_once(make_group, make_member, add_member, make_post):
    group = make_group("Busy")
    author = make_member("Author")
    add_member(group, author)
    add_member(group, make_member("Mod"), role="moderator")
    reporters = [make_member(f"Reporter {n}") for n in range(10)]
    for reporter in reporters:
        add_member(group, reporter)
    post = make_post(group, author)

    errors = _at_once(10, lambda n: create_report(reporter=reporters[n], group=group, reason="spam", post=post))

    assert errors == []
    assert Report.objects.filter(post=post).count() == 10
    assert ModerationLog.objects.filter(action=A.HIDDEN_BY_REPORTS, post=post).count() == 1
    assert QueueItem.objects.filter(post=post).count() == 1
    assert Notification.objects.filter(recipient=author, kind=Notification.Kind.UNDER_REVIEW).count() == 1


@pytest.mark.django_db(transaction=True)
@ROW_LOCKS
def test_a_new_account_cannot_pass_its_hourly_limit_with_a_burst(
    make_group, make_member, add_member, make_post, settings
):
    group = make_group("Busy")
    newcomer = make_member("Newcomer", date_joined=timezone.now())
    add_member(group, newcomer)
    old_hand = make_member("Old hand")
    add_member(group, old_hand)
    post = make_post(group, old_hand)

    _at_once(20, lambda n: create_reply(author=newcomer, post=post, body=f"Same words {n}"))

    assert Reply.objects.filter(author=newcomer).count() == settings.NEW_ACCOUNT_POSTS_PER_HOUR


@pytest.mark.django_db(transaction=True)
@ROW_LOCKS
def test_a_form_sent_twenty_times_at_once_makes_one_reply(make_group, make_member, add_member, make_post):
    group = make_group("Busy")
    member = make_member("Clicker")
    add_member(group, member)
    old_hand = make_member("Old hand")
    add_member(group, old_hand)
    post = make_post(group, old_hand)

    errors = _at_once(
        20, lambda n: create_reply(author=member, post=post, body="Thank you all", submission_key="k" * 32)
    )

    assert errors == []
    assert Reply.objects.filter(author=member).count() == 1
    post.refresh_from_db()
    assert post.reply_count == 1


def test_a_declined_applicant_is_told(client, circle, make_member):
    from groups.membership.actions import decide_join_request

    group, people = circle
    asker = make_member("Asker")
    membership = Membership.objects.create(group=group, user=asker, status="pending")
    decide_join_request(moderator=people["Mod"], membership=membership, approve=False, message="Not now")
    client.force_login(asker)
    assert "About your request to join Circle" in client.get(reverse("community:notification-list")).content.decode()


def test_checking_in_on_a_report_that_hid_a_post_shows_it_again_and_tells_the_author(circle, make_post, settings):
    settings.REPORTS_TO_HIDE = 1
    group, people = circle
    post = make_post(group, people["Author"])
    create_report(reporter=people["R1"], group=group, reason=Report.Reason.AT_RISK, post=post)
    post.refresh_from_db()
    assert post.status == ContentStatus.HELD
    decide_item(moderator=people["Mod"], item=QueueItem.objects.get(kind="report"), decision="checked_in")
    post.refresh_from_db()
    assert post.status == ContentStatus.PUBLISHED
    assert ModerationLog.objects.filter(action=A.RESTORED, post=post, target_user=people["Author"]).exists()


def test_an_edit_with_a_hold_word_is_flagged_for_moderators(circle, make_post):
    from groups.posts.actions import edit_post

    group, people = circle
    WatchedWord.objects.create(phrase="zebra", action=WatchedWord.Action.HOLD)
    post = make_post(group, people["Author"], body="Plain")
    edit_post(user=people["Author"], post=post, title=post.title, body="A zebra", content_warning="")
    assert QueueItem.objects.filter(post=post, kind=QueueItem.Kind.FLAGGED_POST).exists()


def test_a_held_crisis_post_offers_the_care_choices(circle, make_post):
    group, people = circle
    group.hold_all = True
    group.save()
    item = QueueItem.objects.get(post=make_post(group, people["Author"], body="I want to die"))
    assert {v for v, _ in decision_choices(item)} == {"checked_in", "escalate", "approve", "reject"}


def test_the_queue_filter_stays_a_filter_whatever_the_items(client, circle, make_post):
    group, people = circle
    make_post(group, people["Author"], body="I want to die")
    client.force_login(people["Mod"])
    page = client.get(reverse("moderation:queue")).content.decode()
    filter_form = page[page.index('aria-label="Filter the queue"') : page.index("item waiting")]
    assert 'name="decision"' not in filter_form
    assert 'name="kind"' in filter_form
