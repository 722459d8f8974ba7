"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py`.

Every value can be changed with an environment variable of the same purpose.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sync workers suit a server-rendered Django site; two per core is a sound start.
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() * 2 + 1))
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
