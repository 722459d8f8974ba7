"""The journal's part of a member's data export: everything, decrypted, for its member."""

from community.journal.models import JournalReminder, JournalShareLink
from community.journal.queries import checkins_for, questions_for, treatments_for


def _when(value):
    return value.isoformat() if value else None


def journal_export(user) -> dict:
    """Sections for community/privacy/exports.py, each a list of rows (six queries)."""
    reminder = JournalReminder.objects.filter(user=user).first()
    treatments = list(treatments_for(user).prefetch_related("sessions"))
    return {
        "journal_treatments": [
            {
                "kind": t.get_kind_display(),
                "name": t.name,
                "dose": t.dose,
                "started": f"{t.started_on:%Y-%m}",
                "ended": f"{t.ended_on:%Y-%m}" if t.ended_on else None,
                "weeks_at_full_dose": t.weeks_at_full_dose,
                "helped": t.get_response_display() if t.response else "",
                "how_it_went": t.how_it_went,
                "side_effects": ", ".join(t.side_effect_labels),
                "other_side_effects": t.side_effects_other,
                "why_stopped": t.why_stopped,
            }
            for t in treatments
        ],
        "journal_sessions": [
            {
                "treatment": t.name,
                "date": _when(s.date),
                "number": s.number,
                "felt_after": s.get_felt_after_display() if s.felt_after else "",
                "side_effects": s.side_effects,
                "note": s.note,
            }
            for t in treatments
            for s in t.sessions.all()
        ],
        "journal_checkins": [
            {
                "date": _when(c.date),
                "mood": c.mood,
                "sleep": c.sleep,
                "energy": c.energy,
                "anxiety": c.anxiety,
                "thoughts_of_self_harm": c.get_self_harm_thoughts_display() if c.self_harm_thoughts else "",
                "questionnaire": c.get_questionnaire_display() if c.questionnaire else "",
                "questionnaire_score": c.questionnaire_score,
                "note": c.note,
            }
            for c in checkins_for(user)
        ],
        "journal_questions": [
            {"text": q.text, "asked": q.done_at is not None, "written": _when(q.created_at)}
            for q in questions_for(user)
        ],
        "journal_share_links": [
            {
                "made": _when(link.created_at),
                "expires": _when(link.expires_at),
                "revoked": _when(link.revoked_at),
                "opened": [_when(o.opened_at) for o in link.opens.all()],
            }
            for link in JournalShareLink.objects.filter(user=user).prefetch_related("opens").order_by("id")
        ],
        "journal_checkin_reminders": [{"frequency": reminder.get_frequency_display()}] if reminder else [],
    }
