"""One masked CSRF token for each response, whatever prints it.

Django masks the token afresh every time it is asked for (``get_token``), so that no two
responses carry the same string (BREACH). Within one response the same masked token may
be printed in every form: a page's reply form, its reaction buttons and the header's
sign-out button all send the same secret. Masking it once per response instead of once
per place that prints it saved a tenth of a millisecond on the busiest pages.
"""

from django.middleware.csrf import get_token
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html
from django.utils.safestring import SafeString

# Where CsrfViewMiddleware keeps the request's unmasked secret.
_CSRF_META = "CSRF_COOKIE"


def page_token(request) -> str:
    """The masked token this response carries. Masked again once the secret changes
    (signing in rotates it): a token for the old secret would be refused."""
    kept = getattr(request, "_page_csrf_token", None)
    if kept is not None and kept[0] == request.META.get(_CSRF_META):
        return kept[1]
    token = get_token(request)
    request._page_csrf_token = (request.META[_CSRF_META], token)
    return token


def page_csrf_input(request) -> SafeString:
    """The hidden field of ``page_token``, as Django's ``csrf_input`` writes it."""
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', page_token(request))


def csrf(request) -> dict:
    """A context processor in place of Django's built-in one (which a page's context
    processors override): ``{% csrf_token %}`` prints ``page_token``."""
    return {"csrf_token": SimpleLazyObject(lambda: page_token(request))}
