"""PostgreSQL keeps the plans of statements a connection runs again and again
(``DB_PREPARE_THRESHOLD``), and the setting turns it off for poolers that cannot keep them."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

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
