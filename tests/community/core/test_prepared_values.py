"""Queries compiled once per process that give rows as the ORM would
(community/core/prepared.py ``PreparedValues``), and the group lookup every group page
starts with, which runs on one (groups/access/groups.py)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from community.core.prepared import PreparedValues
from groups.access.groups import _group_by_slug, membership_of
from groups.models import Group, Membership

pytestmark = pytest.mark.django_db


def test_rows_come_back_typed_as_the_orm_gives_them(make_group, make_member, add_member):
    """SQLite gives dates as text and JSON as text until the ORM converts them."""
    group = make_group("Mornings")
    member = make_member("Ana")
    membership = add_member(group, member)
    muted = timezone.now() + timedelta(days=2)
    Membership.objects.filter(pk=membership.pk).update(
        answers=[{"question": "Why?", "answer": "Sleep"}], muted_until=muted
    )
    prepared = PreparedValues(
        lambda user_id, slug: Membership.objects.filter(user=user_id, group__slug=slug).values(
            "answers", "muted_until"
        ),
        texts=1,
    )
    assert prepared.fetchall(member.pk, group.slug) == list(
        Membership.objects.filter(pk=membership.pk).values("answers", "muted_until")
    )
    assert prepared.fetchall(member.pk, "no-such-group") == []


def test_a_prepared_query_refuses_a_build_that_does_not_use_every_stand_in(member):
    prepared = PreparedValues(lambda user_id, slug: Group.objects.filter(slug="fixed").values("pk"), texts=1)
    with pytest.raises(ValueError, match="stand-in"):
        prepared.fetchall(member.pk, "fixed")


@pytest.mark.parametrize("status", [*Membership.Status.values, None])
def test_the_group_lookup_gives_the_group_and_the_members_row_as_the_orm_reads_them(
    make_group, make_member, add_member, status
):
    group = make_group("Evenings")
    member = make_member("Ben")
    if status is not None:
        add_member(group, member)
        Membership.objects.filter(group=group, user=member).update(status=status, answers=["a"])
    found = _group_by_slug(member, group.slug)
    assert {name: value for name, value in found.__dict__.items() if name != "_state"} == {
        name: value for name, value in Group.objects.get(pk=group.pk).__dict__.items() if name != "_state"
    }
    expected = Membership.objects.filter(group=group, user=member).first()
    known = membership_of(member, found)  # learnt on the way: no second query
    if expected is None:
        assert known is None
    else:
        assert {n: v for n, v in known.__dict__.items() if not n.startswith("_")} == {
            n: v for n, v in expected.__dict__.items() if not n.startswith("_")
        }
        assert known.group is found


def test_a_visitor_gets_the_group_and_nobody_gets_a_group_that_is_not_there(
    make_group, make_member, django_assert_num_queries
):
    group = make_group("Afternoons")
    with django_assert_num_queries(1):
        assert _group_by_slug(AnonymousUser(), group.slug).pk == group.pk
    assert _group_by_slug(AnonymousUser(), "nowhere") is None
    member = make_member("Cy")
    assert _group_by_slug(member, "nowhere") is None
    with django_assert_num_queries(1):  # a member of no group: the group and "no membership"
        assert _group_by_slug(member, group.slug).pk == group.pk
    with django_assert_num_queries(0):
        assert membership_of(member, group) is None
