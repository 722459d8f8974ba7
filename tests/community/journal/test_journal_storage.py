"""At rest the journal is ciphertext; in the member's export it is whole; after deletion
it is gone. Each is proven by reading the raw tables with a cursor."""

import io
import json
import zipfile

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from community.journal import crypto
from community.models import (
    JournalCheckIn,
    JournalQuestion,
    JournalReminder,
    JournalSession,
    JournalShareLink,
    JournalShareOpen,
    JournalTreatment,
)
from community.privacy.actions import DeletionMode, delete_account
from community.privacy.exports import build_export_zip
from tests.community.journal.conftest import CANARY

JOURNAL_MODELS = [
    JournalTreatment,
    JournalSession,
    JournalCheckIn,
    JournalQuestion,
    JournalReminder,
    JournalShareLink,
    JournalShareOpen,
]


def raw_rows(model) -> list[tuple]:
    """Every row of the model's table as the database holds it (no model field decoding)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
        return cursor.fetchall()


def raw_text() -> str:
    return " ".join(str(value) for model in JOURNAL_MODELS for row in raw_rows(model) for value in row)


def test_every_word_is_encrypted_at_rest(full_journal):
    text = raw_text()
    assert CANARY not in text
    # Not even the choices that name a treatment or an answer are readable.
    for plain in ["esketamine", "dissociation", "partly", "better", "phq9"]:
        assert plain not in text, plain
    # And yet the member reads everything back.
    treatment = JournalTreatment.objects.get(pk=full_journal["treatment"].pk)
    assert (treatment.name, treatment.kind, treatment.side_effects) == (
        f"Name {CANARY}",
        "esketamine",
        ["dissociation"],
    )
    assert JournalCheckIn.objects.get().note == f"Check-in note {CANARY}"


def test_a_share_links_token_is_not_in_the_database(full_journal):
    secret = full_journal["token"].split(":")[0]
    assert secret not in raw_text()
    assert full_journal["token"] not in raw_text()


def test_a_value_without_its_key_fails_loudly(full_journal, settings):
    settings.JOURNAL_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(Exception, match="could not be decrypted"):
        JournalQuestion.objects.get().text  # noqa: B018


def test_key_rotation_reencrypts_every_row_and_the_old_key_can_go(full_journal, settings):
    old_key = settings.JOURNAL_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    before = raw_rows(JournalTreatment)
    settings.JOURNAL_ENCRYPTION_KEYS = [new_key, old_key]
    # With both keys, old rows read and new writes use the new key.
    assert JournalQuestion.objects.get().text == f"Question {CANARY}"
    out = io.StringIO()
    call_command("rotate_journal_key", stdout=out)
    assert "community.JournalTreatment: 1 rows re-encrypted" in out.getvalue()
    assert raw_rows(JournalTreatment) != before
    settings.JOURNAL_ENCRYPTION_KEYS = [new_key]
    treatment = JournalTreatment.objects.get()
    assert (treatment.name, treatment.why_stopped) == (f"Name {CANARY}", f"Stopped {CANARY}")
    assert JournalSession.objects.get().note == f"Session note {CANARY}"
    assert JournalCheckIn.objects.get().note == f"Check-in note {CANARY}"
    assert CANARY not in raw_text()


def test_production_refuses_to_start_without_a_journal_key():
    from tests.test_settings import PRODUCTION_ENV, run_manage

    result = run_manage("check", "--deploy", env={**PRODUCTION_ENV, "JOURNAL_ENCRYPTION_KEYS": ""})
    assert result.returncode == 1
    assert result.stderr.strip().startswith("Configuration error: JOURNAL_ENCRYPTION_KEYS is not set.")
    result = run_manage("check", env={**PRODUCTION_ENV, "JOURNAL_ENCRYPTION_KEYS": "not-a-key"})
    assert result.returncode == 1
    assert "JOURNAL_ENCRYPTION_KEYS must be Fernet keys" in result.stderr


def test_crypto_round_trip_uses_the_first_key(settings):
    first, second = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.JOURNAL_ENCRYPTION_KEYS = [first, second]
    token = crypto.encrypt("hello")
    assert Fernet(first.encode()).decrypt(token.encode()) == b"hello"


# --- export -------------------------------------------------------------------------------------


def read_zip(data: bytes) -> tuple[dict, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return json.loads(archive.read("data.json")), archive.read("index.html").decode()


def test_the_export_holds_the_whole_journal_in_json_and_html(full_journal):
    data, html = read_zip(build_export_zip(full_journal["user"]))
    treatment = data["journal_treatments"][0]
    assert treatment["name"] == f"Name {CANARY}"
    assert treatment["dose"] == f"Dose {CANARY}"
    assert treatment["kind"] == "Esketamine (Spravato)"
    assert (treatment["started"], treatment["ended"], treatment["weeks_at_full_dose"]) == ("2024-01", "2024-06", 8)
    assert treatment["helped"] == "Partly"
    assert treatment["side_effects"] == "Feeling detached or unreal"
    assert treatment["how_it_went"] == f"Went {CANARY}"
    assert treatment["other_side_effects"] == f"Other {CANARY}"
    assert treatment["why_stopped"] == f"Stopped {CANARY}"
    session = data["journal_sessions"][0]
    assert (session["number"], session["felt_after"]) == (1, "A bit better")
    assert session["side_effects"] == f"Session effects {CANARY}"
    assert session["note"] == f"Session note {CANARY}"
    checkin = data["journal_checkins"][0]
    assert (checkin["mood"], checkin["sleep"], checkin["energy"], checkin["anxiety"]) == (2, 3, 2, 4)
    assert checkin["thoughts_of_self_harm"] == "No"
    assert (checkin["questionnaire"], checkin["questionnaire_score"]) == ("PHQ-9", 17)
    assert checkin["note"] == f"Check-in note {CANARY}"
    assert data["journal_questions"][0]["text"] == f"Question {CANARY}"
    assert len(data["journal_share_links"]) == 1
    assert data["journal_checkin_reminders"] == [{"frequency": "Every day"}]
    # The readable page shows the same words (escaped, as everything in it).
    for text in [f"Name {CANARY}", f"Session note {CANARY}", f"Check-in note {CANARY}", f"Question {CANARY}"]:
        assert text in html
    # The share link's token is a secret even from the export.
    assert full_journal["token"] not in json.dumps(data)


def test_nobody_elses_export_holds_the_journal(full_journal, make_member):
    other = make_member("Other Oak")
    data, html = read_zip(build_export_zip(other))
    assert CANARY not in json.dumps(data) + html
    assert data["journal_treatments"] == []


# --- erasure ------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", [DeletionMode.ANONYMISE, DeletionMode.ERASE])
def test_deleting_the_account_erases_the_journal_from_every_table(full_journal, make_member, make_checkin, mode):
    from community.journal.actions import record_share_open

    record_share_open(link=full_journal["link"])
    keeper = make_member("Keeper")
    make_checkin(keeper, note="Keeper's own note")
    user_id = full_journal["user"].pk
    assert CANARY not in raw_text()  # ciphertext, but present:
    assert all(raw_rows(model) for model in JOURNAL_MODELS)
    delete_account(user=full_journal["user"], mode=mode)
    for model in JOURNAL_MODELS:
        rows = raw_rows(model)
        if model is JournalShareOpen:
            assert rows == []
            continue
        user_column = [f.column for f in model._meta.concrete_fields].index("user_id")
        assert [row for row in rows if row[user_column] == user_id] == [], model.__name__
    # Someone else's journal is untouched.
    assert JournalCheckIn.objects.get().note == "Keeper's own note"
