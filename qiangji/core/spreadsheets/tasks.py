"""Background analysis and commit of large files (more than settings.IMPORT_BACKGROUND_ROWS rows).

Enqueued after the transaction that queued them commits; each re-reads the batch and does
nothing unless the batch is still waiting for it (it may have been discarded meanwhile).
"""

from django_tasks import task

from qiangji.core.models import ImportBatch
from qiangji.core.spreadsheets import services


@task()
def analyse_import_batch(batch_id: int) -> str:
    batch = ImportBatch.objects.select_related("user").filter(pk=batch_id, status=ImportBatch.Status.PENDING).first()
    if batch is None:
        return "skipped"
    return services.import_batch_analyse(batch=batch).status


@task()
def commit_import_batch(batch_id: int) -> str:
    batch = ImportBatch.objects.select_related("user").filter(pk=batch_id, status=ImportBatch.Status.COMMITTING).first()
    if batch is None:
        return "skipped"
    return services.import_batch_run_commit(batch=batch).status
