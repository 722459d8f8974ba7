from community.models.accounts import User
from community.models.notifications import Notification
from community.models.safety import CrisisLine

__all__ = ["CrisisLine", "Notification", "User"]
