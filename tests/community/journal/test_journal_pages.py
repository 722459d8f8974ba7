"""What a member sees and what happens: the self-harm question, the esketamine ride note,
the timeline (and its query count), the clinician summary, share links and reminders."""

import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from community.journal.actions import create_share_link, revoke_share_link, set_checkin_reminder
from community.journal.reminders import send_due_checkin_reminders
from community.models import JournalCheckIn, JournalShareLink, JournalShareOpen, Notification
from tests.community.journal.conftest import CANARY

TODAY = timezone.localdate()


# --- the self-harm question ------------------------------------------------------------------


def test_the_check_in_page_says_nobody_is_told_before_the_question(member_client):
    page = member_client.get(reverse("journal:checkin-create")).content.decode()
    promise = page.index("Nobody is told")
    question = page.index("have you had thoughts of harming yourself")
    assert promise < question
    assert "not shown on the summary for your clinician" in page
    # The crisis panel is already in the form, shown by CSS the moment "Yes" is ticked (no JavaScript).
    assert 'class="crisis-reveal"' in page
    assert page.index("Call or text 988") > question


def test_answering_yes_shows_crisis_help_at_once_and_tells_nobody(
    member_client, member, make_member, make_group, add_member, mailoutbox, django_capture_on_commit_callbacks
):
    group = make_group("Harbour")
    add_member(group, member)
    add_member(group, make_member("Mod Ash"), role="moderator")
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(
            reverse("journal:checkin-create"), {"date": TODAY.isoformat(), "self_harm_thoughts": "yes"}, follow=True
        )
    page = response.content.decode()
    assert response.status_code == 200
    for line in ["Call or text 988", "Text HOME to 741741", "call 911"]:
        assert line in page
    assert "nobody here has been told" in page
    assert "A moderator will also see what you wrote" not in page
    assert JournalCheckIn.objects.get().self_harm_thoughts == "yes"
    # Nobody is told: no email, no notification, nothing in any moderation queue.
    assert mailoutbox == []
    assert not Notification.objects.exists()
    from groups.models import QueueItem

    assert not QueueItem.objects.exists()
    # Shown once, on the page after saving.
    assert "Call or text 988" not in member_client.get(reverse("journal:home")).content.decode()


def test_answering_no_shows_no_crisis_panel(member_client):
    response = member_client.post(
        reverse("journal:checkin-create"), {"date": TODAY.isoformat(), "self_harm_thoughts": "no"}, follow=True
    )
    assert "crisis-support-title" not in response.content.decode()


def test_self_harm_answers_are_never_in_the_summary_or_a_shared_link(member_client, member, make_checkin):
    make_checkin(member, self_harm_thoughts="yes", mood=1)
    _link, token = create_share_link(user=member, period_days=None)
    for page in [
        member_client.get(reverse("journal:summary")).content.decode(),
        Client().get(reverse("journal:shared", args=[token])).content.decode(),
    ]:
        sheet = page.split('<article class="summary-sheet">', 1)[1].split("</article>", 1)[0]
        assert "harm" not in sheet.lower()
        assert "Yes" not in sheet


# --- esketamine ----------------------------------------------------------------------------


def test_esketamine_sessions_remind_the_member_not_to_drive_and_cite_the_label(member_client, member, make_treatment):
    spravato = make_treatment(member, kind="esketamine", name="Spravato", started_on=date(2025, 1, 1))
    tms = make_treatment(member, kind="tms", name="TMS", started_on=date(2025, 1, 1))
    for url in [
        reverse("journal:session-create", args=[spravato.pk]),
        reverse("journal:treatment-detail", args=[spravato.pk]),
    ]:
        page = " ".join(member_client.get(url).content.decode().split())
        assert "cannot drive or use machinery until the next day" in page
        assert "arrange for someone to take you home" in page
        assert "at least two hours" in page
        assert "dailymed.nlm.nih.gov" in page
        assert "accessdata.fda.gov/scripts/cder/rems" in page
    assert (
        "Plan your ride home"
        not in member_client.get(reverse("journal:session-create", args=[tms.pk])).content.decode()
    )


# --- the timeline ----------------------------------------------------------------------------


