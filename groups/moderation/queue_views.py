"""The moderation queue: the list of open items, claiming one, deciding on one."""

from functools import lru_cache

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from community.accounts.roles import is_site_staff
from community.core.csrf import page_csrf_input
from community.core.errors import ActionRefused, attempt
from groups.access import can_moderate
from groups.models import QueueItem
from groups.moderation.forms import QueueDecisionForm, QueueFilterForm
from groups.moderation.queue import QueueIds, claim_item, decide_item, decision_choices, queue_groups
from groups.moderation.queue_rows import CSRF_SLOT
from groups.moderation.queue_rows import items_html as items_html_of

DECIDED_MESSAGES = {
    "checked_in": "Thank you for checking in. The item is closed and the log says so.",
    "escalate": "Passed to site staff; they have been alerted. The item stays in the queue until someone closes it.",
    "": "Done. The decision is in the log and the member has been told.",
}


@login_required
def queue(request):
    choices = queue_groups(request.user)
    # No group to moderate is moderates_any_group's no (it would ask the database again).
    if not choices and not is_site_staff(request.user):
        raise PermissionDenied
    shown = (request.GET.get("group", ""), request.GET.get("kind", ""))
    form = QueueFilterForm({"group": shown[0], "kind": shown[1]}, groups=choices)
    filters = form.cleaned_data if form.is_valid() else {}
    asked = request.GET.get("page")
    items = QueueIds(request.user, group_id=filters.get("group"), kind=filters.get("kind", ""), likely=_window(asked))
    page = Paginator(items, PER_PAGE).get_page(asked)
    csrf_field = page_csrf_input(request)
    items_html = [
        mark_safe(html.replace(CSRF_SLOT, csrf_field))  # noqa: S308 - Jinja2 escaped it
        for html in items_html_of(list(page.object_list))
    ]
    filter_fields = _filter_fields(choices, *_as_chosen(form, shown)) if request.GET else _filter_fields(choices)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "groups/moderation/moderation_queue.html",
        {
            "filter_fields": filter_fields,
            "page": page,
            "items_html": items_html,
            "query": query.urlencode(),
        },
    )


PER_PAGE = 25


def _window(asked: str | None) -> slice:
    """The items of the page the Paginator will show for ``asked``, if there are that many
    (any number it refuses gives a page it picks itself: read then on its own)."""
    number = int(asked) if asked and asked.isdecimal() and 0 < len(asked) < 7 and int(asked) > 0 else 1
    return slice((number - 1) * PER_PAGE, number * PER_PAGE)


# What stands for any value the filter refuses: each is shown alike (nothing selected,
# the same message), so one kept rendering serves them all.
_REFUSED = "-"


def _as_chosen(form, shown: tuple[str, str]) -> tuple[str, str]:
    """The filter's values as sent (``form`` checked them), each refused one as _REFUSED."""
    group, kind = shown
    return (_REFUSED if "group" in form.errors else group, _REFUSED if "kind" in form.errors else kind)


@lru_cache(maxsize=64)
def _filter_fields(choices: tuple, group: str | None = None, kind: str | None = None) -> str:
    """The filter's fields, rendered once per process for each list of groups and each
    choice (the group list's options were a fifth of the page's time). The form is built
    from the arguments alone; without them, unbound."""
    data = None if group is None else {"group": group, "kind": kind}
    return render_to_string("_form_fields.html", {"form": QueueFilterForm(data, groups=choices)})


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
