"""Moderation in a group, one module per job.

- ``log``: the moderation log; every decision writes its entry and tells the member.
- ``checks``: the checks actions start with (the actor moderates the group, a listed reason).
- ``intake``: what enters moderation: held or flagged new content, crisis words in a
  refused message, members' reports (and content hidden by enough reports).
- ``items``: one queue item under decision: locking, closing, whom it is about.
- ``queue``: the queue and the decisions on its items (claim, approve, reject, check in,
  pass to staff, warn); ``decision_choices`` says which fit an item.
- ``content``: decisions on a post or reply: publish, take down, show again, restore.
- ``members``: decisions on a member: warn, mute, remove or ban; moderators' notes.
- ``appeals``: a member appeals a decision; another moderator keeps or reverses it.
- ``suspensions``: site staff suspend an account or lift a suspension.
- Views: ``queue_views``, ``content_views`` (reports, remove/restore), ``member_views``
  (a member, an account), ``log_views`` (the log, a member's decisions, appeals).

A thread's pins, lock and slow mode are in ``groups.posts.actions``.
"""
