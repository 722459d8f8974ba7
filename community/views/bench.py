from django.http import HttpResponse


def floor(request):
    """The cheapest page the stack can serve, through the same middleware as every page:
    the load benchmark's floor. Routed only when settings.BENCHMARK is on."""
    return HttpResponse("ok\n", content_type="text/plain")
