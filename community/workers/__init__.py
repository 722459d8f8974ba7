"""Keeping task workers alive and honest: heartbeats, the stale-task sweep, and the
``db_worker`` command's reconnecting loop (community/management/commands/db_worker.py)."""
