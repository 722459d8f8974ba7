"""The members: numbered "Sample" accounts with verified addresses, the benchmark's two first."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from community.demo.scale.build import ZONES, Builder

SCALE_PASSWORD = "steady-scale-2026"  # noqa: S105 - printed for the load benchmark's accounts
# The two accounts the benchmark signs in as; both belong to the busiest group.
FACILITATOR_EMAIL = "scale-facilitator@example.org"
MEMBER_EMAIL = "scale-member@example.org"


def seed_members(build: Builder) -> None:
    build.progress.start("members")
    User = get_user_model()
    password = make_password(SCALE_PASSWORD)  # hashed once: every account shares it
    special = [(FACILITATOR_EMAIL, "Sample Facilitator"), (MEMBER_EMAIL, "Sample Member")]
    people = special + [
        (f"scale-{n}@example.org", f"Sample member {n}") for n in range(build.sizes.members - len(special))
    ]
    joined = build.now - timedelta(days=800)
    users = build.insert(
        User,
        (
            User(
                email=email,
                display_name=name,
                password=password,
                time_zone=build.rng.choice(ZONES),
                date_joined=joined + timedelta(minutes=n),
            )
            for n, (email, name) in enumerate(people)
        ),
        len(people),
    )
    build.user_ids = [user.pk for user in users]
    build.insert(
        EmailAddress,
        (EmailAddress(user_id=user.pk, email=user.email, verified=True, primary=True) for user in users),
        len(users),
    )
    build.progress.finish()
