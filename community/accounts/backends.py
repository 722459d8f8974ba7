"""Signing in with Django's ModelBackend, and reading the signed-in member cheaply.

Every signed-in request loads its member by id before anything else; through the ORM
that cost about 0.6 ms of CPU to build and compile the query, three times what PostgreSQL
and the driver spend on it. ``MemberBackend.get_user`` runs the same SELECT, compiled
once per process (community/core/prepared.py), and checks the account as ModelBackend
does. Everything else, signing in included, is ModelBackend's.
"""

from functools import lru_cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connections

from community.core.prepared import PreparedQuery, compiled


def _member_by_id(stand_in: int) -> tuple[str, list]:
    User = get_user_model()
    return compiled(User._default_manager.filter(pk=stand_in).values_list(*_attnames()))


def _attnames() -> list[str]:
    return [field.attname for field in get_user_model()._meta.concrete_fields]


_MEMBER_BY_ID = PreparedQuery(_member_by_id)


@lru_cache
def _raw_values_suffice(vendor: str) -> bool:
    """Whether every column comes back from the driver as the model holds it: neither the
    field (as a JSON or encrypted field would) nor the database backend converts it
    (SQLite's dates come back as naive datetimes, its booleans as numbers). Once per
    process and kind of database."""
    connection = connections["default"]
    model = get_user_model()
    return not any(
        field.get_db_converters(connection) or connection.ops.get_db_converters(field.get_col(model._meta.db_table))
        for field in model._meta.concrete_fields
    )


class MemberBackend(ModelBackend):
    def get_user(self, user_id):
        if not _raw_values_suffice(connections["default"].vendor):
            return super().get_user(user_id)
        row = _MEMBER_BY_ID.fetchone(user_id)
        if row is None:
            return None
        user = get_user_model().from_db("default", _attnames(), row)
        return user if self.user_can_authenticate(user) else None
