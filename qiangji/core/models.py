"""Shared machinery records: the audit log, change history and spreadsheet import batches.

No domain models live here; these rows describe what happened to the domain models.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.utils import timezone

from qiangji.core.access import TOWN_ADMIN, get_scope
from qiangji.core.crypto import EncryptedTextField


class AppendOnlyQuerySet(models.QuerySet):
    """Rows are added, never changed or removed through the ORM (RULES.md: audit records).

    On PostgreSQL a trigger refuses UPDATE and DELETE from any SQL as well (migration
    core/0006); the one way around both is `append_only_maintenance` (docs/security.md).
    """

    def update(self, **kwargs):
        raise PermissionError(f"{self.model.append_only_label}不可修改")

    def bulk_update(self, objs, fields, batch_size=None):
        raise PermissionError(f"{self.model.append_only_label}不可修改")

    def delete(self):
        raise PermissionError(f"{self.model.append_only_label}不可删除")

    def _raw_delete(self, using):
        raise PermissionError(f"{self.model.append_only_label}不可删除")


class AppendOnlyModel(models.Model):
    """A row that, once written, is neither saved again nor deleted (see AppendOnlyQuerySet)."""

    class Meta:
        abstract = True

    append_only_label = "记录"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionError(f"{self.append_only_label}不可修改")
        # Never Django's UPDATE-or-INSERT: a new object carrying an existing key fails on the
        # primary key instead of overwriting that row.
        kwargs["force_insert"] = True
        kwargs.pop("force_update", None)
        kwargs.pop("update_fields", None)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(f"{self.append_only_label}不可删除")


# The tables the trigger guards, and the session setting that lets one maintenance transaction
# (the demo's reset, a retention purge by an operator) through it.
APPEND_ONLY_TABLES = ("core_auditevent", "core_changerecord")
MAINTENANCE_SETTING = "qiangji.append_only_maintenance"


@contextmanager
def append_only_maintenance() -> Iterator[None]:
    """Inside an atomic block: raw SQL may update or delete audit and history rows on PostgreSQL.

    For the demo town's reset and an operator's retention purge only; the ORM still refuses.
    SET LOCAL ends with the transaction, so nothing outlives the block's commit or rollback.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("append_only_maintenance() must run inside transaction.atomic()")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'on', true)", [MAINTENANCE_SETTING])
    try:
        yield
    finally:
        if connection.vendor == "postgresql" and not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, 'off', true)", [MAINTENANCE_SETTING])


