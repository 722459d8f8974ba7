from django.contrib.auth import get_user_model
from django.tasks import task

from community.notifications.actions import send_digest


@task()
def send_digest_to(*, user_id: int) -> int:
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    return send_digest(user) if user else 0
