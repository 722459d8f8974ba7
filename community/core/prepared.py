"""Queries compiled once per process and run again with another id.

Building and compiling an ORM query costs Python time on every call: for the header's
counts, which every signed-in page runs, that was some 5 ms of CPU against 0.5 ms in
PostgreSQL. A ``PreparedQuery`` builds its querysets once, for a stand-in id, keeps the
SQL and parameters, and at each run puts the real id where the stand-in was. The rule
stays where it is written (the querysets come from the same helpers the pages use), and
the answer is read from the database at every call: nothing is cached but the SQL.
"""

import logging
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache

from django.db import DatabaseError, connections, transaction
from django.db.models import QuerySet
from django.db.models.sql import UpdateQuery

logger = logging.getLogger("community.core.prepared")

# The stand-in ids: values no row has, found again among the compiled parameters; and
# stand-in words, for a query by a slug.
STAND_IN = -7_301_946_285
STAND_INS = tuple(STAND_IN - number for number in range(64))
TEXT_STAND_INS = ("\x1fstand-in 7301946285", "\x1fstand-in 7301946286")
# And stand-in times, for "dates ending after now": moments long before the site.
DATETIME_STAND_INS = tuple(datetime(1901, 2, 3, 4, 5, 6, 730194 + number, tzinfo=UTC) for number in range(3))
_STAND_IN_YEAR = "1901-"


def compiled(queryset) -> tuple[str, list]:
    """The SQL and parameters of ``queryset``, as Django would send them."""
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


def compiled_update(queryset, using: str = "default", **values) -> tuple[str, list]:
    """The SQL and parameters of ``queryset.update(**values)``, as Django would send them
    for a filter on the table's own columns."""
    query = queryset.query.chain(UpdateQuery)
    query.add_update_values(values)
    sql, params = query.get_compiler(using).as_sql()
    return sql, list(params)


