from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from community.accounts.forms import ProfileForm
from groups.access import moderates_any_group


def should_nudge_2fa(user) -> bool:
    """Staff and moderators hold other members' reports and decisions: we ask them to
    turn on two-factor authentication (staff pages require it: roles.staff_required)."""
    return moderates_any_group(user) and not is_mfa_enabled(user)


@login_required
def profile_edit(request):
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your profile is saved.")
        return redirect("community:profile-edit")
    return render(
        request, "community/accounts/profile_edit.html", {"form": form, "nudge_2fa": should_nudge_2fa(request.user)}
    )
