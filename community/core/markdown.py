"""Members' Markdown to safe HTML: CommonMark without raw HTML, then nh3.

nh3 is the last word: whatever markdown-it produces, only the tags and attributes
below survive, links get rel="nofollow ugc noopener", and no image is ever loaded.
"""

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h2",
    "h3",
    "h4",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "del",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

_members_markdown = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    .enable(["table", "strikethrough"])
    .disable("image")
)
# Articles written by staff may use one more heading level; the rules are otherwise the same.
_headings_down = {"h1": "h2"}


def render_markdown(text: str) -> str:
    """Render untrusted Markdown into HTML that is safe to mark safe in a template."""
    html = _members_markdown.render(text or "")
    for old, new in _headings_down.items():
        html = html.replace(f"<{old}>", f"<{new}>").replace(f"</{old}>", f"</{new}>")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow ugc noopener",
        strip_comments=True,
    )