def test_the_timeline_is_an_svg_with_a_table_beside_it(member_client, member, make_treatment, make_checkin):
    make_treatment(member, name="Sertraline", started_on=date(2023, 1, 1), ended_on=date(2023, 9, 1))
    make_treatment(member, kind="tms", name="TMS course", started_on=date(2024, 2, 1))
    make_checkin(member, mood=2, questionnaire="phq9", questionnaire_score=20, date=TODAY - timedelta(days=3))
    make_checkin(member, mood=4)
    page = member_client.get(reverse("journal:home") + "?range=all").content.decode()
    assert '<svg class="timeline-svg"' in page
    assert 'role="img"' in page
    assert "<polyline" in page
    assert page.count('rx="4"') == 2  # one bar per treatment
    assert "<script" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "Treatments on the timeline" in page
    assert "<td>Jan 2023</td>" in page.replace("\n", "")
    assert "ongoing" in page


def test_the_timeline_shows_the_last_three_months_by_default_when_there_are_recent_check_ins(
    member_client, member, make_treatment, make_checkin
):
    make_treatment(member, name="Old pills", started_on=date(2021, 1, 1), ended_on=date(2021, 6, 1))
    make_treatment(member, kind="esketamine", name="Spravato", started_on=date(2022, 1, 1))
    make_checkin(member, mood=2, date=TODAY - timedelta(days=200))
    make_checkin(member, mood=4, date=TODAY - timedelta(days=2))
    page = member_client.get(reverse("journal:home")).content.decode()
    chart = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "Spravato" in chart
    assert "Old pills" not in chart
    assert chart.count("<circle") == 1  # only the recent check-in
    assert 'aria-current="true">3 months' in page
    everything = member_client.get(reverse("journal:home") + "?range=all").content.decode()
    assert "Old pills" in everything.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert member_client.get(reverse("journal:home") + "?range=<script>").status_code == 200


def test_an_empty_journal_invites_the_first_step(member_client):
    page = member_client.get(reverse("journal:home")).content.decode()
    assert "Nothing to draw yet" in page
    assert "No treatments yet" in page


def _fill(member, make_treatment, make_session, make_checkin, *, treatments: int, checkins: int):
    for n in range(treatments):
        treatment = make_treatment(member, kind="ketamine", name=f"T{n}", started_on=date(2020 + n % 5, 1 + n % 12, 1))
        make_session(treatment, date=treatment.started_on + timedelta(days=3))
    for n in range(checkins):
        make_checkin(
            member, date=TODAY - timedelta(days=n), mood=1 + n % 5, questionnaire="phq9", questionnaire_score=n % 27
        )


@pytest.mark.parametrize("size", [(2, 5), (20, 200)])
def test_timeline_page_costs_the_same_queries_at_any_size(
    warm_client, member, make_treatment, make_session, make_checkin, django_assert_max_num_queries, size
):
    from tests.conftest import SIGNED_IN_QUERIES

    _fill(member, make_treatment, make_session, make_checkin, treatments=size[0], checkins=size[1])
    warm_client.force_login(member)
    # Treatments with their session counts, every check-in, the questions.
    with django_assert_max_num_queries(SIGNED_IN_QUERIES + 3):
        response = warm_client.get(reverse("journal:home"))
    assert response.status_code == 200
    assert response.content.decode().count('rx="4"') == size[0]


@pytest.mark.parametrize("size", [(2, 5), (20, 200)])
def test_summary_costs_the_same_queries_at_any_size(
    warm_client, member, make_treatment, make_session, make_checkin, django_assert_max_num_queries, size
):
    from tests.conftest import SIGNED_IN_QUERIES

    _fill(member, make_treatment, make_session, make_checkin, treatments=size[0], checkins=size[1])
    warm_client.force_login(member)
    # Check-ins in the period, treatments with session counts, open questions.
    with django_assert_max_num_queries(SIGNED_IN_QUERIES + 3):
        assert warm_client.get(reverse("journal:summary") + "?period=").status_code == 200


# --- the summary -----------------------------------------------------------------------------


def test_the_summary_is_the_members_own_record_with_no_advice(member_client, full_journal):
    page = member_client.get(reverse("journal:summary") + "?period=").content.decode()
    assert "The member’s own record, not a medical document." in page
    assert "gives no advice" in page
    for text in [f"Name {CANARY}", f"Dose {CANARY}", "Jan 2024", "Jun 2024", "Partly", "Feeling detached or unreal",
                 f"Question {CANARY}", "PHQ-9 17"]:  # fmt: skip
        assert text in page, text
    # Its session count, and nothing that judges or suggests.
    assert "<td>1</td>" in page
    for word in ["recommend", "should try", "adequate", "counted", "failed"]:
        assert word not in page.lower()
    assert "css/journal-print.css" in page
    assert 'media="print"' in page


