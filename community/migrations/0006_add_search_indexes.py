"""Full-text search on group posts and replies, on PostgreSQL only.

Each table gets a ``search_vector`` column (tsvector) kept up to date by a trigger on
every insert and update, and a GIN index on it. Why a stored column: ranking needs the
vector of each matching row, and computing it again from the text costs about 0.15 ms
per post, far too slow for a common word over 200,000 posts; a stored vector costs a
few microseconds. Why a trigger rather than a GENERATED column or a model field: the
tables belong to the groups app, a GENERATED column would block later ALTER COLUMN TYPE
migrations there (for example a longer title), and SQLite (where the search uses a
simple fallback) has no tsvector. The models do not declare the column; community/search.py
reads it by name. SQLite gets nothing here.
"""

from django.db import migrations

TABLES = {
    # table: (trigger function body: the vector built from NEW, the same as community/search.py expects)
    "groups_post": "setweight(to_tsvector('pg_catalog.english', coalesce(NEW.title, '')), 'A')"
    " || setweight(to_tsvector('pg_catalog.english', coalesce(NEW.body, '')), 'B')",
    "groups_reply": "to_tsvector('pg_catalog.english', coalesce(NEW.body, ''))",
}
WATCHED = {"groups_post": "title, body", "groups_reply": "body"}
INDEX_NAMES = {"groups_post": "community_post_fts_idx", "groups_reply": "community_reply_fts_idx"}


def add_search_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, vector in TABLES.items():
        function = f"community_{table}_search_vector"
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
        schema_editor.execute(f"UPDATE {table} SET {WATCHED[table].split(',')[0]} = {WATCHED[table].split(',')[0]}")
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
        ("community", "0005_load_articles"),
        ("groups", "0002_default_topics"),
    ]

    operations = [migrations.RunPython(add_search_vectors, remove_search_vectors)]
