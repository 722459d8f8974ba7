from allauth.account.adapter import DefaultAccountAdapter
from django.shortcuts import render

from community.emails import queue_email


def suspended_response(request, user, *, at_risk: bool = False, kept_text: str = ""):
    """The page a suspended member sees instead of being logged in (with the crisis link,
    as every page has; the full crisis panel after crisis words, and what they had written)."""
    return render(
        request,
        "community/suspended.html",
        {"suspended_user": user, "show_crisis_support": at_risk, "kept_text": kept_text},
        status=403,
    )


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        """Render allauth's email here, send it from a task (never in the request)."""
        message = self.render_mail(template_prefix, email, context)
        html = next((body for body, mime in getattr(message, "alternatives", []) if mime == "text/html"), "")
        queue_email(to=list(message.to), subject=message.subject, body=message.body, html=html)

    def populate_username(self, request, user):
        # There is no username: members log in with their email address.
        return None

    def pre_login(self, request, user, **kwargs):
        if getattr(user, "suspension_in_force", None) and user.suspension_in_force():
            from allauth.account.internal.stagekit import clear_login

            clear_login(request)
            return suspended_response(request, user)
        return super().pre_login(request, user, **kwargs)
