from community.models.accounts import User
from community.models.safety import CrisisLine

__all__ = ["CrisisLine", "User"]
