from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from community.access import get_article_for_editor, get_article_for_viewer
from community.accounts.roles import is_site_staff, staff_required
from community.core.errors import ActionRefused
from community.core.pagecache import visitor_page
from community.library import actions, queries
from community.library.forms import ArticleForm, SuggestionDecisionForm, SuggestionForm
from community.models import ResourceSuggestion, Treatment

# A treatment article's "Find care" link opens the directory with its treatment chosen.
ARTICLE_TREATMENTS = {
    "tms": [Treatment.TMS],
    "ect": [Treatment.ECT],
    "esketamine-and-ketamine": [Treatment.ESKETAMINE, Treatment.KETAMINE],
    "psychotherapy": [Treatment.PSYCHOTHERAPY],
    "peer-support": [Treatment.PEER_SUPPORT],
    "medication-strategies": [Treatment.PSYCHIATRY],
}


def care_links(article) -> list[tuple[str, str]]:
    """(label, address) of the directory searches that fit the article."""
    care = reverse("community:care-list")
    return [
        (f"Find care: {treatment.label}", f"{care}?{urlencode({'treatment': treatment.value})}")
        for treatment in ARTICLE_TREATMENTS.get(article.slug, [])
    ]


@visitor_page
def article_list(request):
    articles = list(queries.library_articles(request.user))
    context = {"sections": queries.reading_sections(articles), "is_staff": is_site_staff(request.user)}
    if context["is_staff"]:
        context["pending_count"] = queries.pending_suggestions().count()
    return render(request, "community/library/article_list.html", context)


@visitor_page
def article_detail(request, article_slug):
    article = get_article_for_viewer(request.user, article_slug)
    context = {"article": article, "is_staff": is_site_staff(request.user), "care_links": care_links(article)}
    context.update(queries.article_page(request.user, article))
    return render(request, "community/library/article_detail.html", context)


def _article_form_page(request, article):
    form = ArticleForm(request.POST or None, instance=article)
    previewing = "preview" in request.POST
    if request.method == "POST" and form.is_valid() and not previewing:
        article = actions.save_article(
            editor=request.user,
            article=article,
            fields=form.article_fields(),
            related=list(form.cleaned_data["related"]),
            sources=form.cleaned_data["sources"],
        )
        if article.is_published:
            messages.success(request, "The page is saved and published.")
        else:
            messages.success(request, "The draft is saved. Only staff can see it until you publish it.")
        return redirect(article)
    context = {"form": form, "article": article, "preview": request.POST.get("body", "") if previewing else None}
    status = 400 if request.method == "POST" and not previewing else 200
    return render(request, "community/library/article_form.html", context, status=status)


@login_required
@staff_required
def article_create(request):
    return _article_form_page(request, None)


@login_required
@staff_required
def article_edit(request, article_slug):
    article = get_article_for_editor(request.user, article_slug)
    return _article_form_page(request, article)


@login_required
def resource_suggest(request):
    form = SuggestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.suggest_resource(member=request.user, **form.cleaned_data)
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, "Thank you. Site staff will look at your suggestion; you can follow it below.")
            return redirect("community:resource-suggest")
    context = {"form": form, "suggestions": queries.suggestions_of(request.user)}
    return render(request, "community/library/resource_suggest.html", context, status=400 if form.errors else 200)


@login_required
@staff_required(two_factor=True)
def suggestion_list(request):
    pending = [
        (suggestion, SuggestionDecisionForm(auto_id=f"id_suggestion{suggestion.pk}_%s"))
        for suggestion in queries.pending_suggestions()
    ]
    context = {"pending": pending, "decided": queries.decided_suggestions()}
    return render(request, "community/library/suggestion_list.html", context)


@login_required
@require_POST
@staff_required(two_factor=True)
def suggestion_decide(request, suggestion_id):
    suggestion = get_object_or_404(ResourceSuggestion, pk=suggestion_id)
    form = SuggestionDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose accept or decline.")
        return redirect("community:suggestion-list")
    decide = actions.accept_suggestion if form.cleaned_data["decision"] == "accept" else actions.decline_suggestion
    try:
        decided = decide(staff=request.user, suggestion=suggestion, note=form.cleaned_data["note"])
    except ActionRefused as refused:
        messages.error(request, refused.message)
        return redirect("community:suggestion-list")
    if form.cleaned_data["decision"] == "accept":
        messages.success(request, "Accepted. A draft page is ready for you to write.")
        return redirect("community:article-edit", article_slug=decided.slug)
    messages.success(request, "The suggestion is declined.")
    return redirect("community:suggestion-list")
