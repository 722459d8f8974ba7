"""Post list versions, kept by the database: every write that can change what a group's
list of posts shows gives the group a new version (groups.posts.models.PostListVersion).

The numbers come from the same sequence as the thread versions on PostgreSQL (migration
0010 says why a sequence), and are random on SQLite.
"""

import django.db.models.deletion
from django.db import migrations, models

EVENTS = [("INSERT", "inserted"), ("UPDATE", "updated"), ("DELETE", "deleted")]

POSTGRESQL = [
    """
    CREATE FUNCTION groups_post_lists_changed(group_ids bigint[]) RETURNS void LANGUAGE sql AS $$
        INSERT INTO groups_postlistversion (group_id, version)
        SELECT id, nextval('groups_threadversion_seq')
        FROM (SELECT DISTINCT unnest(group_ids) AS id) AS changed
        WHERE id IS NOT NULL
        ORDER BY id
        ON CONFLICT (group_id) DO UPDATE SET version = EXCLUDED.version
    $$
    """,
    """
    CREATE FUNCTION groups_listed_posts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM groups_post_lists_changed(ARRAY(SELECT group_id FROM changed));
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION groups_authors_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM groups_post_lists_changed(ARRAY(
            SELECT post.group_id
            FROM changed
            JOIN earlier ON earlier.id = changed.id
            JOIN groups_post AS post ON post.author_id = changed.id
            WHERE changed.display_name IS DISTINCT FROM earlier.display_name
        ));
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION groups_groups_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM groups_postlistversion WHERE group_id IN (SELECT id FROM changed);
        RETURN NULL;
    END $$
    """,
    *(
        f"CREATE TRIGGER groups_post_listed_{done} AFTER {event} ON groups_post "
        f"REFERENCING {'OLD' if event == 'DELETE' else 'NEW'} TABLE AS changed "
        f"FOR EACH STATEMENT EXECUTE FUNCTION groups_listed_posts_changed()"
        for event, done in EVENTS
    ),
    """
    CREATE TRIGGER groups_authors_renamed AFTER UPDATE ON community_user
    REFERENCING OLD TABLE AS earlier NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION groups_authors_renamed()
    """,
    """
    CREATE TRIGGER groups_group_deleted AFTER DELETE ON groups_group
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION groups_groups_deleted()
    """,
]

POSTGRESQL_REVERSE = [
    *(f"DROP TRIGGER groups_post_listed_{done} ON groups_post" for _event, done in EVENTS),
    "DROP TRIGGER groups_authors_renamed ON community_user",
    "DROP TRIGGER groups_group_deleted ON groups_group",
    "DROP FUNCTION groups_listed_posts_changed()",
    "DROP FUNCTION groups_authors_renamed()",
    "DROP FUNCTION groups_groups_deleted()",
    "DROP FUNCTION groups_post_lists_changed(bigint[])",
]

_ROW = {"INSERT": "NEW", "UPDATE": "NEW", "DELETE": "OLD"}
_NEW_VERSION = "INSERT OR REPLACE INTO groups_postlistversion (group_id, version)"
SQLITE = [
    *(
        f"CREATE TRIGGER groups_post_listed_{done} AFTER {event} ON groups_post BEGIN "
        f"{_NEW_VERSION} VALUES ({_ROW[event]}.group_id, random()); END"
        for event, done in EVENTS
    ),
    "CREATE TRIGGER groups_authors_renamed AFTER UPDATE OF display_name ON community_user "  # noqa: S608 - constants only
    "WHEN NEW.display_name IS NOT OLD.display_name BEGIN "
    f"{_NEW_VERSION} SELECT DISTINCT group_id, random() FROM groups_post WHERE author_id = NEW.id; END",
    "CREATE TRIGGER groups_group_deleted AFTER DELETE ON groups_group BEGIN "
    "DELETE FROM groups_postlistversion WHERE group_id = OLD.id; END",
]

SQLITE_REVERSE = [
    *(f"DROP TRIGGER groups_post_listed_{done}" for _event, done in EVENTS),
    "DROP TRIGGER groups_authors_renamed",
    "DROP TRIGGER groups_group_deleted",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0010_thread_versions_kept_by_triggers"),
    ]

    operations = [
        migrations.CreateModel(
            name="PostListVersion",
            fields=[
                (
                    "group",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="groups.group",
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
