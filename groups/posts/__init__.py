"""Posts and replies in a group.

- ``actions``: writing (create, edit, delete, with the limits and the holds), what
  publication does (``announce_published``), and a moderator's pins, locks and slow mode.
- ``announce``: telling people about what was published (mentions, followers, the
  thread), run by the task in ``tasks``.
- ``reactions``, ``read_markers``: a member's reactions; what they have read.
- ``screening``: crisis words and watched words in what a member sends.
- ``counts``: the one owner of ``reply_count``; ``content``: the post-or-reply branch.
- ``queries``: the post list and a thread's pages, with their query counts fixed.
- Views: ``views`` (writing, and crisis words in refused messages) and ``thread_views``
  (the post list, a thread, history, reactions, pins, locks, slow mode).
"""
