from allauth.account.adapter import DefaultAccountAdapter

from community.emails import queue_email


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        """Render allauth's email here, send it from a task (never in the request)."""
        message = self.render_mail(template_prefix, email, context)
        html = next((body for body, mime in getattr(message, "alternatives", []) if mime == "text/html"), "")
        queue_email(to=list(message.to), subject=message.subject, body=message.body, html=html)

    def populate_username(self, request, user):
        # There is no username: members log in with their email address.
        return None
