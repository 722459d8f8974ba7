"""The member's home lists the same recent posts on every visit until one of them
changes: the list's HTML is kept in this process, keyed by every value it shows (each
``RecentPost``, the member's own view of it included: the name shown for its author and
whether it is folded away) and the member's time zone. Its template is given those
values alone, so it cannot show anything the key leaves out."""

from functools import lru_cache

from django.template import engines
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.safestring import mark_safe

from groups.posts.queries import RecentPost


def recent_rows(posts: list[RecentPost]) -> str:
    """The ``<li>``s of the home's recent posts."""
    return _rows_html(tuple(posts), timezone.get_current_timezone_name(), get_script_prefix())


@lru_cache(maxsize=256)
def _rows_html(posts: tuple[RecentPost, ...], zone_name: str, script_prefix: str) -> str:
    # zone_name and script_prefix are part of the key: the times are shown in the one, the
    # links start with the other.
    template = engines["jinja2"].get_template("community/pages/_recent_post_rows.html")
    return mark_safe(template.render({"recent_posts": posts}))  # noqa: S308 - Jinja2 escaped it
