"""Two requests at the same moment never create duplicates (PostgreSQL row locks and
unique constraints). These run real threads against the real database."""

import threading

import pytest
from django.conf import settings
from django.db import connection

from community.core.errors import ActionRefused
from groups.membership.actions import join_group
from groups.models import Group, Membership, Reaction
from groups.posts.reactions import toggle_reaction

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="row locks are tested on PostgreSQL"),
]


def run_at_once(function, times: int = 6) -> list:
    """Call ``function`` from ``times`` threads released together; returns what each raised."""
    barrier = threading.Barrier(times)
    errors = []

    def worker():
        try:
            barrier.wait()
            function()
        except ActionRefused as refused:
            errors.append(refused)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_joining_at_once_makes_one_membership_and_counts_once(make_member, make_group):
    group = make_group(join_policy="open")
    member = make_member()
    refusals = run_at_once(lambda: join_group(user=member, group=group, accepted_rules=True))
    assert Membership.objects.filter(group=group, user=member).count() == 1
    assert Group.objects.get(pk=group.pk).member_count == 1
    assert len(refusals) == 5
    assert all("already a member" in refusal.message for refusal in refusals)


def test_reacting_at_once_keeps_one_reaction_per_kind(make_member, make_group, add_member, make_post):
    group = make_group()
    author, reader = make_member(), make_member()
    add_member(group, author)
    add_member(group, reader)
    post = make_post(group, author)
    run_at_once(lambda: toggle_reaction(user=reader, post=post, kind="support"), times=2)
    assert Reaction.objects.filter(post=post, user=reader, kind="support").count() <= 1