def test_the_summary_period_filters_check_ins(member_client, member, make_checkin):
    make_checkin(member, date=TODAY - timedelta(days=200), questionnaire="phq9", questionnaire_score=25)
    make_checkin(member, date=TODAY - timedelta(days=5), questionnaire="phq9", questionnaire_score=11)
    page = member_client.get(reverse("journal:summary") + "?period=30").content.decode()
    assert "PHQ-9 11" in page
    assert "PHQ-9 25" not in page
    assert "PHQ-9 25" in member_client.get(reverse("journal:summary") + "?period=").content.decode()


def test_the_print_stylesheet_fits_letter_and_a4():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[3] / "static" / "css" / "journal-print.css").read_text()
    # No fixed paper size, so the printer's Letter or A4 is used; margins fit both.
    assert "@page" in css
    assert not re.search(r"@page\s*{[^}]*\bsize\s*:", css)
    assert ".site-header" in css


# --- share links -----------------------------------------------------------------------------


def test_a_share_link_shows_the_summary_read_only_without_a_name_and_records_opens(
    member_client, member, client, full_journal
):
    response = member_client.post(reverse("journal:share-list"), {"period": "", "days_valid": "7"}, follow=True)
    page = response.content.decode()
    url = page.split('id="new-share-url" readonly value="', 1)[1].split('"', 1)[0]
    path = url.removeprefix("http://testserver")
    assert "cannot be shown again" in page
    # Shown once only.
    assert 'id="new-share-url"' not in member_client.get(reverse("journal:share-list")).content.decode()

    shared = Client().get(path)  # a clinician, not signed in
    body = shared.content.decode()
    assert shared.status_code == 200
    assert shared.headers["X-Robots-Tag"].startswith("noindex, nofollow")
    assert '<meta name="robots" content="noindex, nofollow, noarchive">' in body
    assert shared.headers["Referrer-Policy"] == "no-referrer"
    assert f"Name {CANARY}" in body
    assert member.display_name not in body.split("<main", 1)[1]
    assert "The member’s own record, not a medical document." in body
    assert '<form method="post"' not in body.split("<main", 1)[1]
    link = JournalShareLink.objects.latest("id")
    assert link.opens.count() == 1
    assert abs(link.expires_at - link.created_at - timedelta(days=7)) < timedelta(seconds=5)
    listing = member_client.get(reverse("journal:share-list")).content.decode()
    assert "Opened 1 time" in listing


def test_a_share_link_shows_the_display_name_only_when_chosen(member):
    _link, token = create_share_link(user=member, period_days=90, show_display_name=True)
    assert "Treatment record of River" in Client().get(reverse("journal:shared", args=[token])).content.decode()


@pytest.mark.parametrize("state", ["revoked", "expired", "forged", "unknown", "deleted account"])
def test_a_dead_share_link_opens_nothing(member, state):
    link, token = create_share_link(user=member, period_days=None)
    if state == "revoked":
        revoke_share_link(user=member, link=link)
    elif state == "expired":
        JournalShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    elif state == "forged":
        token = token[:-3] + "abc"
    elif state == "unknown":
        from django.core import signing

        token = signing.Signer(salt="journal.share").sign("made-up")
    elif state == "deleted account":
        member.is_active = False
        member.save()
    response = Client().get(reverse("journal:shared", args=[token]))
    assert response.status_code == 404
    assert response.headers["X-Robots-Tag"].startswith("noindex")
    assert "This link does not open anything" in response.content.decode()
    assert not JournalShareOpen.objects.exists()


def test_revoking_from_the_list(member_client, member):
    link, token = create_share_link(user=member, period_days=None)
    response = member_client.post(reverse("journal:share-revoke", args=[link.pk]), follow=True)
    assert "The link is revoked" in response.content.decode()
    assert Client().get(reverse("journal:shared", args=[token])).status_code == 404


# --- reminders ---------------------------------------------------------------------------------


