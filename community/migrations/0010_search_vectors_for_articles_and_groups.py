"""Stored full-text vectors for articles and groups, on PostgreSQL only.

The same design as 0006 (a ``search_vector`` column kept by a trigger, GIN-indexed), for
the two kinds that search still matched by building every row's vector at query time:
about 6 ms for the resource articles (long bodies) and 4 ms for 400 groups on each
search. The weights are those community/search.py ranked with before: title or name A,
summary or description and about B, an article's body C. SQLite gets nothing here.
"""

from django.db import migrations

TABLES = {
    "community_article": "setweight(to_tsvector('pg_catalog.english', coalesce(NEW.title, '')), 'A')"
    " || setweight(to_tsvector('pg_catalog.english', coalesce(NEW.summary, '')), 'B')"
    " || setweight(to_tsvector('pg_catalog.english', coalesce(NEW.body, '')), 'C')",
    "groups_group": "setweight(to_tsvector('pg_catalog.english', coalesce(NEW.name, '')), 'A')"
    " || setweight(to_tsvector('pg_catalog.english', coalesce(NEW.description, '') || ' ' || coalesce(NEW.about, '')),"
    " 'B')",
}
WATCHED = {"community_article": "title, summary, body", "groups_group": "name, description, about"}
INDEX_NAMES = {"community_article": "community_article_fts_idx", "groups_group": "community_group_fts_idx"}


def add_search_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, vector in TABLES.items():
        function = f"community_{table}_search_vector"
        first_column = WATCHED[table].split(",")[0]
        schema_editor.execute(f"ALTER TABLE {table} ADD COLUMN search_vector tsvector")
        schema_editor.execute(
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN NEW.search_vector := {vector}; RETURN NEW; END $$"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {function} BEFORE INSERT OR UPDATE OF {WATCHED[table]} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()"
        )
        # Fill the column for rows that exist already (the trigger fires on this update).
        schema_editor.execute(f"UPDATE {table} SET {first_column} = {first_column}")
        schema_editor.execute(f"CREATE INDEX {INDEX_NAMES[table]} ON {table} USING gin (search_vector)")


def remove_search_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        function = f"community_{table}_search_vector"
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {function} ON {table}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}()")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0009_add_email_deliveries"),
        ("groups", "0007_add_occurrence_meeting_start_index"),
    ]

    operations = [migrations.RunPython(add_search_vectors, remove_search_vectors)]
