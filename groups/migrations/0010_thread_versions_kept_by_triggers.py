"""Thread versions, kept by the database: every write that can change what a thread's
replies show gives the thread a new version (groups.posts.models.ThreadVersion).

On PostgreSQL the versions come from a sequence, so a rolled-back write never hands out a
number that a later write reuses; on SQLite (trying the site out) they are random 64-bit
numbers. PostgreSQL's triggers run once per statement, over the rows it changed, so a bulk
insert of many replies costs one upsert per thread, not one per reply.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

EVENTS = [("INSERT", "inserted"), ("UPDATE", "updated"), ("DELETE", "deleted")]

POSTGRESQL = [
    "CREATE SEQUENCE groups_threadversion_seq",
    """
    CREATE FUNCTION groups_threads_changed(post_ids bigint[]) RETURNS void LANGUAGE sql AS $$
        INSERT INTO groups_threadversion (post_id, version)
        SELECT id, nextval('groups_threadversion_seq')
        FROM (SELECT DISTINCT unnest(post_ids) AS id) AS changed
        WHERE id IS NOT NULL
        ORDER BY id
        ON CONFLICT (post_id) DO UPDATE SET version = EXCLUDED.version
    $$
    """,
    """
    CREATE FUNCTION groups_replies_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM groups_threads_changed(ARRAY(SELECT post_id FROM changed));
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION groups_reactions_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM groups_threads_changed(ARRAY(
            SELECT post_id FROM changed WHERE post_id IS NOT NULL
            UNION
            SELECT reply.post_id FROM changed JOIN groups_reply AS reply ON reply.id = changed.reply_id
        ));
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION groups_repliers_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM groups_threads_changed(ARRAY(
            SELECT reply.post_id
            FROM changed
            JOIN earlier ON earlier.id = changed.id
            JOIN groups_reply AS reply ON reply.author_id = changed.id
            WHERE changed.display_name IS DISTINCT FROM earlier.display_name
        ));
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION groups_posts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM groups_threadversion WHERE post_id IN (SELECT id FROM changed);
        RETURN NULL;
    END $$
    """,
    *(
        f"CREATE TRIGGER groups_{table}_{done} AFTER {event} ON groups_{table} "
        f"REFERENCING {'OLD' if event == 'DELETE' else 'NEW'} TABLE AS changed "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        for table, function in (("reply", "groups_replies_changed"), ("reaction", "groups_reactions_changed"))
        for event, done in EVENTS
    ),
    """
    CREATE TRIGGER groups_repliers_renamed AFTER UPDATE ON community_user
    REFERENCING OLD TABLE AS earlier NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION groups_repliers_renamed()
    """,
    """
    CREATE TRIGGER groups_post_deleted AFTER DELETE ON groups_post
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION groups_posts_deleted()
    """,
]

POSTGRESQL_REVERSE = [
    *(
        f"DROP TRIGGER groups_{table}_{done} ON groups_{table}"
        for table in ("reply", "reaction")
        for _event, done in EVENTS
    ),
    "DROP TRIGGER groups_repliers_renamed ON community_user",
    "DROP TRIGGER groups_post_deleted ON groups_post",
    "DROP FUNCTION groups_replies_changed()",
    "DROP FUNCTION groups_reactions_changed()",
    "DROP FUNCTION groups_repliers_renamed()",
    "DROP FUNCTION groups_posts_deleted()",
    "DROP FUNCTION groups_threads_changed(bigint[])",
    "DROP SEQUENCE groups_threadversion_seq",
]

_ROW = {"INSERT": "NEW", "UPDATE": "NEW", "DELETE": "OLD"}
_NEW_VERSION = "INSERT OR REPLACE INTO groups_threadversion (post_id, version)"
SQLITE = [
    *(
        f"CREATE TRIGGER groups_reply_{done} AFTER {event} ON groups_reply BEGIN "
        f"{_NEW_VERSION} VALUES ({_ROW[event]}.post_id, random()); END"
        for event, done in EVENTS
    ),
    *(
        f"CREATE TRIGGER groups_reaction_{done} AFTER {event} ON groups_reaction BEGIN "  # noqa: S608 - constants only
        f"{_NEW_VERSION} SELECT post_id, random() FROM ("
        f"SELECT {_ROW[event]}.post_id AS post_id "
        f"UNION SELECT post_id FROM groups_reply WHERE id = {_ROW[event]}.reply_id"
        f") WHERE post_id IS NOT NULL; END"
        for event, done in EVENTS
    ),
    "CREATE TRIGGER groups_repliers_renamed AFTER UPDATE OF display_name ON community_user "  # noqa: S608 - constants only
    "WHEN NEW.display_name IS NOT OLD.display_name BEGIN "
    f"{_NEW_VERSION} SELECT DISTINCT post_id, random() FROM groups_reply WHERE author_id = NEW.id; END",
    "CREATE TRIGGER groups_post_deleted AFTER DELETE ON groups_post BEGIN "
    "DELETE FROM groups_threadversion WHERE post_id = OLD.id; END",
]

SQLITE_REVERSE = [
    *(f"DROP TRIGGER groups_{table}_{done}" for table in ("reply", "reaction") for _event, done in EVENTS),
    "DROP TRIGGER groups_repliers_renamed",
    "DROP TRIGGER groups_post_deleted",
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
            name="ThreadVersion",
            fields=[
                (
                    "post",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="groups.post",
                    ),
                ),
                ("version", models.BigIntegerField()),
            ],
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
