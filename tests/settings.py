"""Settings for the test suite: the site's own settings (community/settings.py), read
with the two secrets a test run has no use for, then the few things tests do differently.
pytest uses this module (pyproject.toml); nothing in community/settings.py knows about
tests."""

import os

# Throw-away secrets, only if the environment gives none: production settings refuse to
# start without them, and tests must not need a real key.
os.environ.setdefault("SECRET_KEY", "tests-only-" + "k" * 50)
os.environ.setdefault("JOURNAL_ENCRYPTION_KEYS", "dGVzdHMtb25seS1qb3VybmFsLWtleS0wMDAwMDAwMDA=")
# Tasks run at once inside the request, unless a test (or a worker it starts) asks for
# the database backend.
os.environ.setdefault("TASKS_BACKEND", "immediate")

from community.settings import *  # noqa: E402, F403
from community.settings import PASSWORD_HASHERS  # noqa: E402

ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

# Plain HTTP in tests: no redirect to HTTPS, cookies that the test client sends back.
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_PRELOAD = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"

# No manifest: the suite does not run collectstatic.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Staff pages ask for two-factor only in the tests about it (tests/community/accounts/test_security_auth.py).
STAFF_PAGES_REQUIRE_2FA = False

# A fast hasher keeps the suite quick; the hashing tests ask for the real list.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]

# Visitors' pages and calendar feeds are kept in the cache, as in production, so that every test of what a
# visitor sees after a change also tests that the change reached the kept page. One
# process's memory is the cache here, which its tests and live server share.
KEEP_PAGES = True
