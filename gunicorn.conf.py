"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py`.

Every value can be changed with an environment variable of the same purpose.
"""

import os

# Web requests give up on a statement after 5 s (the friendly 503 page) rather than wait
# for gunicorn's own timeout to kill the worker; see DB_STATEMENT_TIMEOUT_MS in README.
os.environ.setdefault("DB_STATEMENT_TIMEOUT_MS", "5000")

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sync workers suit a server-rendered Django site. Its pages are mostly Python (templates),
# so one worker per core plus one keeps the cores busy without making them take turns:
# on the 2-core benchmark machine 3 workers gave 15-25% lower p95 than 5 (docs/performance.md).
# Where the database is on another machine and requests wait on it longer, raise it.
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so that slow memory growth cannot build up.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
wsgi_app = "community.wsgi:application"
# Our middleware logs one line per request without paths; gunicorn's access log would
# repeat the path (which can hold a feed token), so it stays off.
accesslog = None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
