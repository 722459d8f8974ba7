import logging
import time
import zoneinfo

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import BadRequest
from django.db import connections
from django.utils import timezone

from community.accounts.adapters import suspended_response
from community.core.dbwatchdog import DatabaseWatchdog
from groups.posts.views import screen_refused_submission

logger = logging.getLogger("community.request")


NUL = "\x00"


def _has_nul(query) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in query.lists())


class RejectNulMiddleware:
    """No text anyone means to send holds a NUL character, and PostgreSQL refuses to store
    or compare one, so an address or a form carrying one is a 400 before any query sees
    it. Query strings are left to the forms that read them (the search form says "Null
    characters are not allowed."; views reading a raw parameter check it). A cookie
    holding one is dropped rather than refused, so that it cannot lock a member out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path:
            raise BadRequest("NUL character in the address")
        request.COOKIES = {key: value for key, value in request.COOKIES.items() if NUL not in key + value}
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method == "POST" and _has_nul(request.POST):
            raise BadRequest("NUL character in the form")
        return


class DatabaseWatchdogMiddleware:
    """Watch this request's database connection for a server that stopped answering
    (community/core/dbwatchdog.py). Off unless DB_WATCHDOG_SECONDS is set (gunicorn.conf.py
    sets the statement timeout, and with it the watchdog, for the web processes)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.watchdog = None
        if settings.DB_WATCHDOG_SECONDS and settings.IS_POSTGRES:
            self.watchdog = DatabaseWatchdog(settings.DB_WATCHDOG_SECONDS)

    def __call__(self, request):
        if self.watchdog is None:
            return self.get_response(request)
        # The wrapper itself: ``django.db.connection`` is a proxy that would look up the
        # watchdog thread's own connection.
        self.watchdog.watch(connections["default"])
        try:
            return self.get_response(request)
        finally:
            self.watchdog.unwatch()


class TimezoneMiddleware:
    """Show every time in the member's own time zone (visitors get the site default)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.time_zone:
            timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
        else:
            timezone.deactivate()
        return self.get_response(request)


class SuspensionMiddleware:
    """A member suspended while signed in is signed out at their next request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.suspension_in_force():
            suspended = user
            # Crisis words come before the refusal: a post or reply sent from a suspended
            # account still reaches the group's moderators, and the member keeps the text.
            at_risk, kept_text = screen_refused_submission(request, suspended)
            logout(request)
            return suspended_response(request, suspended, at_risk=at_risk, kept_text=kept_text)
        return self.get_response(request)


class RequestLogMiddleware:
    """One line per request. It logs the route's name, never the path: paths can hold
    feed tokens, and query strings can hold search terms."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = match.view_name if match else "-"
        elapsed_ms = (time.perf_counter() - started) * 1000
        logger.info(
            "request method=%s route=%s status=%s ms=%.1f", request.method, route, response.status_code, elapsed_ms
        )
        return response
