"""`manage.py seed_demo` fills an empty database with a fictional demo, and running it
again changes nothing."""

import pytest
from django.apps import apps
from django.core.management import call_command

from groups.actions.moderation import queue_for
from groups.models import Group, Post, QueueItem


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
