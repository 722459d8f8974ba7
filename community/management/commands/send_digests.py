from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from community.models import Notification
from community.notifications.tasks import send_digest_to


class Command(BaseCommand):
    help = "Queue today's digest email for every member who chose a daily digest. Run once a day."

    def handle(self, *args, **options):
        User = get_user_model()
        waiting = (
            Notification.objects.filter(
                emailed_at__isnull=True,
                read_at__isnull=True,
                recipient__email_frequency=User.EmailFrequency.DAILY,
                recipient__is_active=True,
            )
            .values_list("recipient_id", flat=True)
            .distinct()
        )
        count = 0
        for user_id in waiting:
            send_digest_to.enqueue(user_id=user_id)
            count += 1
        self.stdout.write(f"digests queued={count}")
