"""Writes to many threads or groups take one lock, not one each.

Since 0010 a writer holds a shared advisory lock on every thread and group it changes
until it commits (groups/posts/versions.py says why). Locks live in a table of fixed size
that every connection shares (max_locks_per_transaction, 64 a connection by default): a
transaction that wrote to thousands of threads, such as seeding the large demo data, an
account's deletion or a task's bulk update, failed with "out of shared memory".

Now each transaction counts the keys it has locked (a setting local to it; a key locked
twice counts twice, which only brings WHOLE sooner). Up to LOCKS_EACH keys it locks each
one, as before; past that it takes a shared hold of the WHOLE lock instead, which stands
for every thread and group at once. A reader keeps a page only if WHOLE is free at that
moment (it takes it and lets it go in one statement) as well as its own key's lock. So
writers still never wait for one another, wide or not (a shared hold each), and no
deadlock comes of it; while a wide write is open, no reader keeps a page anywhere, and
each builds its own. SQLite (no locks) is unchanged.
"""

import importlib

from django.db import migrations

# groups/posts/versions.py reads the same numbers.
LOCKS_EACH = 32
WHOLE = (74100, 0)

PREVIOUS = importlib.import_module("groups.migrations.0010_change_logs_kept_by_triggers")

LOCK_FUNCTION = f"""
CREATE FUNCTION groups_changes_locked(space integer, keys bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    taken integer := coalesce(nullif(current_setting('steady_ground.changes_locked', true), ''), '0')::integer;
BEGIN
    IF taken < 0 OR cardinality(keys) = 0 THEN
        RETURN;  -- nothing to lock, or the transaction holds WHOLE already
    ELSIF taken + cardinality(keys) > {LOCKS_EACH} THEN
        PERFORM pg_advisory_xact_lock_shared({WHOLE[0]}, {WHOLE[1]});
        PERFORM set_config('steady_ground.changes_locked', '-1', true);
    ELSE
        PERFORM pg_advisory_xact_lock_shared(space, hashint8(key)) FROM unnest(keys) AS key;
        PERFORM set_config('steady_ground.changes_locked', (taken + cardinality(keys))::text, true);
    END IF;
END $$
"""


def _logged(log: str, column: str, keys_sql: str) -> str:
    """PL/pgSQL that locks, then logs, the ids ``keys_sql`` gives."""
    return f"""
        changed_keys := ARRAY(SELECT DISTINCT key FROM ({keys_sql}) AS keys (key));
        PERFORM groups_changes_locked({PREVIOUS.LOCK_SPACES[log]}, changed_keys);
        INSERT INTO {log} ({column}) SELECT unnest(changed_keys);"""


def _function(name: str, body: str) -> str:
    return f"""
        CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            changed_keys bigint[];
        BEGIN
            {body}
            RETURN NULL;
        END $$
        """


FUNCTIONS = [
    *(
        _function(
            f"{table}_{function}",
            _logged(
                log,
                column,
                f"SELECT ids.id FROM {source}, LATERAL ({ids.format(row='changed')}) AS ids WHERE ids.id IS NOT NULL",
            ),
        )
        for table, (log, column, ids) in PREVIOUS.LOGGED.items()
        for function, source in PREVIOUS._SOURCES.items()
    ),
    _function(
        "community_user_renamed_logged",
        _logged(
            "groups_threadchange",
            "post_id",
            "SELECT written.post_id " + PREVIOUS._RENAMED_POSTGRESQL.format(table="groups_reply"),
        )
        + _logged(
            "groups_postlistchange",
            "group_id",
            "SELECT written.group_id " + PREVIOUS._RENAMED_POSTGRESQL.format(table="groups_post"),
        ),
    ),
]

# Back: 0010's functions as they were, then the helper can go.
PREVIOUS_FUNCTIONS = [
    statement.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION")
    for statement in PREVIOUS.POSTGRESQL
    if "CREATE FUNCTION" in statement
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("groups", "0010_change_logs_kept_by_triggers")]

    operations = [
        migrations.RunPython(
            _run([LOCK_FUNCTION, *FUNCTIONS]),
            _run([*PREVIOUS_FUNCTIONS, "DROP FUNCTION groups_changes_locked(integer, bigint[])"]),
        ),
    ]
