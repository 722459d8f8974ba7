"""Change logs, written by the database: every write that can change what a thread's
replies or a group's list of posts show adds a row to groups_threadchange or
groups_postlistchange (groups/posts/models.py says why rows are only ever added, and
groups/posts/versions.py how they become versions).

What adds a row for a thread (naming its post):
- any INSERT, UPDATE or DELETE on groups_reply;
- any INSERT, UPDATE or DELETE on groups_reaction (on the post or one of its replies);
- a member's display name changing (every post they replied to).
What adds a row for a group's list (naming the group):
- any INSERT, UPDATE or DELETE on groups_post: a reply's count and time, a pin, a title,
  a removal are all updates of the post;
- a member's display name changing (every group they posted in).

PostgreSQL's triggers run once per statement, over the rows it changed, so a bulk insert of
many replies adds one row per thread, not one per reply. SQLite (trying the site out) has
row triggers only.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

EVENTS = [("INSERT", "inserted", "NEW"), ("UPDATE", "updated", "NEW"), ("DELETE", "deleted", "OLD")]

# Each log's advisory-lock namespace (groups/posts/versions.py LOCK_SPACES): a writer holds
# a shared lock on every thread or group it changed, from before its change row takes an
# id until it commits, so a reader can tell that no write to it is still open.
LOCK_SPACES = {"groups_threadchange": 74101, "groups_postlistchange": 74102}


def _logged(log: str, column: str, keys_sql: str) -> str:
    """PL/pgSQL that locks, then logs, the ids ``keys_sql`` gives."""
    return f"""
        PERFORM pg_advisory_xact_lock_shared({LOCK_SPACES[log]}, hashint8(key))
        FROM ({keys_sql}) AS keys (key) ORDER BY key;
        INSERT INTO {log} ({column}) SELECT DISTINCT key FROM ({keys_sql}) AS keys (key);"""

# Each logged table: the log it adds to, the column there, and the SQL that gives the ids
# the changed rows name (PostgreSQL: from the statement's rows in "changed"; SQLite: from
# the row NEW or OLD).
LOGGED = {
    "groups_reply": ("groups_threadchange", "post_id", "SELECT {row}.post_id AS id"),
    "groups_reaction": (
        "groups_threadchange",
        "post_id",
        "SELECT {row}.post_id AS id UNION SELECT reply.post_id FROM groups_reply AS reply WHERE reply.id = {row}.reply_id",
    ),
    "groups_post": ("groups_postlistchange", "group_id", "SELECT {row}.group_id AS id"),
}

_RENAMED_POSTGRESQL = """
    FROM changed JOIN earlier ON earlier.id = changed.id
    JOIN {table} AS written ON written.author_id = changed.id
    WHERE changed.display_name IS DISTINCT FROM earlier.display_name
"""

# An UPDATE names what its rows named before and after it (a reply moved to another post
# changes both threads).
_SOURCES = {
    "logged": "changed",
    "update_logged": "(SELECT * FROM changed UNION ALL SELECT * FROM earlier) AS changed",
}

POSTGRESQL = [
    *(
        f"""
        CREATE FUNCTION {table}_{function}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {_logged(log, column, f"SELECT DISTINCT ids.id FROM {source}, LATERAL ({ids.format(row='changed')}) AS ids WHERE ids.id IS NOT NULL")}
            RETURN NULL;
        END $$
        """
        for table, (log, column, ids) in LOGGED.items()
        for function, source in _SOURCES.items()
    ),
    *(
        f"CREATE TRIGGER {table}_{done}_logged AFTER {event} ON {table} "
        + (
            f"REFERENCING OLD TABLE AS earlier NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION {table}_update_logged()"
            if event == "UPDATE"
            else f"REFERENCING {row} TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION {table}_logged()"
        )
        for table in LOGGED
        for event, done, row in EVENTS
    ),
    f"""
    CREATE FUNCTION community_user_renamed_logged() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {_logged("groups_threadchange", "post_id", "SELECT written.post_id " + _RENAMED_POSTGRESQL.format(table="groups_reply"))}
        {_logged("groups_postlistchange", "group_id", "SELECT written.group_id " + _RENAMED_POSTGRESQL.format(table="groups_post"))}
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER community_user_renamed_logged AFTER UPDATE ON community_user
    REFERENCING OLD TABLE AS earlier NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION community_user_renamed_logged()
    """,
]

POSTGRESQL_REVERSE = [
    *(f"DROP TRIGGER {table}_{done}_logged ON {table}" for table in LOGGED for _event, done, _row in EVENTS),
    "DROP TRIGGER community_user_renamed_logged ON community_user",
    *(f"DROP FUNCTION {table}_{function}()" for table in LOGGED for function in _SOURCES),
    "DROP FUNCTION community_user_renamed_logged()",
]

SQLITE = [
    *(
        f"CREATE TRIGGER {table}_{done}_logged AFTER {event} ON {table} BEGIN "
        f"INSERT INTO {log} ({column}) SELECT DISTINCT id FROM ("
        + (f"{ids.format(row='NEW')} UNION {ids.format(row='OLD')}" if event == "UPDATE" else ids.format(row=row))
        + ") WHERE id IS NOT NULL; END"
        for table, (log, column, ids) in LOGGED.items()
        for event, done, row in EVENTS
    ),
    "CREATE TRIGGER community_user_renamed_logged AFTER UPDATE OF display_name ON community_user "
    "WHEN NEW.display_name IS NOT OLD.display_name BEGIN "
    "INSERT INTO groups_threadchange (post_id) SELECT DISTINCT post_id FROM groups_reply WHERE author_id = NEW.id; "
    "INSERT INTO groups_postlistchange (group_id) SELECT DISTINCT group_id FROM groups_post WHERE author_id = NEW.id; "
    "END",
]

SQLITE_REVERSE = [
    *(f"DROP TRIGGER {table}_{done}_logged" for table in LOGGED for _event, done, _row in EVENTS),
    "DROP TRIGGER community_user_renamed_logged",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0009_add_group_settings_and_check_ins"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PostListChange",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                (
                    "group",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="groups.group",
                    ),
                ),
            ],
            options={"indexes": [models.Index(fields=["group", "-id"], name="post_list_change_newest_idx")]},
        ),
        migrations.CreateModel(
            name="ThreadChange",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                (
                    "post",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="groups.post",
                    ),
                ),
            ],
            options={"indexes": [models.Index(fields=["post", "-id"], name="thread_change_newest_idx")]},
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
