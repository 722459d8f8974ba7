from functools import lru_cache

from django import template
from django.template import engines
from django.template.defaulttags import CsrfTokenNode
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
