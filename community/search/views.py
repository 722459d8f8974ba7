from functools import lru_cache

from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from community.core.pagecache import visitor_page
from community.search.forms import SearchForm
from community.search.queries import search_site
from community.search.textmatch import query_terms

FIELDS = ("q", "kind", "page")


@visitor_page
def search(request):
    asked = {name: request.GET[name] for name in FIELDS if name in request.GET} if request.GET else None
    form = SearchForm(asked)
    query = form.cleaned_data if form.is_valid() else {}
    text, kind, page = query.get("q", ""), query.get("kind", ""), query.get("page") or 1
    sections = search_site(user=request.user, text=text, kind=kind, page=page) if text else []
    context = {
        "form": form,
        # A refused value is rendered for its page alone. What is kept is bounded: 256
        # entries, each no longer than a request line (gunicorn takes 4 KB at most).
        "form_fields": _fields(tuple(asked.items()) if asked is not None else None) if not form.errors else None,
        "q": text,
        "kind": kind,
        "page_number": page,
        "has_words": bool(query_terms(text)),
        "sections": sections,
        "found": any(section.hits for section in sections),
    }
    return render(request, "community/search/search.html", context)


@lru_cache(maxsize=256)
def _fields(asked: tuple | None) -> str:
    """The form's fields for the words asked (``asked``: the sent values, None when none
    were sent), rendered once per process for each: they show nothing but those values."""
    form = SearchForm(dict(asked) if asked is not None else None)
    return mark_safe(render_to_string("_form_fields.html", {"form": form}))  # noqa: S308 - Django escaped it
