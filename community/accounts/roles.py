"""Site roles: who is site staff, and the one decorator every staff-only page carries.

Staff is a role on the whole site (the accounts' ``is_staff``), not inside a group, so it
lives here, below everything that asks about it: group rules (groups/access/) treat staff
as able to read and moderate every group.
"""

from functools import wraps

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect


def is_site_staff(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def require_staff(user) -> None:
    """For checks inside a fetch helper: a member is told no (403)."""
    if not is_site_staff(user):
        raise PermissionDenied


def needs_two_factor(user) -> bool:
    """Whether ``user`` (staff) must turn on two-factor authentication before a page that
    asks for it: STAFF_PAGES_REQUIRE_2FA is on and allauth knows no authenticator of theirs."""
    if not settings.STAFF_PAGES_REQUIRE_2FA:
        return False
    return not is_mfa_enabled(user)


def _turn_on_two_factor(request):
    messages.warning(request, "Staff pages need two-factor authentication. Please turn it on to continue.")
    return redirect("mfa_index")


def staff_required(view=None, *, two_factor: bool = False):
    """The staff-only page: visitors are sent to log in, members get a 403.

    With ``two_factor=True`` (pages where a stolen password would do the most harm: every
    member's reports and suspensions, the whole moderation log, the care directory's
    import and export), staff without two-factor authentication are sent to turn it on
    first. Place it under ``@login_required`` and ``@require_POST``, so that those answer
    first as on every other page. ``tests/community/accounts/test_staff_pages.py`` walks the URL configuration
    and fails for a staff-only page without it.
    """
    if view is None:
        return lambda view: staff_required(view, two_factor=two_factor)

    @wraps(view)
    def staff_view(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        require_staff(request.user)
        if two_factor and needs_two_factor(request.user):
            return _turn_on_two_factor(request)
        return view(request, *args, **kwargs)

    # Read by the URL walk in tests; the outer decorators (functools.wraps) copy them.
    staff_view.staff_only = True
    staff_view.staff_two_factor = two_factor
    return staff_view


def two_factor_for_staff(view):
    """The admin site's views (wrapped by ``admin_view``, which has already sent anyone who
    is not staff to the admin log-in): staff without two-factor are sent to turn it on."""

    @wraps(view)
    def admin_page(request, *args, **kwargs):
        if is_site_staff(request.user) and needs_two_factor(request.user):
            return _turn_on_two_factor(request)
        return view(request, *args, **kwargs)

    admin_page.staff_two_factor = True
    return admin_page
