from functools import lru_cache
from typing import NamedTuple

from django import template
from django.template import engines
from django.template.defaulttags import CsrfTokenNode
from django.urls import get_script_prefix
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe

from community.core.markdown import render_markdown
from community.core.urls import row_url

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    """Render untrusted Markdown; safe because nh3 has the last word (community/core/markdown.py)."""
    return mark_safe(_rendered_markdown(text or ""))  # noqa: S308 - sanitised by nh3


# The HTML is a function of the text alone, so a page shown again (an article, a group's
# rules) reuses it: rendering a long article is about 5 ms. A changed text is a new key.
_rendered_markdown = lru_cache(maxsize=128)(render_markdown)


@register.filter
def get_item(mapping, key):
    """``mapping|get_item:key`` for dictionaries a view prepared (None when missing)."""
    return mapping.get(key) if mapping else None


register.simple_tag(row_url)


@register.simple_tag(takes_context=True)
def jinja(context, template_name: str, **values) -> str:
    """Render a Jinja2 template from ``templates/jinja2/`` with this page's context and
    ``values``: the long lists of the busiest pages (``community/jinja.py`` says why)."""
    template = engines["jinja2"].get_template(template_name).template
    # Django's backend would add a csrf_input that masks a new token each time it is
    # printed (once per row); this one is made once, from the page's token.
    csrf_input = SimpleLazyObject(lambda: CsrfTokenNode().render(context))
    # A page variable named like one of the environment's functions (url, static, ...)
    # would hide it in every template, the header's included.
    page = {name: value for name, value in context.flatten().items() if name not in template.globals}
    return mark_safe(template.render({**page, "csrf_input": csrf_input, **values}))  # noqa: S308 - Jinja2 escaped it


# Where the page's CSRF field goes in a header kept for many pages: a comment, which no
# escaped text (a member's name) can spell.
_CSRF_SLOT = "<!--csrf-->"


class _Viewer(NamedTuple):
    is_authenticated: bool
    display_name: str


@register.simple_tag(takes_context=True)
def site_header(context) -> str:
    """The header (``templates/jinja2/_header.html``). It is the same on every page until
    the member's name or counts change, so it is rendered once per process for each, and
    each page puts in its own CSRF field (the logout button's)."""
    user = context.get("user")
    signed_in = bool(user is not None and user.is_authenticated)
    html = _header_html(
        get_script_prefix(),
        context.get("SITE_NAME"),
        _Viewer(signed_in, user.display_name if signed_in else ""),
        context.get("unread_notifications"),
        context.get("moderation_queue_count"),
    )
    if _CSRF_SLOT in html:
        html = html.replace(_CSRF_SLOT, CsrfTokenNode().render(context))
    return mark_safe(html)  # noqa: S308 - Jinja2 escaped it


@lru_cache(maxsize=512)
def _header_html(script_prefix: str, site_name, viewer: _Viewer, unread, waiting) -> str:
    return (
        engines["jinja2"]
        .get_template("_header.html")
        .template.render(
            {
                "SITE_NAME": site_name,
                "user": viewer,
                "unread_notifications": unread,
                "moderation_queue_count": waiting,
                # One number on the header's menus for what waits inside them.
                "header_waiting": (unread or 0) + (waiting or 0),
                "csrf_input": mark_safe(_CSRF_SLOT),  # noqa: S308 - our own constant
            }
        )
    )


@register.simple_tag
def site_footer() -> str:
    """The footer (``templates/jinja2/_footer.html``): links only, the same on every page."""
    return mark_safe(_footer_html(get_script_prefix()))  # noqa: S308 - Jinja2 escaped it


@lru_cache(maxsize=8)
def _footer_html(script_prefix: str) -> str:
    return engines["jinja2"].get_template("_footer.html").template.render({})
