"""Template tags of our own."""

import pytest
from django.urls import reverse

from community.templatetags.community_tags import row_url


@pytest.mark.parametrize("slug", ["living-with-trd", "group-987654321987654321"])
@pytest.mark.parametrize("row_id", [1, 42, 987654321])
def test_row_url_gives_what_reverse_gives(slug, row_id):
    for name in ["groups:reply-react", "groups:reply-report", "groups:post-detail"]:
        assert row_url(name, slug, row_id) == reverse(name, args=[slug, row_id])
    assert row_url("moderation:item-claim", row_id) == reverse("moderation:item-claim", args=[row_id])
