"""Cut a database call that a frozen server will never answer.

``statement_timeout`` is enforced by the PostgreSQL server, and ``connect_timeout`` only
covers connecting. When the server's processes are stopped (SIGSTOP, a hung machine, a
storage stall), a query on an already open connection waits for ever: the kernel still
acknowledges every packet, so no TCP timeout fires, and the request hangs until gunicorn
kills the worker. The watchdog is a thread per process that looks at the connections of
requests in progress twice a second; one that has been waiting for an answer for longer
than ``DB_WATCHDOG_SECONDS`` (a second past the statement timeout, so a live server
always cancels first) has its socket shut down. psycopg then raises OperationalError at
once, the request answers the friendly 503 page, and the worker lives on; Django closes
the broken connection at the end of the request and opens a fresh one at the next.
"""

import logging
import os
import socket
import threading
import time

from psycopg.pq import TransactionStatus

logger = logging.getLogger("community.database")

POLL_SECONDS = 0.5


class DatabaseWatchdog:
    def __init__(self, limit_seconds: float):
        self.limit = limit_seconds
        self.watched: dict[int, object] = {}
        self.pid = None

    def watch(self, wrapper) -> None:
        """Watch this thread's Django connection until ``unwatch``."""
        if self.pid != os.getpid():  # started after gunicorn forks, once per worker
            self.pid = os.getpid()
            threading.Thread(target=self.run, name="database-watchdog", daemon=True).start()
        self.watched[threading.get_ident()] = wrapper

    def unwatch(self) -> None:
        self.watched.pop(threading.get_ident(), None)

    def run(self) -> None:
        waiting_since: dict[int, float] = {}
        while True:
            time.sleep(POLL_SECONDS)
            now = time.monotonic()
            busy = set()
            for wrapper in list(self.watched.values()):
                raw = getattr(wrapper, "connection", None)
                if raw is None or raw.closed or raw.pgconn.transaction_status != TransactionStatus.ACTIVE:
                    continue
                busy.add(id(raw))
                started = waiting_since.setdefault(id(raw), now)
                if now - started >= self.limit:
                    self.cut(raw, now - started)
            waiting_since = {key: value for key, value in waiting_since.items() if key in busy}

    @staticmethod
    def cut(raw, waited: float) -> None:
        try:
            with socket.socket(fileno=os.dup(raw.pgconn.socket)) as duplicate:
                duplicate.shutdown(socket.SHUT_RDWR)
        except OSError:
            return
        logger.error("database call cut after %.1fs without an answer; the server may be frozen", waited)
