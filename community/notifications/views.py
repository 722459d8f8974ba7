from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from community.models import Notification
from community.notifications.actions import notification_subject, notification_url, user_from_unsubscribe_token
from groups.access import visible_notifications_q

NOTIFICATIONS_SHOWN = 50


class NotificationSettingsForm(forms.ModelForm):
    class Meta:
        model = get_user_model()
        fields = ["email_frequency", "email_excerpts", "meeting_reminders"]
        widgets = {"email_frequency": forms.RadioSelect, "meeting_reminders": forms.RadioSelect}


LIST_FIELDS = (
    "kind",
    "read_at",
    "created_at",
    "check_in",
    "decision",
    "group",
    "post",
    "reply",
    "occurrence",
    "group__name",
    "group__slug",
    "post__title",
    "reply__post_id",
    "occurrence__meeting_id",
)


@login_required
def notification_list(request):
    items = []
    notifications = (
        Notification.objects.filter(visible_notifications_q(request.user), recipient=request.user)
        # What the list shows and links to (notification_url): four small joins, where
        # whole posts, replies and meetings took 5 ms for PostgreSQL to plan.
        .select_related("group", "post", "reply", "occurrence")
        .only(*LIST_FIELDS)
        .order_by("-created_at", "-id")[:NOTIFICATIONS_SHOWN]
    )
    for notification in notifications:
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