class AuditEvent(AppendOnlyModel):
    """One read of unmasked personal data, one export, or one security event; never edited.

    RULES.md: audit records cannot be edited from the application (AppendOnlyModel), nor by SQL on
    PostgreSQL (a trigger). Kept at least 6 months (等保三级; docs/security.md "Audit retention").
    """

    class Action(models.TextChoices):
        REVEAL = "reveal", "查看完整个人信息"
        EXPORT = "export", "导出"
        IMPORT = "import", "导入"
        LOGIN = "login", "登录"
        LOGIN_FAILED = "login_failed", "登录失败"
        LOCKED = "locked", "账号锁定"
        TOKEN = "token", "令牌管理"
        ACCOUNT = "account", "账号管理"
        # A registration gave an ID number that belongs to someone the user may not see.
        ID_PROBE = "id_probe", "身份证号查重命中范围外人员"
        TASK_RETRY = "task_retry", "重试后台任务"

    append_only_label = "审计记录"

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.PROTECT)
    username = models.CharField("账号", max_length=150, blank=True)
    action = models.CharField("动作", max_length=20, choices=Action.choices)
    object_type = models.CharField("对象类型", max_length=60, blank=True)
    object_id = models.CharField("对象编号", max_length=40, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    fields = models.JSONField("涉及字段", default=list, blank=True)
    row_count = models.PositiveIntegerField("行数", default=0)
    detail = models.JSONField("详情", default=dict, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "审计日志"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {self.username} {self.get_action_display()} {self.object_repr}"


class ChangeRecord(AppendOnlyModel):
    """Who changed which member or organization, when, how and what before/after.

    Written by the services themselves (bulk paths included), never by signals, so an import
    that writes ten thousand rows leaves ten thousand records too. Sensitive values are stored
    masked: the history must not become a second, unencrypted copy of personal data.
    """

    class Action(models.TextChoices):
        CREATE = "create", "新增"
        UPDATE = "update", "修改"
        TRANSFER = "transfer", "组织关系转接"
        DELETE = "delete", "删除"

    class Source(models.TextChoices):
        WEB = "web", "页面"
        API = "api", "接口"
        IMPORT = "import", "表格导入"
        COMMAND = "command", "命令"
        SYSTEM = "system", "系统"

    append_only_label = "变更记录"

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.SET_NULL)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    object_repr = models.CharField("对象", max_length=200)
    action = models.CharField("动作", max_length=20, choices=Action.choices)
    source = models.CharField("来源", max_length=20, choices=Source.choices, default=Source.WEB)
    changes = models.JSONField("变更内容", default=dict)
    reason = models.CharField("原因", max_length=500, blank=True)
    batch = models.ForeignKey("ImportBatch", null=True, blank=True, on_delete=models.SET_NULL)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "变更记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.object_repr} {self.get_action_display()}"


class ImportBatchQuerySet(models.QuerySet):
    def for_user(self, user, action: str = "view") -> "ImportBatchQuerySet":
        """A batch is its uploader's; town admins may look at every batch but act on their own."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if action == "view" and get_scope(user).has_role(TOWN_ADMIN):
            return self.all()
        return self.filter(user=user)


class ImportBatch(models.Model):
    """One uploaded spreadsheet and what the engine made of it: preview, commit, provenance.

    The file itself holds personal data, so it is kept encrypted on disk (`stored_name`) until
    the batch is committed or discarded.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        MAPPING = "mapping", "待对应列"
        ANALYSING = "analysing", "分析中"
        PREVIEW = "preview", "待确认"
        COMMITTING = "committing", "导入中"
        DONE = "done", "已导入"
        FAILED = "failed", "失败"
        DISCARDED = "discarded", "已放弃"

    kind = models.CharField("导入类型", max_length=40)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    file_name = models.CharField("文件名", max_length=255)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    stored_name = models.CharField(max_length=255, blank=True)
    sheet = models.CharField("工作表", max_length=100, blank=True)
    header_row = models.PositiveIntegerField("表头行", null=True, blank=True)
    # The header labels as the file has them (two-row headers already combined), by column.
    headers = models.JSONField("表头", default=list, blank=True)
    column_map = models.JSONField("列对应", default=dict, blank=True)
    # The importer's `upload_options` ticked and `upload_choices` made on upload ({"list":
    # "partial"}), and a confirmed number ({"confirmed": 469}) on commit: the analysis and the
    # commit, however late or often retried, read the file the way the uploader said.
    options = models.JSONField("导入选项", default=dict, blank=True)
    # {pk: version} of the stored records the preview compared rows with (importers that guard
    # versions): the commit skips a row whose record was changed after the uploader saw it.
    read_versions = models.JSONField("预览时的版本", default=dict, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField("总行数", default=0)
    processed_rows = models.PositiveIntegerField("已处理", default=0)
    # Last sign of life of whatever works on the batch (queued, analysing, committing): a batch
    # with none for a while gets "重新处理" instead of waiting for one exact job forever.
    heartbeat_at = models.DateTimeField("最近进展", null=True, blank=True)
    counts = models.JSONField("统计", default=dict, blank=True)
    message = models.TextField("说明", blank=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    committed_at = models.DateTimeField("导入时间", null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "导入批次"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.get_status_display()}）"

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(self.processed_rows * 100 / self.total_rows))


class ImportRow(models.Model):
    """One data row of a batch: its outcome, reasons, and the object it produced (provenance).

    Values are kept masked (`summary`) for the preview; the real values are re-read from the
    encrypted file at commit time so that nothing sensitive sits here in clear. Only an invalid
    row keeps its original cells (`raw`, encrypted) for the error file.
    """

    class Outcome(models.TextChoices):
        NEW = "new", "新增"
        CHANGED = "changed", "变更"
        UNCHANGED = "unchanged", "无变化"
        INVALID = "invalid", "有误"

    batch = models.ForeignKey(ImportBatch, related_name="rows", on_delete=models.CASCADE)
    row_number = models.PositiveIntegerField("行号")
    outcome = models.CharField("结果", max_length=20, choices=Outcome.choices)
    messages = models.JSONField("原因", default=list, blank=True)
    summary = models.JSONField("内容摘要", default=dict, blank=True)
    changed_fields = models.JSONField("变更字段", default=list, blank=True)
    # The original cells of an invalid row, encrypted, so the error file can be given back after
    # the uploaded file itself is gone; cleared when the batch is discarded.
    raw = EncryptedTextField("原始内容", blank=True, default="")
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "导入行"
        ordering = ["batch", "row_number"]
        indexes = [
            models.Index(fields=["batch", "outcome"]),
            models.Index(fields=["content_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"第{self.row_number}行 {self.get_outcome_display()}"


class SchedulerRun(models.Model):
    """One run of one periodic job by the scheduler: which job, for which due time, how it ended.

    A job runs at most once per due time (the unique constraint is what makes a second scheduler,
    or a restart in the middle of a run, harmless); the newest rows feed the 系统状态 page and
    /healthz, and a job whose last due time has no row is caught up at the next tick.
    """

    class Outcome(models.TextChoices):
        RUNNING = "running", "运行中"
        SUCCEEDED = "succeeded", "成功"
        FAILED = "failed", "失败"

    job = models.CharField("任务", max_length=64)
    due_at = models.DateTimeField("计划时间")
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    outcome = models.CharField("结果", max_length=16, choices=Outcome.choices, default=Outcome.RUNNING)
    detail = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "定时任务运行记录"
        ordering = ["-started_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["job", "due_at"], name="scheduler_run_once_per_due")]
        indexes = [models.Index(fields=["job", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.job} {timezone.localtime(self.due_at):%Y-%m-%d %H:%M}（{self.get_outcome_display()}）"


class Heartbeat(models.Model):
    """The last sign of life of a long-running process ("scheduler", "worker"), one row each.

    The scheduler beats on every tick; the worker beats by running a small task the scheduler
    enqueues, so a stalled queue shows as a stale worker heartbeat.
    """

    name = models.CharField("进程", max_length=32, unique=True)
    beat_at = models.DateTimeField("最近心跳")
    detail = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "进程心跳"

    def __str__(self) -> str:
        return f"{self.name} {timezone.localtime(self.beat_at):%Y-%m-%d %H:%M:%S}"


class PublicLookup(models.Model):
    """One look-up on a public status page (a receipt number entered), counted for the public
    pages' hourly rate rule so that numbers cannot be tried one after another. Only the keyed hash
    of the address is kept."""

    page = models.CharField("页面", max_length=30)
    client_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "公开查询记录"
        indexes = [models.Index(fields=["page", "client_hash", "created_at"])]

    def __str__(self) -> str:
        return f"{self.page} {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"
