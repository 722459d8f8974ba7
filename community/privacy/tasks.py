import logging

from django.tasks import task

logger = logging.getLogger(__name__)


@task()
def build_data_export(*, export_id: int) -> int:
    """Build and store one member's export. Safe to run twice: a finished export is left
    as it is (complete_data_export checks under a row lock)."""
    from community.models import DataExport
    from community.privacy.actions import complete_data_export
    from community.privacy.exports import build_export_zip

    export = DataExport.objects.select_related("user").filter(pk=export_id).first()
    if export is None or export.status != DataExport.Status.PENDING:
        return 0
    archive = build_export_zip(export.user)
    complete_data_export(export_id=export_id, archive=archive)
    logger.info("data export built bytes=%d", len(archive))
    return len(archive)
