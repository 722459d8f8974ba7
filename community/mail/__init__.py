"""Outgoing email through a transactional outbox.

``queue_email`` writes one ``OutboxEmail`` row per message in the caller's transaction, so
an email exists exactly when what it announces was committed. Workers claim rows with
``SELECT ... FOR UPDATE SKIP LOCKED`` and mark them sent after the mail server accepted
them. See ``outbox.py`` for what that promises.
"""
