"""The moderation queue: the list of open items, claiming one, deciding on one."""

from functools import lru_cache

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from community.accounts.roles import is_site_staff
from community.core.errors import ActionRefused, attempt
from groups.access import can_moderate, moderated_groups, moderates_any_group
from groups.models import Group, QueueItem
from groups.moderation.forms import QueueDecisionForm, QueueFilterForm
from groups.moderation.queue import claim_item, decide_item, decision_choices, queue_for
from groups.posts.queries import page_by_ids

DECIDED_MESSAGES = {
    "checked_in": "Thank you for checking in. The item is closed and the log says so.",
    "escalate": "Passed to site staff; they have been alerted. The item stays in the queue until someone closes it.",
    "": "Done. The decision is in the log and the member has been told.",
}


@login_required
def queue(request):
    if not moderates_any_group(request.user):
        raise PermissionDenied
    groups = Group.objects.all() if is_site_staff(request.user) else moderated_groups(request.user)
    form = QueueFilterForm(request.GET or None, groups=groups)
    filters = form.cleaned_data if form.is_valid() else {}
    group = filters.get("group")
    items = queue_for(request.user, group_id=group.pk if group else None, kind=filters.get("kind", ""))
    page = page_by_ids(items, per_page=25, number=request.GET.get("page"))
    rows = [
        (item, mark_safe(_decision_fields(tuple(decision_choices(item))).replace("{item}", str(item.pk))))  # noqa: S308
        for item in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "groups/moderation/moderation_queue.html",
        {"form": form, "page": page, "rows": rows, "query": query.urlencode()},
    )


@lru_cache(maxsize=32)
def _decision_fields(choices: tuple) -> str:
    """The empty decision form for items with these choices, with ``{item}`` where each
    item's id goes. Items of a kind share it: it is rendered once per process (25
    radio-button forms rendered one by one took 70 ms a page, one per kind 4 ms)."""
    return render_to_string(
        "_form_fields.html", {"form": QueueDecisionForm(choices=choices, auto_id="id_item{item}_%s")}
    )


def _item_for_moderator(user, item_id: int) -> QueueItem:
    """The item, for a moderator of its group; a 404 for anyone else."""
    item = get_object_or_404(QueueItem, pk=item_id)
    if not can_moderate(user, item.group):
        raise Http404("No such item.")
    return item


@login_required
@require_POST
def item_claim(request, item_id):
    item = _item_for_moderator(request.user, item_id)
    attempt(
        request,
        lambda: claim_item(moderator=request.user, item=item),
        done="You are handling this item; other moderators can see that.",
    )
    return redirect(f"{reverse('moderation:queue')}#item-{item_id}")


@login_required
@require_POST
def item_decide(request, item_id):
    item = _item_for_moderator(request.user, item_id)
    form = QueueDecisionForm(request.POST, choices=decision_choices(item))
    if not form.is_valid():
        messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
        return redirect(f"{reverse('moderation:queue')}#item-{item_id}")
    data = form.cleaned_data
    try:
        decide_item(
            moderator=request.user,
            item=item,
            decision=data["decision"],
            reason=data.get("reason", ""),
            note=data["note"],
        )
    except ActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, DECIDED_MESSAGES.get(data["decision"], DECIDED_MESSAGES[""]))
    return redirect("moderation:queue")
