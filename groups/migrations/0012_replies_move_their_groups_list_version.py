"""Every write to a reply moves its group's list version too, not only its thread's.

A group's list version (groups_postlistchange, migration 0010) moved on writes to the
group's posts; a new or removed reply moved it through its post's count and time, but an
edited reply changed its thread alone. A member's search results (community/search/)
show replies' words from every group they belong to and are kept under those groups' list
versions, so an edit must move the group's version as well: now any INSERT, UPDATE or
DELETE on groups_reply logs (and locks) the group of each post its rows name, as well as
the thread. A reply's edit is rare beside reading, so the group's kept post lists built
again after one cost little.
"""

import importlib

from django.db import migrations

FIRST = importlib.import_module("groups.migrations.0010_change_logs_kept_by_triggers")
PREVIOUS = importlib.import_module("groups.migrations.0011_few_locks_for_writes_to_many")

THREAD_OF_REPLY = "SELECT {row}.post_id AS id"
GROUP_OF_REPLY = "SELECT post.group_id AS id FROM groups_post AS post WHERE post.id = {row}.post_id"


def _ids(source: str, ids: str) -> str:
    return f"SELECT ids.id FROM {source}, LATERAL ({ids.format(row='changed')}) AS ids WHERE ids.id IS NOT NULL"


FUNCTIONS = [
    PREVIOUS._function(
        f"groups_reply_{function}",
        PREVIOUS._logged("groups_threadchange", "post_id", _ids(source, THREAD_OF_REPLY))
        + PREVIOUS._logged("groups_postlistchange", "group_id", _ids(source, GROUP_OF_REPLY)),
    )
    for function, source in FIRST._SOURCES.items()
]

# Back: 0011's functions for replies, as they were.
PREVIOUS_FUNCTIONS = [statement for statement in PREVIOUS.FUNCTIONS if "groups_reply_" in statement.split("(")[0]]

SQLITE = [
    f"CREATE TRIGGER groups_reply_{done}_list_logged AFTER {event} ON groups_reply BEGIN "
    "INSERT INTO groups_postlistchange (group_id) SELECT DISTINCT post.group_id FROM groups_post AS post "
    f"WHERE post.id IN ({'NEW.post_id, OLD.post_id' if event == 'UPDATE' else f'{row}.post_id'}); END"
    for event, done, row in FIRST.EVENTS
]
SQLITE_REVERSE = [f"DROP TRIGGER groups_reply_{done}_list_logged" for _event, done, _row in FIRST.EVENTS]


class Migration(migrations.Migration):
    dependencies = [("groups", "0011_few_locks_for_writes_to_many")]

    operations = [
        migrations.RunPython(
            FIRST._run({"postgresql": FUNCTIONS, "sqlite": SQLITE}),
            FIRST._run({"postgresql": PREVIOUS_FUNCTIONS, "sqlite": SQLITE_REVERSE}),
        ),
    ]
