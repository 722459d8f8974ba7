"""The settings page, the rules' history, the check-in list and a thread cost a fixed
number of queries, whatever their length."""

import pytest
from django.urls import reverse

from groups.checkins import actions as check_ins
from groups.settings import actions as settings_actions
from tests.conftest import SIGNED_IN_QUERIES as SIGNED_IN


@pytest.fixture
def client(warm_client):
    return warm_client


@pytest.fixture
def harbour(make_group, make_member, add_member):
    group = make_group("Harbour", slug="harbour")
    owner = make_member("Owner")
    add_member(group, owner, role="owner")
    return group, owner


def url(name, group, **kwargs):
    return reverse(f"groups:{name}", kwargs={"group_slug": group.slug, **kwargs})


@pytest.mark.parametrize("size", [2, 12])
def test_settings_page_queries_do_not_grow(client, harbour, django_assert_max_num_queries, size):
    group, owner = harbour
    for n in range(size):
        settings_actions.add_watched_word(moderator=owner, group=group, phrase=f"word {n}", action="hold")
    client.force_login(owner)
    # + the moderation queue count in the header, the group, the owner's membership (memoised),
    # the join questions, the words with who added them.
    with django_assert_max_num_queries(SIGNED_IN + 5):
        response = client.get(url("group-settings", group))
    assert response.content.decode().count('class="card" id="word-') == size


@pytest.mark.parametrize("size", [2, 12])
def test_rules_history_queries_do_not_grow(client, harbour, django_assert_max_num_queries, size):
    group, owner = harbour
    for n in range(size):
        settings_actions.change_rules(owner=owner, group=group, rules=f"Be kind.\n\nRule {n}.")
    client.force_login(owner)
    # + the queue count, the group with the owner's membership, the revisions with who changed them.
    with django_assert_max_num_queries(SIGNED_IN + 3):
        response = client.get(url("rules-history", group))
    assert response.content.decode().count('class="card rules-change"') == size


@pytest.mark.parametrize("size", [2, 12])
def test_check_in_list_and_thread_queries_do_not_grow(
    client, harbour, make_member, add_member, django_assert_max_num_queries, size
):
    group, owner = harbour
    check_in = None
    for n in range(size):
        member = make_member()
        add_member(group, member)
        check_in = check_ins.start_check_in(moderator=owner, group=group, member=member, body=f"Hello {n}")
    for n in range(size):
        check_ins.write_in_check_in(author=owner, check_in=check_in, body=f"Again {n}")
    client.force_login(owner)
    # + the queue count, the group with the owner's membership, the check-ins with their group,
    # member and starter.
    with django_assert_max_num_queries(SIGNED_IN + 3):
        response = client.get(url("check-in-list", group))
    assert response.content.decode().count('<li class="card">') == size
    # + the queue count, the thread with its group and member, the membership, marking
    # notifications read, the messages with their authors.
    with django_assert_max_num_queries(SIGNED_IN + 5):
        response = client.get(check_in.get_absolute_url())
    assert response.content.decode().count("check-in-message") == size + 1
