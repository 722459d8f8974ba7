"""Key rotation: every encrypted column of every journal row, encrypted again with the
newest key. Raw values are read and written (no decrypt-then-encrypt through the model),
batch by batch, each batch in its own transaction, so a run can stop and start again."""

from django.db import connection, transaction

from community.journal import crypto
from community.journal.models import JournalCheckIn, JournalQuestion, JournalSession, JournalTreatment

BATCH = 500


def _encrypted_columns(model) -> list[str]:
    return [
        f.column
        for f in model._meta.concrete_fields
        if isinstance(f, crypto.EncryptedTextField | crypto.EncryptedJSONField)
    ]


def rotate_journal_encryption() -> dict[str, int]:
    counts = {}
    for model in (JournalTreatment, JournalSession, JournalCheckIn, JournalQuestion):
        table = connection.ops.quote_name(model._meta.db_table)
        columns = _encrypted_columns(model)
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        done, last_id = 0, 0
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT id, {quoted} FROM {table} WHERE id > %s ORDER BY id LIMIT %s",  # noqa: S608
                    [last_id, BATCH],
                )
                rows = cursor.fetchall()
                for row_id, *values in rows:
                    new = [crypto.rotate(v) if v else v for v in values]
                    assignments = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in columns)
                    cursor.execute(f"UPDATE {table} SET {assignments} WHERE id = %s", [*new, row_id])  # noqa: S608
            if not rows:
                break
            done += len(rows)
            last_id = rows[-1][0]
        counts[model._meta.label] = done
    return counts
