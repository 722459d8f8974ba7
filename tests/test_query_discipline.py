"""The suite makes an N+1 an error (tests/conftest.py sets a Django 6.1 fetch mode on
every QuerySet): a relation lazily loaded on one of several rows raises, a relation of
a row fetched on its own still loads."""

import pytest
from django.core.exceptions import FieldFetchBlocked

from groups.models import Post


def test_lazy_load_on_a_row_of_a_list_raises(make_group, member, add_member, make_post):
    group = make_group()
    add_member(group, member)
    make_post(group, member, title="One")
    make_post(group, member, title="Two")
    with pytest.raises(FieldFetchBlocked, match="N\\+1"):
        [post.author.display_name for post in Post.objects.all()]


def test_select_related_list_and_single_rows_still_load(make_group, member, add_member, make_post):
    group = make_group()
    add_member(group, member)
    make_post(group, member, title="One")
    make_post(group, member, title="Two")
    assert {post.author.display_name for post in Post.objects.select_related("author")} == {"River"}
    assert Post.objects.get(title="One").author.display_name == "River"
