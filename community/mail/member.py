"""An email to one member: what every such email has in common, written once.

The subject starts with the site's name, the body is a template given the member as
``user`` (the footer tag adds the site's name and the crisis line itself), and an email
that can be stopped carries the unsubscribe link in its headers as well as its text.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from community.mail.outbox import queue_email


def site_url(path: str) -> str:
    """An address on the site, whole, for an email (which has no page to be relative to)."""
    return settings.SITE_URL + path


def email_member(*, user, subject: str, template: str, context: dict, unsubscribe_url: str = "", **queue) -> None:
    """Queue ``template`` for ``user``, inside the caller's transaction. With an
    ``unsubscribe_url`` the email offers a one-click stop (RFC 8058) and the template gets
    it, with ``settings_url`` (the notification settings) unless the caller gave its own.
    ``queue`` goes to ``queue_email`` (``notification_id``, ``priority``, ``key``)."""
    context = {"user": user, **context}
    headers = {}
    if unsubscribe_url:
        context = {"settings_url": site_url(reverse("community:notification-settings")), **context}
        context["unsubscribe_url"] = unsubscribe_url
        headers = {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    queue_email(
        to=[user.email],
        recipient=user,
        subject=f"[{settings.SITE_NAME}] {subject}",
        body=render_to_string(template, context),
        headers=headers or None,
        **queue,
    )
