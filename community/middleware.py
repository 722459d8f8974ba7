import logging
import time
import zoneinfo

from django.utils import timezone

logger = logging.getLogger("community.request")


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
            from django.contrib.auth import logout

            from community.adapters import suspended_response

            suspended = user
            logout(request)
            return suspended_response(request, suspended)
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
