from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_POST

from community.accounts.roles import staff_required
from community.core import pagecache
from community.core.errors import ActionRefused
from community.core.pagecache import visitor_page
from groups.access import can_moderate, can_read, get_group_for_viewer, membership_of
from groups.forms import DecisionForm, DirectoryFilterForm, ProposalForm
from groups.membership import actions as membership_actions
from groups.models import GroupProposal
from groups.posts import queries

GROUPS_PER_PAGE = 20


@visitor_page
def group_list(request):
    form = SimpleLazyObject(lambda: DirectoryFilterForm(request.GET or None))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        # Like the form, built and read only if the cards are not kept (the template's
        # {% cache %}): building the query alone was a third of a member's page.
        "page": SimpleLazyObject(lambda: _directory_page(form, request.GET.get("page"))),
        "query": query.urlencode(),
        # The cards are the same for every member in a time zone: kept until a write to
        # what they show (community/core/pagecache.py). Visitors get the whole page kept.
        "public_generation": pagecache.current_generation(pagecache.PUBLIC) if request.user.is_authenticated else None,
        "kept_seconds": pagecache.VISITOR_PAGE_SECONDS,
    }
    return render(request, "groups/directory/group_list.html", context)


def _directory_page(form, number):
    filters = form.cleaned_data if form.is_valid() else {}
    groups = queries.directory_groups(
        q=filters.get("q", ""),
        topic=filters.get("topic"),
        format=filters.get("format", ""),
        place=filters.get("place", ""),
    )
    return Paginator(groups, GROUPS_PER_PAGE).get_page(number)


@visitor_page
def group_detail(request, group_slug):
    group = get_group_for_viewer(request.user, group_slug)
    readable = can_read(request.user, group)
    context = {
        "group": group,
        "membership": membership_of(request.user, group),
        "can_read": readable,
        "next_dates": queries.upcoming_occurrences(group_ids=[group.pk], after=timezone.now(), limit=3)
        if readable
        else [],
        "can_moderate": can_moderate(request.user, group),
        "topics": group.topics.all(),
    }
    return render(request, "groups/directory/group_detail.html", context)


@login_required
def my_groups(request):
    return render(request, "groups/directory/my_groups.html", {"memberships": queries.my_memberships(request.user)})


@login_required
def group_propose(request):
    form = ProposalForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        membership_actions.propose_group(proposer=request.user, **form.cleaned_data)
        messages.success(request, "Thank you. Site staff will read your proposal and reply by notification.")
        return redirect("groups:group-list")
    return render(request, "groups/directory/group_propose.html", {"form": form})


@login_required
@staff_required(two_factor=True)
def proposal_list(request):
    proposals = [
        (proposal, DecisionForm(auto_id=f"id_proposal{proposal.pk}_%s"))
        for proposal in GroupProposal.objects.filter(status=GroupProposal.Status.PENDING).select_related("proposer")
    ]
    return render(request, "groups/directory/proposal_list.html", {"proposals": proposals})


@login_required
@require_POST
@staff_required(two_factor=True)
def proposal_decide(request, proposal_id):
    proposal = get_object_or_404(GroupProposal, pk=proposal_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose approve or decline.")
        return redirect("groups:proposal-list")
    try:
        proposal = membership_actions.decide_group_proposal(
            staff=request.user,
            proposal=proposal,
            approve=form.cleaned_data["decision"] == "approve",
            message=form.cleaned_data["message"],
        )
    except ActionRefused as refused:
        messages.error(request, refused.message)
        return redirect("groups:proposal-list")
    if proposal.group:
        messages.success(request, f"{proposal.group.name} is created; {proposal.proposer} is its owner.")
    else:
        messages.success(request, "The proposal is declined.")
    return redirect("groups:proposal-list")
