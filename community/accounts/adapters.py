from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.stagekit import clear_login
from allauth.core import context as allauth_context
from django.conf import settings
from django.shortcuts import render

from community.mail.outbox import queue_email

# Set in the session at a member's very first login, so the home page greets them as new.
FIRST_VISIT_KEY = "first_visit"


def suspended_response(request, user, *, at_risk: bool = False, kept_text: str = ""):
    """The page a suspended member sees instead of being logged in (with the crisis link,
    as every page has; the full crisis panel after crisis words, and what they had written)."""
    return render(
        request,
        "community/accounts/suspended.html",
        {"suspended_user": user, "show_crisis_support": at_risk, "kept_text": kept_text},
        status=403,
    )


@dataclass(frozen=True)
class EmailSite:
    """What allauth's email templates read as ``current_site``: the name from SITE_NAME
    and the domain from SITE_URL (django.contrib.sites is not installed, and the Host
    header is no source for what an email says)."""

    name: str
    domain: str

    @classmethod
    def from_settings(cls) -> "EmailSite":
        return cls(name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc)


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        """Render allauth's email here, send it from a task (never in the request).

        The context is the one allauth's own send_mail builds (the request, the address
        and the site, which its templates need), with our site in place of Django's.
        """
        site = EmailSite.from_settings()
        context = {"request": allauth_context.request, "email": email, "current_site": site, **context}
        message = self.render_mail(template_prefix, email, context)
        html = next((body for body, mime in getattr(message, "alternatives", []) if mime == "text/html"), "")
        queue_email(to=list(message.to), subject=message.subject, body=message.body, html=html)

    def populate_username(self, request, user):
        # There is no username: members log in with their email address.
        return None

    def login(self, request, user):
        first_login = user.last_login is None
        super().login(request, user)  # Django's login sets last_login
        if first_login:
            request.session[FIRST_VISIT_KEY] = True

    def pre_login(self, request, user, **kwargs):
        if getattr(user, "suspension_in_force", None) and user.suspension_in_force():
            clear_login(request)
            return suspended_response(request, user)
        return super().pre_login(request, user, **kwargs)
