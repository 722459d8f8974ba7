"""Search terms and highlighted snippets, in plain Python (no Django needed).

Snippets are built from plain text: every character of the text is HTML-escaped, and
only then are the matches wrapped in <mark>. Nothing written by a member can reach the
page as markup.
"""

import html
import re

MAX_TERMS = 8
# English suffixes stripped so that "sleeping" also marks "sleep" and "sleeps", close to
# what PostgreSQL's English stemming matches.
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "es", "ed", "ly", "s")
_WORD = re.compile(r"(-?)(\w+)")


def query_terms(text: str) -> list[str]:
    """The words of a query to match and mark; words after a minus (excluded) are left out."""
    terms = []
    for minus, word in _WORD.findall((text or "").casefold()):
        if minus or word in ("or", "and") or word in terms:
            continue
        terms.append(word)
    return terms[:MAX_TERMS]


def _stem(term: str) -> str:
    for suffix in _SUFFIXES:
        if term.endswith(suffix) and len(term) - len(suffix) >= 3:
            return term[: -len(suffix)]
    return term


def terms_pattern(terms: list[str]) -> re.Pattern | None:
    if not terms:
        return None
    stems = sorted({_stem(term) for term in terms}, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(stem) for stem in stems) + r")\w*", re.IGNORECASE)


def _mark(text: str, pattern: re.Pattern | None) -> str:
    if pattern is None:
        return html.escape(text)
    out, position = [], 0
    for match in pattern.finditer(text):
        out.append(html.escape(text[position : match.start()]))
        out.append(f"<mark>{html.escape(match.group(0))}</mark>")
        position = match.end()
    out.append(html.escape(text[position:]))
    return "".join(out)


def highlight(text: str, terms: list[str]) -> str:
    """All of ``text``, escaped, with the terms marked. Returns HTML."""
    return _mark(" ".join((text or "").split()), terms_pattern(terms))


def snippet(text: str, terms: list[str], *, width: int = 220) -> str:
    """About ``width`` characters of ``text`` around the first match, escaped, with the
    terms marked, and an ellipsis where text was cut. Returns HTML."""
    text = " ".join((text or "").split())
    pattern = terms_pattern(terms)
    match = pattern.search(text) if pattern else None
    start = 0
    if match and match.start() > width // 3:
        start = text.rfind(" ", 0, match.start() - width // 3) + 1
    end = start + width
    if end < len(text):
        end = max(text.rfind(" ", start, end), start + width // 2)
    piece = text[start:end]
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return prefix + _mark(piece, pattern) + suffix
