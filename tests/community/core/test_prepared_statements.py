"""PostgreSQL keeps the plans of statements a connection runs again and again
(``DB_PREPARE_THRESHOLD``), and the setting turns it off for poolers that cannot keep them."""

import subprocess
import sys
from contextlib import nullcontext
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.utils.html import strip_tags

from community.core.prepared import PreparedQuery, PreparedValues
from community.models import Notification
from community.search.queries import search_site
from groups.models import Group


def database_options(**env) -> str:
    code = "import django; django.setup(); from django.conf import settings; print(settings.DATABASES['default'])"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[3],
        env={
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/x",
            "DEBUG": "1",
            "DJANGO_SETTINGS_MODULE": "community.settings",
            "PATH": "/usr/bin:/bin",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_statements_are_prepared_unless_turned_off():
    assert "'server_side_binding': True, 'prepare_threshold': 5" in database_options()
    assert "'prepare_threshold': 2" in database_options(DB_PREPARE_THRESHOLD="2")
    turned_off = database_options(DB_PREPARE_THRESHOLD="0")
    assert "server_side_binding" not in turned_off
    assert "prepare_threshold" not in turned_off


@pytest.mark.django_db
def test_a_statement_run_again_is_prepared_on_the_server_and_answers_the_same(make_group):
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    threshold = connection.settings_dict["OPTIONS"].get("prepare_threshold")
    if not threshold:
        pytest.skip("DB_PREPARE_THRESHOLD=0 here")
    make_group("Harbour", slug="harbour")
    make_group("Lantern", slug="lantern")

    def prepared_count():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            return cursor.fetchone()[0]

    before = prepared_count()
    names = [Group.objects.filter(slug=slug).values_list("name", flat=True).first() for slug in ["harbour"] * threshold]
    assert prepared_count() == before
    # Once more than the threshold: PostgreSQL now holds it, and other values still answer right.
    names += [Group.objects.filter(slug=slug).values_list("name", flat=True).first() for slug in ("lantern", "nowhere")]
    assert prepared_count() == before + 1
    assert names == ["Harbour"] * threshold + ["Lantern", None]


@pytest.mark.django_db
def test_full_text_searches_are_planned_for_their_own_words(member, make_group, add_member, make_post):
    """A generic plan suits a lookup by id, not a search: its best plan depends on the words."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    threshold = connection.settings_dict["OPTIONS"].get("prepare_threshold")
    if not threshold:
        pytest.skip("DB_PREPARE_THRESHOLD=0 here")
    group = make_group("Harbour")
    add_member(group, member)
    make_post(group, member, title="Sleep routine", body="A routine that helps me sleep.")
    for _ in range(threshold + 2):
        sections = search_site(user=member, text="sleep routine")
    assert [strip_tags(hit.title) for section in sections if section.kind == "posts" for hit in section.hits] == [
        "Sleep routine"
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert prepared  # the viewer's groups, looked up by id, are prepared
    assert not [statement for statement in prepared if "tsquery" in statement]
    assert connection.connection.prepare_threshold == threshold  # and later statements are again


@pytest.mark.django_db(transaction=True)
def test_a_statement_prepared_before_a_column_changed_type_is_prepared_again(second_connection):
    """A migration that widens a column while the old release still serves: without help,
    PostgreSQL refuses the old prepared statement on that connection until it closes."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    threshold = connection.settings_dict["OPTIONS"].get("prepare_threshold")
    if not threshold:
        pytest.skip("DB_PREPARE_THRESHOLD=0 here")
    other = second_connection(autocommit=True)
    other.execute("CREATE TABLE probe_widened (id int PRIMARY KEY, name varchar(20))")
    try:
        other.execute("INSERT INTO probe_widened VALUES (1, 'Harbour')")

        def name_of(row_id):
            with connection.cursor() as cursor:
                cursor.execute("SELECT id, name FROM probe_widened WHERE id = %s", [row_id])
                return cursor.fetchone()

        assert [name_of(1) for _ in range(threshold + 2)][-1] == (1, "Harbour")
        other.execute("ALTER TABLE probe_widened ALTER COLUMN name TYPE varchar(200)")
        assert name_of(1) == (1, "Harbour")
        assert name_of(1) == (1, "Harbour")
    finally:
        other.execute("DROP TABLE probe_widened")
        other.close()


@pytest.mark.django_db(transaction=True)
def test_another_error_quoting_those_words_is_not_run_again(make_member):
    """An error's detail can quote what a member typed: only PostgreSQL's code for an
    outdated plan runs a statement again."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    words = "cached plan must not change result type"
    get_user_model().objects.filter(pk=make_member("River").pk).update(email=words)
    sent = []

    def count(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count), pytest.raises(IntegrityError, match=words):
        get_user_model().objects.create(email=words, display_name="Copy")
    assert len([sql for sql in sent if sql.startswith("INSERT")]) == 1


def plans_of(fragment: str) -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE %s", [f"%{fragment}%"]
        )
        return cursor.fetchone()


def plan_cache_mode() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        return cursor.fetchone()[0]


@pytest.mark.parametrize("in_a_transaction", [True, False])
@pytest.mark.django_db(transaction=True)
def test_a_query_planned_once_keeps_one_plan_and_leaves_the_rest_planned_as_usual(
    make_group, make_member, add_member, make_post, make_reply, in_a_transaction
):
    """The notifications list was planned afresh on every run (1.5 ms of planning to run
    for 0.35 ms): PostgreSQL judged its plan for any member costlier than one for the
    member at hand. Kept to one plan, it must still answer for each member, and nothing
    after it may be planned that way."""
    if connection.vendor != "postgresql" or not connection.settings_dict["OPTIONS"].get("prepare_threshold"):
        pytest.skip("prepared statements are PostgreSQL's")
    group = make_group("Harbour")
    ana, ben = make_member("Ana"), make_member("Ben")
    for member in (ana, ben):
        add_member(group, member)
    make_reply(make_post(group, ana, title="Ben answers Ana"), ben)
    listed = PreparedValues(
        lambda user_id: Notification.objects.filter(recipient=user_id).values("kind", "post__title"), one_plan=True
    )
    with transaction.atomic() if in_a_transaction else nullcontext():
        answers = [listed.fetchall(member.pk) for member in (ana, ben) * 5]
        assert plan_cache_mode() == "auto"
    assert answers == [[{"kind": "reply_to_post", "post__title": "Ben answers Ana"}], []] * 5
    generic, custom = plans_of('"community_notification"."kind" AS "kind"')
    assert (generic, custom) == (5, 0)  # prepared at the fifth run, then planned once


@pytest.mark.django_db(transaction=True)
def test_a_query_kept_to_one_plan_is_run_again_after_a_column_changed_type(second_connection):
    """Kept to one plan, the statement runs in a transaction of its own, where the
    connection's wrapper cannot run it again; the query does, once (found by review)."""
    if connection.vendor != "postgresql" or not connection.settings_dict["OPTIONS"].get("prepare_threshold"):
        pytest.skip("prepared statements are PostgreSQL's")
    other = second_connection(autocommit=True)
    other.execute("CREATE TABLE probe_one_plan (id int PRIMARY KEY, name varchar(20))")
    try:
        other.execute("INSERT INTO probe_one_plan VALUES (1, 'Harbour')")
        probe = PreparedQuery(
            lambda stand_in: ("SELECT id, name FROM probe_one_plan WHERE id = %s", [stand_in]), one_plan=True
        )
        assert [probe.fetchone(1) for _ in range(7)][-1] == (1, "Harbour")
        other.execute("ALTER TABLE probe_one_plan ALTER COLUMN name TYPE varchar(200)")
        assert probe.fetchone(1) == (1, "Harbour")
    finally:
        other.execute("DROP TABLE probe_one_plan")
        other.close()


def test_a_stand_in_inside_another_value_is_refused(member):
    """A slug's stand-in inside a LIKE pattern would be sent as it is, not replaced."""
    prepared = PreparedValues(
        lambda user_id, slug: Notification.objects.filter(
            recipient=user_id, group__slug=slug, group__name__contains=slug
        ).values("pk"),
        texts=1,
    )
    with pytest.raises(ValueError, match="part of another value"):
        prepared.fetchall(member.pk, "harbour")