class PreparedQuery:
    """``build(*stand_ins)`` returns ``(sql, params)`` for ``ids`` stand-in ids followed by
    ``texts`` stand-in words and ``datetimes`` stand-in times (use ``compiled`` on
    querysets built for them); ``fetchone(*real_values)`` runs it for real ones, in the
    same order. The stand-ins must
    decide nothing but values: a rule that takes another shape for some ids (staff, say)
    needs a PreparedQuery per shape.

    ``one_plan``: PostgreSQL plans a prepared statement once for any value, unless that
    plan looks costlier than one made for the values at hand; then it plans again at every
    run. For a query of many joins whose best plan is the same for every member (the
    notifications list: 1.5 ms of planning, 0.35 ms of running) the one plan is kept, at
    the price of a transaction around the statement (three more round trips)."""

    def __init__(
        self,
        build: Callable[..., tuple[str, list]],
        using: str = "default",
        *,
        ids: int = 1,
        texts: int = 0,
        datetimes: int = 0,
        one_plan: bool = False,
    ):
        self._build = build
        self._using = using
        self._stand_ins = STAND_INS[:ids] + TEXT_STAND_INS[:texts] + DATETIME_STAND_INS[:datetimes]
        self._datetimes = datetimes
        self._one_plan = one_plan
        self._prepared: tuple[str, list, list[tuple[int, int]]] | None = None

    def _prepare(self) -> tuple[str, list, list[tuple[int, int]]]:
        if self._prepared is None:
            sql, params = self._build(*self._stand_ins)
            # A time is found among the parameters as the database backend sends it
            # (SQLite's as text).
            stand_ins = [self._as_sent(value) for value in self._stand_ins]
            slots = [
                (index, stand_ins.index(value))
                for index, value in enumerate(params)
                if type(value) in (int, str, datetime) and value in stand_ins
            ]
            if {which for _index, which in slots} != set(range(len(stand_ins))):
                raise ValueError("The prepared query does not use every stand-in value.")
            if any(
                isinstance(value, str) and value not in stand_ins and any(word in value for word in TEXT_STAND_INS)
                for value in params
            ):  # a stand-in inside another value (a LIKE pattern) would be sent as it is
                raise ValueError("A stand-in value is part of another value.")
            if any(str(value).startswith(_STAND_IN_YEAR) and value not in stand_ins for value in params):
                # A time worked out from a stand-in (``after - timedelta(days=1)``) would be
                # sent as it is; the caller works it out and passes it as a time of its own.
                raise ValueError("A value is worked out from a stand-in time.")
            self._prepared = (sql, params, slots)
        return self._prepared

    def _as_sent(self, value):
        if isinstance(value, datetime):
            if value.tzinfo is None:  # the ORM would read it in TIME_ZONE; every caller has UTC
                raise ValueError("A stand-in time takes an aware datetime.")
            return connections[self._using].ops.adapt_datetimefield_value(value)
        return value

    def _run(self, fetch, real_values):
        sql, params, slots = self._prepare()
        params = list(params)
        if self._datetimes:
            real_values = [self._as_sent(value) for value in real_values]
        for index, which in slots:
            params[index] = real_values[which]
        connection = connections[self._using]
        if not (self._one_plan and _prepares(connection)):
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return fetch(cursor)
        inside_a_transaction = connection.in_atomic_block
        try:
            return self._run_on_one_plan(connection, sql, params, fetch, inside_a_transaction)
        except DatabaseError as error:
            # A plan outdated by a migration (see replan_after_schema_change): the
            # rollback dropped the connection's prepared statements, so once more.
            if getattr(error.__cause__, "sqlstate", None) != _PLAN_OUTDATED or inside_a_transaction:
                raise
            return self._run_on_one_plan(connection, sql, params, fetch, inside_a_transaction)

    def _run_on_one_plan(self, connection, sql, params, fetch, inside_a_transaction: bool):
        with transaction.atomic(using=self._using), connection.cursor() as cursor:
            cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
            cursor.execute(sql, params)
            rows = fetch(cursor)
            if inside_a_transaction:  # the rest of it plans as it would have
                cursor.execute("SET LOCAL plan_cache_mode TO DEFAULT")
            return rows

    def fetchone(self, *real_values) -> tuple | None:
        return self._run(lambda cursor: cursor.fetchone(), real_values)

    def fetchrows(self, *real_values) -> list[tuple]:
        return self._run(lambda cursor: cursor.fetchall(), real_values)

    def execute(self, *real_values) -> int:
        """Run a compiled write (``compiled_update``); how many rows it changed."""
        return self._run(lambda cursor: cursor.rowcount, real_values)


class PreparedValues(PreparedQuery):
    """A ``values()`` queryset compiled once, as ``PreparedQuery`` does: ``build``
    returns the queryset for the stand-ins, and ``fetchall(*real_values)`` its rows as
    dicts, each value converted as the ORM would (SQLite's dates, JSON)."""

    def __init__(self, build: Callable[..., QuerySet], using: str = "default", **stand_ins_and_plan):
        super().__init__(self._compile, using, **stand_ins_and_plan)
        self._build_queryset = build
        self._columns = None  # (compiler, converters, names), set whole once compiled

    def _compile(self, *stand_ins) -> tuple[str, list]:
        # Built aside and set in one assignment: another thread may be reading rows.
        query = self._build_queryset(*stand_ins).query
        compiler = query.get_compiler(self._using)
        sql, params = compiler.as_sql()  # also sets the columns converted below
        # What results_iter would work out again at every run (a fifth of a fetch).
        converters = compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]])
        self._columns = (compiler, converters, [*query.extra_select, *query.values_select, *query.annotation_select])
        return sql, list(params)

    def fetchall(self, *real_values) -> list[dict]:
        rows = self._run(lambda cursor: cursor.fetchall(), real_values)
        compiler, converters, names = self._columns
        if converters:
            rows = compiler.apply_converters(rows, converters)
        return [dict(zip(names, row, strict=True)) for row in rows]


