"""Factory fixtures for the treatment journal."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

CANARY = "CANARY-journal-5b1e"


@pytest.fixture
def make_treatment(db):
    from community.journal.actions import record_treatment

    def make(user, **fields):
        data = {
            "kind": "medication",
            "name": "Sertraline",
            "dose": "100 mg",
            "started_on": date(2023, 1, 1),
            "ended_on": None,
            "weeks_at_full_dose": None,
            "response": "",
            "how_it_went": "",
            "side_effects": [],
            "side_effects_other": "",
            "why_stopped": "",
            **fields,
        }
        return record_treatment(user=user, data=data)

    return make


@pytest.fixture
def make_session(db):
    from community.journal.actions import record_session

    def make(treatment, **fields):
        data = {
            "date": timezone.localdate(),
            "number": None,
            "felt_after": "",
            "side_effects": "",
            "note": "",
            **fields,
        }
        return record_session(user=treatment.user, treatment=treatment, data=data)

    return make


@pytest.fixture
def make_checkin(db):
    from community.journal.actions import record_checkin

    def make(user, **fields):
        data = {
            "date": timezone.localdate(),
            "mood": 3,
            "sleep": None,
            "energy": None,
            "anxiety": None,
            "self_harm_thoughts": "",
            "questionnaire": "",
            "questionnaire_score": None,
            "note": "",
            **fields,
        }
        return record_checkin(user=user, data=data)

    return make


@pytest.fixture
def full_journal(member, make_treatment, make_session, make_checkin):
    """River's journal with the canary in every field that holds words or a named choice."""
    from community.journal.actions import add_question, create_share_link, set_checkin_reminder

    treatment = make_treatment(
        member,
        kind="esketamine",
        name=f"Name {CANARY}",
        dose=f"Dose {CANARY}",
        started_on=date(2024, 1, 1),
        ended_on=date(2024, 6, 1),
        weeks_at_full_dose=8,
        response="partly",
        how_it_went=f"Went {CANARY}",
        side_effects=["dissociation"],
        side_effects_other=f"Other {CANARY}",
        why_stopped=f"Stopped {CANARY}",
    )
    session = make_session(
        treatment,
        date=date(2024, 2, 1),
        number=1,
        felt_after="better",
        side_effects=f"Session effects {CANARY}",
        note=f"Session note {CANARY}",
    )
    checkin = make_checkin(
        member,
        date=timezone.localdate() - timedelta(days=1),
        mood=2,
        sleep=3,
        energy=2,
        anxiety=4,
        self_harm_thoughts="no",
        questionnaire="phq9",
        questionnaire_score=17,
        note=f"Check-in note {CANARY}",
    )
    question = add_question(user=member, text=f"Question {CANARY}")
    link, token = create_share_link(user=member, period_days=None)
    set_checkin_reminder(user=member, frequency="daily")
    return {
        "user": member,
        "treatment": treatment,
        "session": session,
        "checkin": checkin,
        "question": question,
        "link": link,
        "token": token,
    }
