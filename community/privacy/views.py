"""A member's own data: export it, block others, delete the account."""

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from community.core.errors import ActionRefused
from community.models import Block, DataExport
from community.privacy import actions
from community.privacy.forms import BlockForm, DeleteAccountForm


def _settings_context(request, block_form=None):
    now = timezone.now()
    return {
        "exports": DataExport.objects.filter(user=request.user, expires_at__gt=now).defer("archive"),
        "blocks": Block.objects.filter(blocker=request.user).select_related("blocked"),
        "block_form": block_form or BlockForm(blocker=request.user),
    }


@login_required
def privacy_settings(request):
    return render(request, "community/privacy/privacy_settings.html", _settings_context(request))


@login_required
@require_POST
def export_request(request):
    try:
        actions.request_data_export(user=request.user)
    except ActionRefused as refused:
        messages.info(request, refused.message)
    else:
        messages.success(
            request, "We are preparing your export. It is usually ready within a minute; we will email you."
        )
    return redirect("community:privacy-settings")


@login_required
def export_download(request, token):
    # Only the member's own, finished, unexpired export; anything else is a 404.
    export = DataExport.objects.filter(
        user=request.user, token=token, status=DataExport.Status.READY, expires_at__gt=timezone.now()
    ).first()
    if export is None:
        raise Http404("No such export.")
    response = HttpResponse(bytes(export.archive), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="my-data-{export.created_at:%Y-%m-%d}.zip"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def block_create(request):
    form = BlockForm(request.POST, blocker=request.user)
    if not form.is_valid():
        return render(request, "community/privacy/privacy_settings.html", _settings_context(request, form), status=400)
    actions.block_member(blocker=request.user, blocked=form.cleaned_data["member"])
    messages.success(request, "Blocked. Their posts are folded away for you, and they cannot mention you.")
    return redirect("community:privacy-settings")


@login_required
@require_POST
def block_remove(request, user_id):
    actions.unblock_member(blocker=request.user, blocked_id=user_id)
    messages.success(request, "Unblocked.")
    return redirect("community:privacy-settings")


@login_required
@reauthentication_required
def account_delete(request):
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        actions.delete_account(user=request.user, mode=form.cleaned_data["mode"])
        logout(request)
        messages.success(request, "Your account is deleted. Thank you for having been part of this community.")
        return redirect("community:home")
    return render(
        request,
        "community/privacy/account_delete.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )
