from functools import lru_cache

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.template import engines
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from community.accounts.roles import is_site_staff
from community.core.prepared import PreparedValues
from community.models import Notification
from community.notifications.actions import subject_for, url_for, user_from_unsubscribe_token
from groups.access import visible_notifications_q

NOTIFICATIONS_SHOWN = 50


class NotificationSettingsForm(forms.ModelForm):
    class Meta:
        model = get_user_model()
        fields = ["email_frequency", "email_excerpts", "meeting_reminders"]
        widgets = {"email_frequency": forms.RadioSelect, "meeting_reminders": forms.RadioSelect}


# What the list shows and links to (url_for): the notification, and of its group, post,
# reply and date only what names and finds them.
LIST_FIELDS = (
    *("kind", "read_at", "created_at", "check_in_id", "decision_id", "post_id", "reply_id", "occurrence_id"),
    *("group__name", "group__slug", "post__title", "reply__post_id", "occurrence__meeting_id"),
)


def _listed_sql(staff: bool):
    def build(stand_in: int):
        viewer = get_user_model()(pk=stand_in, is_staff=staff, is_active=True)
        return (
            Notification.objects.filter(visible_notifications_q(viewer), recipient=stand_in)
            .order_by("-created_at", "-id")
            .values(*LIST_FIELDS)[:NOTIFICATIONS_SHOWN]
        )

    return build


# Compiled once per process and planned once per connection (community/core/prepared.py);
# the rule is still visible_notifications_q's, and a staff member's takes another shape.
_LISTED = {staff: PreparedValues(_listed_sql(staff), one_plan=True) for staff in (False, True)}


def _as_listed(row: dict) -> dict:
    """A row of the list from the query's values alone: a page of fifty built two hundred
    model instances, a quarter of its time, to read a dozen values."""
    return {
        "subject": subject_for(row["kind"], row["group__name"], about_reply=row["reply_id"] is not None),
        "title": row["post__title"] or "",
        "url": url_for(
            group_slug=row["group__slug"],
            check_in_id=row["check_in_id"],
            decision_id=row["decision_id"],
            occurrence_id=row["occurrence_id"],
            meeting_id=row["occurrence__meeting_id"],
            reply_id=row["reply_id"],
            reply_post_id=row["reply__post_id"],
            post_id=row["post_id"],
        ),
        "read_at": row["read_at"],
        "created_at": row["created_at"],
    }


@login_required
def notification_list(request):
    rows = _LISTED[is_site_staff(request.user)].fetchall(request.user.pk)
    zone, prefix = timezone.get_current_timezone_name(), get_script_prefix()
    items_html = "".join(_item_html(tuple(row[name] for name in LIST_FIELDS), zone, prefix) for row in rows)
    return render(
        request,
        "community/notifications/notification_list.html",
        {"items_html": mark_safe(items_html)},  # noqa: S308 - Jinja2 escaped each row
    )


@lru_cache(maxsize=1024)
def _item_html(values: tuple, zone: str, script_prefix: str) -> str:
    """A row's HTML, from the row's values, the viewer's time zone and the site's address
    prefix alone (those the request renders with): a member's list shows the same rows
    visit after visit, so each is rendered once per process. Another value (read,
    renamed) is another key."""
    row = dict(zip(LIST_FIELDS, values, strict=True))
    template = engines["jinja2"].get_template("community/notifications/_notification_item.html").template
    return template.render({"item": _as_listed(row)})


@login_required
@require_POST
def notification_read_all(request):
    Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
    messages.success(request, "All notifications are marked as read.")
    return redirect("community:notification-list")


@login_required
def notification_settings(request):
    form = NotificationSettingsForm(request.POST if request.method == "POST" else None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your email choices are saved.")
        return redirect("community:notification-settings")
    return render(request, "community/notifications/notification_settings.html", {"form": form})


# Mail clients send RFC 8058 one-click unsubscribes as a POST with no CSRF token; the
# signed token in the URL is what authorises the change, and it can only turn emails off.
@csrf_exempt
def unsubscribe(request, token):
    user = user_from_unsubscribe_token(token)
    if user is None:
        raise Http404("Unknown link.")
    if request.method == "POST":
        user.email_frequency = get_user_model().EmailFrequency.NONE
        user.save(update_fields=["email_frequency"])
        return render(request, "community/notifications/unsubscribe.html", {"done": True})
    return render(request, "community/notifications/unsubscribe.html", {"done": False})
