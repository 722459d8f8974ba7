"""Old task path, kept for one release so that announcements already in the queue still
run (a stored task names its module). docs/deploy.md: remove after the next release."""

from groups.posts.tasks import announce

__all__ = ["announce"]