def test_reminder_emails_carry_no_content_and_go_once_a_day(member, full_journal, django_capture_on_commit_callbacks):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_checkin_reminders(now=now) == 1
        assert send_due_checkin_reminders(now=now + timedelta(hours=2)) == 0
    message = mail.outbox[0]
    assert message.to == [member.email]
    assert message.subject == "[Steady Ground] A reminder you asked for"
    text = message.subject + message.body
    for private in [CANARY, "Sertraline", "esketamine", "treatment", "mood", "PHQ"]:
        assert private.lower() not in text.lower(), private
    assert reverse("journal:checkin-create") in message.body
    assert "988" in message.body
    assert "List-Unsubscribe" in message.extra_headers
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_checkin_reminders(now=now + timedelta(hours=23, minutes=1)) == 1


def test_reminders_respect_the_members_choices(member, make_member, django_capture_on_commit_callbacks):
    weekly = make_member("Weekly Wren")
    quiet = make_member("Quiet Quill", email_frequency="none")
    never = make_member("Never Nell")
    set_checkin_reminder(user=member, frequency="daily")
    set_checkin_reminder(user=weekly, frequency="weekly")
    set_checkin_reminder(user=quiet, frequency="daily")
    set_checkin_reminder(user=never, frequency="never")
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_checkin_reminders(now=now) == 2
        assert send_due_checkin_reminders(now=now + timedelta(days=2)) == 1  # daily only
        assert send_due_checkin_reminders(now=now + timedelta(days=7)) == 2
    assert {m.to[0] for m in mail.outbox} == {member.email, weekly.email}


def test_reminder_page_warns_when_all_emails_are_off(member_client, member):
    member.email_frequency = "none"
    member.save()
    page = member_client.get(reverse("journal:reminders")).content.decode()
    assert "no reminder is sent until you turn emails on" in page
    member_client.post(reverse("journal:reminders"), {"frequency": "weekly"})
    assert member.journal_reminder.frequency == "weekly"


def test_the_reminder_command_runs(member, capsys):
    set_checkin_reminder(user=member, frequency="daily")
    call_command("send_checkin_reminders")
    assert "check-in reminders sent=1" in capsys.readouterr().out


# --- demo -------------------------------------------------------------------------------------


def test_the_demo_member_has_a_believable_journal(db, django_capture_on_commit_callbacks):
    from community.models import JournalQuestion, JournalSession, JournalTreatment, User

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", verbosity=0)
    river = User.objects.get(email="river@example.org")
    treatments = list(JournalTreatment.objects.filter(user=river))
    assert len(treatments) >= 4
    assert {"medication", "psychotherapy", "esketamine"} <= {t.kind for t in treatments}
    assert JournalSession.objects.filter(user=river).count() >= 6
    assert JournalCheckIn.objects.filter(user=river).count() >= 14
    assert JournalQuestion.objects.filter(user=river).exists()
    # Nobody else has a journal in the demo.
    assert not JournalTreatment.objects.exclude(user=river).exists()


# --- copying a line out, on purpose ------------------------------------------------------------


def test_a_line_can_be_copied_into_a_post_and_nothing_is_posted_for_the_member(
    member_client, member, make_treatment, make_session
):
    from groups.models import Post

    tms = make_treatment(member, kind="tms", name="TMS", started_on=date(2025, 1, 1))
    for _ in range(4):
        make_session(tms, date=date(2025, 1, 6))
    pills = make_treatment(member, name="Sertraline", started_on=date(2022, 3, 1), ended_on=date(2022, 9, 1))
    page = member_client.get(reverse("journal:treatment-detail", args=[tms.pk])).content.decode()
    assert 'readonly value="Session 4 of TMS"' in page
    assert "Nothing from your journal is ever posted for you" in page
    page = member_client.get(reverse("journal:treatment-detail", args=[pills.pk])).content.decode()
    assert 'value="Sertraline, March 2022 to September 2022"' in page
    assert not Post.objects.exists()


def test_the_line_for_an_ongoing_treatment_counts_weeks():
    from types import SimpleNamespace

    from community.journal.queries import line_to_copy

    treatment = SimpleNamespace(name="Bupropion", has_sessions=False, ended_on=None, started_on=date(2026, 1, 1))
    assert line_to_copy(treatment, session_count=0, today=date(2026, 1, 22)) == "Week 4 of Bupropion"
