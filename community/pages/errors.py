import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader

# Seconds a visitor (or a proxy) is asked to wait after the database could not answer.
RETRY_AFTER_SECONDS = 30


def csrf_failure(request, reason=""):
    # Our own 403 page; the reason is for developers and is not shown.
    return render(request, "403.html", {"csrf_failed": True}, status=403)


def server_error(request):
    """Our 500 page, rendered without context processors: the database may be what
    failed, so nothing on it may need a query. When the database could not be reached
    or did not answer in time (connect or statement timeout), it is a 503: temporary,
    with a time to come back."""
    if isinstance(sys.exception(), OperationalError | InterfaceError):
        response = HttpResponse(loader.get_template("503.html").render({"request": request}), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponseServerError(loader.get_template("500.html").render({"request": request}))
