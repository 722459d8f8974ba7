"""Reversing URLs for long lists."""

from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse

# A number no real id or slug holds, reversed in place of the row's id.
_ID_PLACEHOLDER = 987654321987654321


@lru_cache(maxsize=4096)
def _url_with_placeholder(name: str, prefix: tuple, script_prefix: str, urlconf) -> str:
    return reverse(name, args=[*prefix, _ID_PLACEHOLDER], urlconf=urlconf)


def row_url(name: str, *args) -> str:
    """``{% url %}`` for a row of a list, whose last argument is the row's integer id.

    reverse() costs about 60 microseconds, and a thread links each reply two or three
    times; this reverses once per URL name (and leading arguments, such as the group's
    slug) and puts each row's id in its place. The id is an int, which every
    ``<int:...>`` segment accepts, so the result is what reverse() would give.
    """
    *prefix, row_id = args
    url = _url_with_placeholder(name, tuple(prefix), get_script_prefix(), get_urlconf())
    placeholder = str(_ID_PLACEHOLDER)
    if url.count(placeholder) != 1:  # a slug that happens to hold the placeholder
        return reverse(name, args=args)
    return url.replace(placeholder, str(int(row_id)))


def url(name: str, *args, **kwargs) -> str:
    """reverse() for templates, each URL reversed once per process: the header's and
    footer's links (some twenty on every page), and a group's links in a list's rows."""
    if kwargs:
        return reverse(name, kwargs=kwargs)
    return _url_with_args(name, args, get_script_prefix(), get_urlconf())


@lru_cache(maxsize=4096)
def _url_with_args(name: str, args: tuple, script_prefix: str, urlconf) -> str:
    return reverse(name, args=args or None, urlconf=urlconf)
