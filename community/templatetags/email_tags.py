"""The one footer every email carries (ours and allauth's)."""

from django import template
from django.conf import settings
from django.urls import reverse

register = template.Library()


@register.inclusion_tag("emails/_footer.txt")
def email_footer() -> dict:
    """``{% email_footer %}``: the site's name, the crisis line and "not a crisis service".

    It reads the site name and address from settings rather than from the caller's context,
    so that no email can go out with a blank name or without the crisis line because its
    sender forgot to pass something.
    """
    return {"SITE_NAME": settings.SITE_NAME, "crisis_url": settings.SITE_URL + reverse("community:crisis")}
