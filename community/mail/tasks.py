"""Old task path, kept for one release so that drains already in the queue still run (a
stored task names its module). docs/deploy.md: remove after the next release."""

from community.mail.outbox import MAIL_QUEUE, deliver_outbox

__all__ = ["MAIL_QUEUE", "deliver_outbox"]
