"""Encryption at rest for the journal: model fields that store Fernet tokens.

Every word a member writes in their journal (and every choice that names a treatment or
a feeling) is encrypted with the first key of ``JOURNAL_ENCRYPTION_KEYS`` before it
reaches the database and decrypted when read, so a database dump or backup alone does
not reveal it. Dates and numeric scores stay plain: the database orders, counts and
checks them (CHECK constraints), and on their own they name nothing.

A value encrypted with an older key still reads while that key is listed;
``manage.py rotate_journal_key`` re-encrypts every row with the newest key.
"""

import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def fernet() -> MultiFernet:
    return _fernet_for(tuple(settings.JOURNAL_ENCRYPTION_KEYS))


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode()
    except InvalidToken as error:
        # Loud on purpose: a missing key must not look like an empty journal.
        raise InvalidToken("A journal value could not be decrypted: is its key in JOURNAL_ENCRYPTION_KEYS?") from error


def rotate(token: str) -> str:
    """The same value, encrypted again with the newest key."""
    return fernet().rotate(token.encode("ascii")).decode("ascii")


class EncryptedTextField(models.TextField):
    """Text (with optional choices) stored as a Fernet token. Not searchable or sortable
    in SQL, by design: only the member's own rows are ever read, and they are few."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return None
        return encrypt(str(value))


class EncryptedJSONField(models.TextField):
    """A small JSON value (a list of ticked side effects) stored as a Fernet token."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return self.get_default()
        return json.loads(decrypt(value))

    def to_python(self, value):
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value

    def get_prep_value(self, value):
        if value is None:
            return None
        return encrypt(json.dumps(value))

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj))
