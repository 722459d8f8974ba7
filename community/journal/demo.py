"""A believable, clearly fictional treatment journal for the demo member River.

Dates are counted back from today so that the demo always looks current. Running it
twice changes nothing (a member who already has a journal is left alone).
"""

from datetime import date, timedelta

from django.utils import timezone

from community.journal import actions
from community.journal.models import JournalTreatment

# (kind, name, dose, months ago started, months ago ended or None, weeks at full dose,
#  response, how it went, side effects, other side effects, why stopped)
TREATMENTS = [
    (
        "medication",
        "Sertraline",
        "50 mg, then 150 mg each morning",
        80,
        71,
        20,
        "partly",
        "Took the edge off for a few months, then everything felt flat.",
        ["nausea", "sexual"],
        "",
        "Stopped helping; felt numb.",
    ),
    (
        "medication",
        "Bupropion XL (added)",
        "300 mg each morning",
        69,
        62,
        16,
        "a_little",
        "A bit more energy in the mornings.",
        ["restless", "sleep"],
        "Jaw clenching",
        "Anxiety got worse.",
    ),
    (
        "psychotherapy",
        "CBT with a therapist (weekly)",
        "",
        60,
        54,
        None,
        "a_lot",
        "Learned to plan small things each day. Still use the worksheets.",
        [],
        "",
        "The course of sessions ended.",
    ),
    (
        "medication",
        "Venlafaxine XR",
        "225 mg each morning",
        52,
        30,
        24,
        "partly",
        "Better for a while; bad mornings came back.",
        ["tired", "dizzy"],
        "Night sweats",
        "Tapered with my psychiatrist.",
    ),
    (
        "esketamine",
        "Esketamine (Spravato) nasal spray",
        "56 mg, then 84 mg",
        2,
        None,
        5,
        "",
        "Too early to say. Some lighter days after sessions.",
        ["dissociation", "blood_pressure"],
        "Tired the rest of the day",
        "",
    ),
]

# Mood for each check-in, oldest first (every other day): low, then slowly a little lighter.
MOODS = [2, 2, 1, 2, 2, 3, 2, 2, 3, 3, 2, 3, 3, 4, 3, 3, 4, 3, 4, 4, 3]
PHQ9 = {0: 19, 8: 16, 16: 12}
QUESTIONS = [
    ("Is feeling tired for the rest of the day after a session expected to ease?", False),
    ("Can sessions move to once a week after this month?", False),
    ("Ask for a letter for work about session days.", True),
]


def _months_ago(today: date, months: int) -> date:
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return date(year, month + 1, 1)


def seed_journal(member) -> None:
    if JournalTreatment.objects.filter(user=member).exists():
        return
    today = timezone.localdate()
    esketamine = None
    for kind, name, dose, start, end, weeks, response, how, effects, other, why in TREATMENTS:
        esketamine = actions.record_treatment(
            user=member,
            data={
                "kind": kind,
                "name": name,
                "dose": dose,
                "started_on": _months_ago(today, start),
                "ended_on": _months_ago(today, end) if end is not None else None,
                "weeks_at_full_dose": weeks,
                "response": response,
                "how_it_went": how,
                "side_effects": effects,
                "side_effects_other": other,
                "why_stopped": why,
            },
        )
    # Twice a week for four weeks (the induction), then weekly.
    first = max(esketamine.started_on, today - timedelta(days=55))
    days = [first + timedelta(days=d) for d in (0, 3, 7, 10, 14, 17, 21, 24, 31, 38, 45, 52)]
    for number, day in enumerate(d for d in days if d <= today):
        actions.record_session(
            user=member,
            treatment=esketamine,
            data={
                "date": day,
                "number": number + 1,
                "felt_after": "same" if number < 3 else "better",
                "side_effects": "Floaty for about an hour; blood pressure checked twice." if number < 4 else "",
                "note": "My sister drove me home." if number % 2 == 0 else "Took the bus with a friend.",
            },
        )
    for index, mood in enumerate(MOODS):
        day = today - timedelta(days=2 * (len(MOODS) - 1 - index))
        actions.record_checkin(
            user=member,
            data={
                "date": day,
                "mood": mood,
                "sleep": min(5, mood + 1),
                "energy": mood,
                "anxiety": max(1, 5 - mood),
                "self_harm_thoughts": "no",
                "questionnaire": "phq9" if index in PHQ9 else "",
                "questionnaire_score": PHQ9.get(index),
                "note": "Walked to the corner shop." if index % 5 == 0 else "",
            },
        )
    for text, done in QUESTIONS:
        question = actions.add_question(user=member, text=text)
        if done:
            actions.toggle_question(user=member, question=question)
