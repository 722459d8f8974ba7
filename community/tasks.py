"""Old task paths, kept for one release so that tasks already in the queue still run
(a stored task names its module). docs/deploy.md: remove after the next release."""

from community.notifications.tasks import send_digest_to
from community.privacy.actions import build_data_export

__all__ = ["build_data_export", "send_digest_to"]
