from django import template
from django.utils.safestring import mark_safe

from community.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    """Render untrusted Markdown; safe because nh3 has the last word (community/markdown.py)."""
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised by nh3 just above


@register.filter
def get_item(mapping, key):
    """``mapping|get_item:key`` for dictionaries a view prepared (None when missing)."""
    return mapping.get(key) if mapping else None
