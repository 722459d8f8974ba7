from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from community.accounts.roles import is_site_staff
from community.core.prepared import PreparedValues, instance
from community.models import Notification
from community.notifications.actions import notification_subject, notification_url, user_from_unsubscribe_token
from groups.access import visible_notifications_q

NOTIFICATIONS_SHOWN = 50


class NotificationSettingsForm(forms.ModelForm):
    class Meta:
        model = get_user_model()
        fields = ["email_frequency", "email_excerpts", "meeting_reminders"]
        widgets = {"email_frequency": forms.RadioSelect, "meeting_reminders": forms.RadioSelect}


# What the list shows and links to (notification_url): the notification, and of its group,
# post, reply and date only what names and finds them.
LIST_FIELDS = (
    *("id", "kind", "read_at", "created_at", "check_in_id", "decision_id"),
    *("group_id", "post_id", "reply_id", "occurrence_id"),
    *("group__id", "group__name", "group__slug", "post__id", "post__title"),
    *("reply__id", "reply__post_id", "occurrence__id", "occurrence__meeting_id"),
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


def _as_listed(row: dict) -> Notification:
    notification = instance(Notification, row)
    for relation in ("group", "post", "reply", "occurrence"):
        if row[f"{relation}_id"] is not None:
            setattr(
                notification,
                relation,
                instance(Notification._meta.get_field(relation).related_model, row, f"{relation}__"),
            )
    return notification


@login_required
def notification_list(request):
    items = []
    for row in _LISTED[is_site_staff(request.user)].fetchall(request.user.pk):
        notification = _as_listed(row)
        items.append(
            {
                "notification": notification,
                "subject": notification_subject(notification),
                "title": notification.post.title if notification.post_id else "",
                "url": notification_url(notification),
            }
        )
    return render(request, "community/notifications/notification_list.html", {"items": items})


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