def for_each_length(build: Callable[..., QuerySet], *, ids: int = 1, datetimes: int = 0, one_plan: bool = False):
    """For a query that takes a list of ids (``post__in=...``): a function of the list's
    length giving a ``PreparedValues`` for it, built by ``build(*ids, *listed,
    *datetimes)``, or None for a list too long for the stand-ins (the caller then runs the
    ORM's query)."""

    @lru_cache(maxsize=len(STAND_INS))
    def prepared(length: int) -> PreparedValues | None:
        if ids + length > len(STAND_INS):
            return None
        return PreparedValues(build, ids=ids + length, datetimes=datetimes, one_plan=one_plan)

    return prepared


def _prepares(connection) -> bool:
    """Whether ``connection`` prepares statements it runs again (DB_PREPARE_THRESHOLD)."""
    if connection.vendor != "postgresql":
        return False
    connection.ensure_connection()
    return getattr(connection.connection, "prepare_threshold", None) is not None


def instance(model, row: dict, prefix: str = ""):
    """The ``model`` instance a ``PreparedValues`` row holds under ``prefix`` (its fields'
    attnames, such as ``"group__slug"``; the fields it lacks are deferred), or None where
    its id is NULL (an outer join found none)."""
    names, keys, pk_key = _fields_in(model, prefix, tuple(row))
    if row[pk_key] is None:
        return None
    return model.from_db("default", names, [row[key] for key in keys])


@lru_cache(maxsize=256)
def _fields_in(model, prefix: str, keys: tuple[str, ...]) -> tuple[list[str], list[str], str]:
    """The attnames of ``model`` a row with ``keys`` holds under ``prefix``, those keys,
    and its id's key: worked out once for each query's rows."""
    names = [field.attname for field in model._meta.concrete_fields if prefix + field.attname in keys]
    return names, [prefix + name for name in names], prefix + model._meta.pk.attname


@contextmanager
def planned_for_each_value(using: str = "default"):
    """Statements run inside are never prepared on the server (``DB_PREPARE_THRESHOLD``).

    A prepared statement soon runs on one generic plan for every value. That suits a
    lookup by id; a full-text search's best plan depends on the words searched for, and on
    a generic plan it took twice as long."""
    connection = connections[using]
    connection.ensure_connection()
    driver_connection = connection.connection
    threshold = getattr(driver_connection, "prepare_threshold", None)
    if threshold is None:  # SQLite, or preparing turned off
        yield
        return
    driver_connection.prepare_threshold = None
    try:
        yield
    finally:
        driver_connection.prepare_threshold = threshold


# What PostgreSQL answers when a statement a connection prepared reads a column whose type
# has changed since (a migration widened it while this release was still serving):
# "cached plan must not change result type", SQLSTATE feature_not_supported. That is
# raised while planning, before the statement does anything, so running it again cannot
# do anything twice. Matched on the code, not the text: the text may be translated, and an
# error's detail can quote what a member typed.
_PLAN_OUTDATED = "0A000"


def replan_after_schema_change(execute, sql, params, many, context):
    """A database execute wrapper (installed on every connection by CommunityConfig).

    psycopg keeps a connection's prepared statements until a rollback, so outside a
    transaction such a statement would fail again on every request until the connection
    closed. Drop them all and run the statement again, once. Inside a transaction it cannot
    be run again; the rollback that follows drops them."""
    try:
        return execute(sql, params, many, context)
    except DatabaseError as error:
        connection = context["connection"]
        if getattr(error.__cause__, "sqlstate", None) != _PLAN_OUTDATED or connection.in_atomic_block:
            raise
        logger.warning("prepared statements dropped after a schema change")
        connection.connection.execute("DEALLOCATE ALL")  # psycopg forgets them too
        return execute(sql, params, many, context)


def install_replanning(sender, connection, **kwargs):
    """A connection_created receiver."""
    if connection.vendor == "postgresql" and replan_after_schema_change not in connection.execute_wrappers:
        connection.execute_wrappers.append(replan_after_schema_change)
