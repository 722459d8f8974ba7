"""A small, clearly fictional demo community for `manage.py seed_demo`.

Every function is idempotent: it looks rows up by a natural key before creating them,
so running the command twice changes nothing.
"""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone

DEMO_PASSWORD = "calm-harbor-2026"  # noqa: S105 - printed for people trying the demo
# Demo accounts are established ones: someone trying the demo should not meet the limits
# that new accounts have (a few posts an hour) within minutes of logging in.
DEMO_ACCOUNT_AGE = timedelta(days=90)

DEMO_MEMBERS = [
    # (email, display name, time zone, staff?)
    ("staff@example.org", "Site Staff Sam", "America/New_York", True),
    ("river@example.org", "River", "America/Denver", False),
    ("maple@example.org", "Maple_Leaf", "America/Chicago", False),
    ("juniper@example.org", "Juniper", "Europe/London", False),
    ("harbor@example.org", "Harbor Light", "America/Los_Angeles", False),
    ("newcomer@example.org", "New Here", "America/Denver", False),
]


def seed_members() -> dict[str, object]:
    """Demo members with verified emails, keyed by display name."""
    User = get_user_model()
    members = {}
    for email, display_name, time_zone, is_staff in DEMO_MEMBERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email,
                password=DEMO_PASSWORD,
                display_name=display_name,
                time_zone=time_zone,
                is_staff=is_staff,
                is_superuser=is_staff,
                date_joined=timezone.now() - DEMO_ACCOUNT_AGE,
            )
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        members[display_name] = user
    return members
