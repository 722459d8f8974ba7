"""Check-ins: a moderator writes privately to a member, in a thread the group's other
moderators and staff can read too. Members never message each other (see the guidelines)."""
