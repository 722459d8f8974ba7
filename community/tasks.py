import logging

from django.contrib.auth import get_user_model
from django.tasks import task

logger = logging.getLogger(__name__)


@task()
def send_digest_to(*, user_id: int) -> int:
    from community.notifications import send_digest

    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    return send_digest(user) if user else 0


@task()
def build_data_export(*, export_id: int) -> int:
    """Build and store one member's export. Safe to run twice: a finished export is left
    as it is (complete_data_export checks under a row lock)."""
    from community.actions.privacy import complete_data_export
    from community.exports import build_export_zip
    from community.models import DataExport

    export = DataExport.objects.select_related("user").filter(pk=export_id).first()
    if export is None or export.status != DataExport.Status.PENDING:
        return 0
    archive = build_export_zip(export.user)
    complete_data_export(export_id=export_id, archive=archive)
    logger.info("data export built bytes=%d", len(archive))
    return len(archive)
