"""Every journal field's validation, through the pages a member uses: bad input gets a
clear message next to the field, a 400, and changes nothing."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import JournalCheckIn, JournalSession, JournalTreatment

TODAY = timezone.localdate()
NEXT_MONTH = (TODAY.replace(day=1) + timedelta(days=32)).strftime("%Y-%m")
TOMORROW = (TODAY + timedelta(days=1)).isoformat()

GOOD_TREATMENT = {
    "kind": "medication",
    "name": "Venlafaxine XR",
    "dose": "225 mg",
    "started_on": "2022-03",
    "ended_on": "2022-11",
    "weeks_at_full_dose": "20",
    "response": "partly",
    "how_it_went": "Better for a while.",
    "side_effects": ["nausea", "tired"],
    "side_effects_other": "Night sweats",
    "why_stopped": "Mornings got worse again.",
}


def test_a_good_treatment_is_saved_with_every_field(member_client, member):
    response = member_client.post(reverse("journal:treatment-create"), GOOD_TREATMENT)
    treatment = JournalTreatment.objects.get(user=member)
    assert response.status_code == 302
    assert response.url == reverse("journal:treatment-detail", args=[treatment.pk])
    assert (treatment.kind, treatment.name, treatment.dose) == ("medication", "Venlafaxine XR", "225 mg")
    assert (treatment.started_on, treatment.ended_on) == (date(2022, 3, 1), date(2022, 11, 1))
    assert treatment.weeks_at_full_dose == 20
    assert treatment.response == "partly"
    assert treatment.side_effects == ["nausea", "tired"]
    assert (treatment.side_effects_other, treatment.why_stopped) == ("Night sweats", "Mornings got worse again.")
    page = member_client.get(response.url).content.decode()
    for text in [
        "Venlafaxine XR",
        "225 mg",
        "March 2022",
        "November 2022",
        "Partly",
        "Nausea or upset stomach",
        "Night sweats",
    ]:
        assert text in page


def test_an_ongoing_treatment_has_no_end_month(member_client, member):
    data = {**GOOD_TREATMENT, "ended_on": "", "why_stopped": "", "weeks_at_full_dose": ""}
    assert member_client.post(reverse("journal:treatment-create"), data).status_code == 302
    treatment = JournalTreatment.objects.get(user=member)
    assert treatment.is_ongoing
    assert (
        "now (ongoing)" in member_client.get(reverse("journal:treatment-detail", args=[treatment.pk])).content.decode()
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"kind": ""}, "kind", "Choose the kind of treatment."),
        ({"kind": "magic"}, "kind", "Choose a kind from the list."),
        ({"name": ""}, "name", "Give the treatment a name, in your own words."),
        ({"name": "x" * 121}, "name", "at most 120 characters"),
        ({"dose": "x" * 121}, "dose", "at most 120 characters"),
        ({"started_on": ""}, "started_on", "Enter the month you started, as YYYY-MM."),
        ({"started_on": "March"}, "started_on", "Enter a month as YYYY-MM, for example 2024-03."),
        ({"started_on": "2022-13"}, "started_on", "Enter a month as YYYY-MM"),
        ({"started_on": "1901-01"}, "started_on", "Enter a month from 1950 on."),
        ({"started_on": NEXT_MONTH, "ended_on": ""}, "started_on", "The start month cannot be in the future."),
        ({"ended_on": NEXT_MONTH}, "ended_on", "The month it stopped cannot be in the future."),
        ({"ended_on": "2021-01"}, "ended_on", "cannot be before the month it started"),
        ({"ended_on": "soon"}, "ended_on", "Enter a month as YYYY-MM"),
        ({"weeks_at_full_dose": "-1"}, "weeks_at_full_dose", "Enter a number of weeks from 0 to 520."),
        ({"weeks_at_full_dose": "600"}, "weeks_at_full_dose", "Enter a number of weeks from 0 to 520."),
        ({"weeks_at_full_dose": "ten"}, "weeks_at_full_dose", "Enter a whole number of weeks."),
        ({"weeks_at_full_dose": "60"}, "weeks_at_full_dose", "more weeks than the dates allow"),
        ({"response": "cured"}, "response", "Choose one of the answers."),
        ({"how_it_went": "x" * 2001}, "how_it_went", "at most 2000 characters"),
        ({"side_effects": ["nausea", "telepathy"]}, "side_effects", "Tick side effects from the list only."),
        ({"side_effects_other": "x" * 501}, "side_effects_other", "at most 500 characters"),
        ({"why_stopped": "x" * 501}, "why_stopped", "at most 500 characters"),
        ({"ended_on": "", "why_stopped": "Side effects"}, "ended_on", "Add the month it stopped"),
    ],
)
def test_treatment_field_validation(member_client, member, changes, field, message):
    response = member_client.post(reverse("journal:treatment-create"), {**GOOD_TREATMENT, **changes})
    assert response.status_code == 400
    assert message in response.context["form"].errors[field][0]
    assert message.split("“")[0] in response.content.decode().replace("&quot;", '"').replace("&#x27;", "'")
    assert not JournalTreatment.objects.exists()


# --- sessions ---------------------------------------------------------------------------------


@pytest.fixture
def tms(member, make_treatment):
    return make_treatment(member, kind="tms", name="TMS, left side", started_on=date(2024, 5, 1))


def test_a_session_is_saved_and_numbered_in_the_course(member_client, tms):
    url = reverse("journal:session-create", args=[tms.pk])
    for day in ["2024-05-06", "2024-05-07"]:
        response = member_client.post(
            url, {"date": day, "felt_after": "same", "side_effects": "Scalp ache", "note": "Quiet room."}
        )
        assert response.status_code == 302
    sessions = list(JournalSession.objects.filter(treatment=tms))
    assert [s.number for s in sessions] == [1, 2]
    assert (sessions[0].felt_after, sessions[0].side_effects, sessions[0].note) == ("same", "Scalp ache", "Quiet room.")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"date": ""}, "date", "Enter the date of the session."),
        ({"date": "next tuesday"}, "date", "Enter a date as YYYY-MM-DD."),
        ({"date": TOMORROW}, "date", "The session date cannot be in the future."),
        ({"date": "2024-04-30"}, "date", "This treatment started in May 2024; pick a later date."),
        ({"number": "0"}, "number", "Enter a number from 1 to 500."),
        ({"number": "501"}, "number", "Enter a number from 1 to 500."),
        ({"number": "two"}, "number", "Enter a whole number."),
        ({"felt_after": "amazing"}, "felt_after", "Choose one of the answers."),
        ({"side_effects": "x" * 501}, "side_effects", "at most 500 characters"),
        ({"note": "x" * 2001}, "note", "at most 2000 characters"),
    ],
)
def test_session_field_validation(member_client, tms, changes, field, message):
    data = {"date": "2024-05-06", "number": "1", **changes}
    response = member_client.post(reverse("journal:session-create", args=[tms.pk]), data)
    assert response.status_code == 400
    assert message in response.context["form"].errors[field][0]
    assert not JournalSession.objects.exists()


def test_sessions_belong_only_to_treatments_given_in_sessions(member_client, member, make_treatment):
    pills = make_treatment(member, kind="medication")
    assert member_client.get(reverse("journal:session-create", args=[pills.pk])).status_code == 404
    assert (
        "Record a session"
        not in member_client.get(reverse("journal:treatment-detail", args=[pills.pk])).content.decode()
    )


# --- check-ins --------------------------------------------------------------------------------


def test_a_check_in_keeps_every_answer(member_client, member):
    data = {
        "date": TODAY.isoformat(),
        "mood": "2",
        "sleep": "3",
        "energy": "1",
        "anxiety": "4",
        "self_harm_thoughts": "no",
        "questionnaire": "phq9",
        "questionnaire_score": "18",
        "note": "Hard morning.",
    }
    assert member_client.post(reverse("journal:checkin-create"), data).status_code == 302
    checkin = JournalCheckIn.objects.get(user=member)
    assert (checkin.mood, checkin.sleep, checkin.energy, checkin.anxiety) == (2, 3, 1, 4)
    assert (checkin.self_harm_thoughts, checkin.questionnaire, checkin.questionnaire_score) == ("no", "phq9", 18)
    assert checkin.note == "Hard morning."


def test_the_scales_use_our_own_words(member_client):
    page = member_client.get(reverse("journal:checkin-create")).content.decode()
    for words in ["1 · Very low", "5 · Good", "1 · Hardly slept", "3 · Some", "5 · Overwhelmed"]:
        assert words in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"date": ""}, "date", "Enter the date."),
        ({"date": "yesterday"}, "date", "Enter a date as YYYY-MM-DD."),
        ({"date": TOMORROW}, "date", "The date cannot be in the future."),
        ({"date": "1900-01-01"}, "date", "Enter a date from 1950 on."),
        ({"mood": "6"}, "mood", "Choose one of the five answers."),
        ({"sleep": "0"}, "sleep", "Choose one of the five answers."),
        ({"energy": "lots"}, "energy", "Choose one of the five answers."),
        ({"anxiety": "-1"}, "anxiety", "Choose one of the five answers."),
        ({"self_harm_thoughts": "maybe"}, "self_harm_thoughts", "Choose yes or no, or leave it unanswered."),
        ({"questionnaire": "horoscope", "questionnaire_score": "3"}, "questionnaire", "Choose a questionnaire"),
        ({"questionnaire": "phq9", "questionnaire_score": ""}, "questionnaire_score", "Enter the score, or choose"),
        ({"questionnaire": "", "questionnaire_score": "12"}, "questionnaire", "Choose which questionnaire"),
        (
            {"questionnaire": "phq9", "questionnaire_score": "28"},
            "questionnaire_score",
            "A PHQ-9 total is from 0 to 27.",
        ),
        (
            {"questionnaire": "gad7", "questionnaire_score": "22"},
            "questionnaire_score",
            "A GAD-7 total is from 0 to 21.",
        ),
        (
            {"questionnaire": "other", "questionnaire_score": "101"},
            "questionnaire_score",
            "Enter a score of 100 or less.",
        ),
        ({"questionnaire": "phq9", "questionnaire_score": "-2"}, "questionnaire_score", "A score cannot be below 0."),
        ({"questionnaire": "phq9", "questionnaire_score": "high"}, "questionnaire_score", "whole number"),
        ({"note": "x" * 2001}, "note", "at most 2000 characters"),
    ],
)
def test_check_in_field_validation(member_client, changes, field, message):
    data = {"date": TODAY.isoformat(), "mood": "3", **changes}
    response = member_client.post(reverse("journal:checkin-create"), data)
    assert response.status_code == 400
    assert message in response.context["form"].errors[field][0]
    assert not JournalCheckIn.objects.exists()


def test_an_empty_check_in_is_refused(member_client):
    response = member_client.post(reverse("journal:checkin-create"), {"date": TODAY.isoformat(), "note": "   "})
    assert response.status_code == 400
    assert "Answer at least one question, or write a note." in response.content.decode()
    assert not JournalCheckIn.objects.exists()


# --- questions, reminders, share links ----------------------------------------------------------


@pytest.mark.parametrize(("text", "message"), [("", "Write the question first."), ("   ", "Write the question first."),
                                               ("x" * 301, "at most 300 characters")])  # fmt: skip
def test_question_validation(member_client, text, message):
    response = member_client.post(reverse("journal:question-create"), {"text": text}, follow=True)
    assert message in response.content.decode()
    assert not response.context["questions"]


def test_questions_are_added_ticked_and_deleted(member_client, member):
    from community.models import JournalQuestion

    member_client.post(reverse("journal:question-create"), {"text": "Can we try a lower dose?"})
    question = JournalQuestion.objects.get(user=member)
    assert question.text == "Can we try a lower dose?"
    assert question.done_at is None
    member_client.post(reverse("journal:question-toggle", args=[question.pk]))
    question.refresh_from_db()
    assert question.done_at is not None
    assert "(asked)" in member_client.get(reverse("journal:home")).content.decode()
    member_client.post(reverse("journal:question-delete", args=[question.pk]))
    assert not JournalQuestion.objects.exists()


@pytest.mark.parametrize("frequency", ["", "hourly"])
def test_reminder_validation(member_client, member, frequency):
    from community.models import JournalReminder

    response = member_client.post(reverse("journal:reminders"), {"frequency": frequency})
    assert response.status_code == 400
    assert not JournalReminder.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"days_valid": "0"}, "days_valid", "Enter 1 to 30 days."),
        ({"days_valid": "31"}, "days_valid", "Enter 1 to 30 days."),
        ({"days_valid": ""}, "days_valid", "Enter how many days the link works."),
        ({"days_valid": "a week"}, "days_valid", "Enter a whole number of days."),
        ({"period": "7"}, "period", "Choose a period from the list."),
    ],
)
def test_share_link_validation(member_client, changes, field, message):
    from community.models import JournalShareLink

    response = member_client.post(reverse("journal:share-list"), {"period": "90", "days_valid": "7", **changes})
    assert response.status_code == 400
    assert message in response.context["form"].errors[field][0]
    assert not JournalShareLink.objects.exists()


def test_no_input_answers_500(member_client, member, make_treatment):
    treatment = make_treatment(member, kind="ect")
    for url in [
        reverse("journal:treatment-create"),
        reverse("journal:treatment-edit", args=[treatment.pk]),
        reverse("journal:session-create", args=[treatment.pk]),
        reverse("journal:checkin-create"),
        reverse("journal:share-list"),
        reverse("journal:reminders"),
    ]:
        for data in [{}, {"date": "\x00", "started_on": "9999-99", "kind": ["a", "b"], "mood": "1e9"}]:
            assert member_client.post(url, data).status_code == 400, url
    assert member_client.get(reverse("journal:summary") + "?period=nonsense").status_code == 200
