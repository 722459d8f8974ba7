"""`manage.py seed_demo` fills an empty database with a fictional demo, and running it
again changes nothing."""

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from groups.models import Group, Post, QueueItem
from groups.moderation.queue import queue_for


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_covers_each_area(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", verbosity=0)
    first = row_counts()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", verbosity=0)
    assert row_counts() == first

    policies = set(Group.objects.values_list("join_policy", flat=True))
    assert policies == {"open", "request", "invite"}
    assert {"online", "in_person", "both"} <= set(Group.objects.values_list("format", flat=True))
    assert Post.objects.filter(is_anonymous=True).exists()
    assert Post.objects.exclude(content_warning="").exists()

    from community.models import User

    harbor = User.objects.get(email="harbor@example.org")
    kinds = {item.kind for item in queue_for(harbor)}
    assert {"held_post", "report", "join_request", "appeal"} <= kinds
    assert QueueItem.objects.filter(kind="flagged_reply", is_risk=True).exists()


@pytest.mark.django_db
def test_seed_demo_meetings_cover_zones_cancellation_and_waitlist(django_capture_on_commit_callbacks):
    from groups.models import Meeting, Occurrence, Rsvp

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", verbosity=0)
    assert {"America/Denver", "Europe/London"} <= set(Meeting.objects.values_list("time_zone", flat=True))
    assert {"online", "in_person"} <= set(Meeting.objects.values_list("kind", flat=True))
    assert Occurrence.objects.filter(is_cancelled=True).exists()
    assert Rsvp.objects.filter(status="waitlisted").exists()


@pytest.mark.django_db
def test_readme_describes_the_demo_moderators_queue_as_it_is(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", verbosity=0)
    from community.models import User

    harbor = User.objects.get(email="harbor@example.org")
    queue = list(queue_for(harbor))
    assert Counter((item.kind, item.is_risk) for item in queue) == {
        ("flagged_post", True): 1,
        ("flagged_reply", True): 1,
        ("held_post", False): 1,
        ("report", False): 1,
        ("appeal", False): 1,
        ("join_request", False): 1,
    }
    readme = " ".join((Path(__file__).resolve().parents[1] / "README.md").read_text().split())
    assert (
        'has a queue of six items: two marked "possible risk" (a post and a reply with crisis words), '
        "a new member's held first post, a report, an appeal and a join request." in readme
    )


@pytest.mark.django_db
def test_demo_accounts_are_not_new_accounts(django_capture_on_commit_callbacks, settings):
    from community.demo.members import DEMO_MEMBERS
    from community.models import User
    from groups.posts.actions import create_post

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", verbosity=0)
    river = User.objects.get(email="river@example.org")
    group = Group.objects.get(slug="living-with-trd")
    for n in range(settings.NEW_ACCOUNT_POSTS_PER_HOUR + 1):
        create_post(author=river, group=group, title=f"Trying the demo {n}", body="Just looking around.")
    emails = [email for email, *_ in DEMO_MEMBERS]
    assert not User.objects.filter(email__in=emails, date_joined__gt=timezone.now() - timedelta(days=1)).exists()
