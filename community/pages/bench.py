from django.http import HttpResponse


def floor(request):
    """The cheapest page the stack can serve, through the same middleware as every page:
    the load benchmark's floor. Routed only when settings.BENCHMARK is on."""
    return HttpResponse("ok\n", content_type="text/plain")


def signed_in_floor(request):
    """The floor for a signed-in member: the same, after loading their session and user
    (what every member page pays before it reads anything of its own)."""
    return HttpResponse(f"ok {request.user.pk}\n", content_type="text/plain")
