from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def csrf_failure(request, reason=""):
    # Our own 403 page; the reason is for developers and is not shown.
    return render(request, "403.html", {"csrf_failed": True}, status=403)


def server_error(request):
    """Our 500 page, rendered without context processors: the database may be what
    failed, so nothing on it may need a query."""
    return HttpResponseServerError(loader.get_template("500.html").render({"request": request}))
