from django.shortcuts import render

from community.core.pagecache import visitor_page
from community.search.forms import SearchForm
from community.search.queries import search_site
from community.search.textmatch import query_terms


@visitor_page
def search(request):
    form = SearchForm(request.GET or None)
    query = form.cleaned_data if form.is_valid() else {}
    text, kind, page = query.get("q", ""), query.get("kind", ""), query.get("page") or 1
    sections = search_site(user=request.user, text=text, kind=kind, page=page) if text else []
    context = {
        "form": form,
        "q": text,
        "kind": kind,
        "page_number": page,
        "has_words": bool(query_terms(text)),
        "sections": sections,
        "found": any(section.hits for section in sections),
    }
    return render(request, "community/search/search.html", context)
