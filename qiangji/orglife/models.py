"""Organizational life (三会一课, 主题党日…): the requirement table, meetings and attendance.

A meeting is recorded once and feeds everything else: compliance is read from held meetings,
and "every member, every period, attended or visited" from Attendance rows (member × meeting date).
"""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q

from qiangji.core.access import Action, Scope, ScopedQuerySet
from qiangji.core.concurrency import Versioned

ATTACHMENT_EXTENSIONS = ("jpg", "jpeg", "png", "gif", "webp", "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt")
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024


class MeetingKind(models.TextChoices):
    ASSEMBLY = "assembly", "支部党员大会"
    COMMITTEE_MEETING = "committee_meeting", "支委会"
    GROUP_MEETING = "group_meeting", "党小组会"
    LECTURE = "lecture", "党课"
    THEME_DAY = "theme_day", "主题党日"
    REVIEW_MEETING = "review_meeting", "组织生活会"
    DISCUSSION = "discussion", "交流研讨"
    WARNING_EDUCATION = "warning_education", "警示教育"


class Requirement(Versioned):
    """How often which organizations must hold a kind of meeting (RULES.md defaults, editable)."""

    class AppliesTo(models.TextChoices):
        BRANCH = "branch", "每个党支部"
        COMMITTEE_BRANCH = "committee_branch", "设支委会的党支部"
        GROUP = "group", "每个党小组"
        GENERAL_BRANCH = "general_branch", "每个党总支"

    # What a kind is called when a general branch holds it (总支委员会, not 支委会).
    GENERAL_BRANCH_LABELS = {"committee_meeting": "总支委员会", "assembly": "党总支党员大会"}

    class Period(models.TextChoices):
        MONTH = "month", "每月"
        QUARTER = "quarter", "每季度"
        YEAR = "year", "每年"

    HISTORY_FIELDS = ("applies_to", "period", "minimum_count", "active")

    kind = models.CharField("会议类型", max_length=30, choices=MeetingKind.choices)
    applies_to = models.CharField("适用组织", max_length=30, choices=AppliesTo.choices)
    period = models.CharField("周期", max_length=10, choices=Period.choices)
    minimum_count = models.PositiveSmallIntegerField("每周期至少（次）", default=1)
    active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "组织生活要求"
        ordering = ["id"]
        # One kind may be required of several kinds of organization (支委会 of branches with a
        # committee, 总支委员会 of general branches), but only once of each.
        constraints = [models.UniqueConstraint(fields=["kind", "applies_to"], name="unique_requirement_kind_applies_to")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.get_applies_to_display()}{self.get_period_display()}至少{self.minimum_count}次"

    def get_kind_display(self) -> str:
        """The meeting's name as the organization that must hold it calls it."""
        label = MeetingKind(self.kind).label
        if self.applies_to == self.AppliesTo.GENERAL_BRANCH:
            return self.GENERAL_BRANCH_LABELS.get(self.kind, f"{label}（党总支）")
        return label

    def applies(self, organization) -> bool:
        """Whether `organization` must hold this kind today (a Party group only its group meeting).

        Compliance of past periods asks whether the committee existed then (orglife.compliance).
        """
        kind = organization.kind
        if self.applies_to == self.AppliesTo.GROUP:
            return kind == "group"
        if self.applies_to == self.AppliesTo.COMMITTEE_BRANCH:
            return kind == "branch" and organization.has_committee
        if self.applies_to == self.AppliesTo.GENERAL_BRANCH:
            return kind == "general_branch"
        return kind == "branch"


class MeetingQuerySet(ScopedQuerySet):
    scope_path_lookup = "organization__path"

    def extra_scope_q(self, scope: Scope, action: Action) -> Q | None:
        # A member sees the meetings of their own organization; they manage none.
        if action == "view" and scope.member_org_id:
            return Q(organization_id=scope.member_org_id)
        return None

    def held(self) -> "MeetingQuerySet":
        return self.filter(status=Meeting.Status.HELD)

    def annotate_attendance(self) -> "MeetingQuerySet":
        return self.annotate(
            present_count=Count("attendances", filter=Q(attendances__present=True)),
            absent_count=Count("attendances", filter=Q(attendances__present=False)),
        )


class Meeting(Versioned):
    """One meeting of an organization: scheduled ahead, then completed with its attendance."""

    Kind = MeetingKind

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "计划召开"
        HELD = "held", "已召开"

    HISTORY_FIELDS = (
        "organization",
        "kind",
        "status",
        "date",
        "place",
        "topic",
        "presenter",
        "presenter_name",
        "minutes",
        "expected_count",
        "actual_count",
    )

    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="党组织", related_name="meetings", on_delete=models.PROTECT
    )
    kind = models.CharField("会议类型", max_length=30, choices=MeetingKind.choices)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    date = models.DateField("日期")
    place = models.CharField("地点", max_length=100, blank=True)
    topic = models.CharField("主题", max_length=200)
    presenter = models.ForeignKey(
        "members.Member", verbose_name="主持人/主讲人", related_name="+", null=True, blank=True, on_delete=models.SET_NULL
    )
    presenter_name = models.CharField("主持人/主讲人（非本支部党员）", max_length=50, blank=True)
    minutes = models.TextField("会议记录", blank=True)
    # Headcounts as a ledger sheet gives them (应到/实到) for a meeting whose attendee list was
    # never entered; once attendance rows exist, those are the record.
    expected_count = models.PositiveSmallIntegerField("应到人数", null=True, blank=True)
    actual_count = models.PositiveSmallIntegerField("实到人数", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", related_name="+", null=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "会议"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["organization", "kind", "date"], name="meeting_org_kind_date")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}：{self.topic}"

    @property
    def presenter_label(self) -> str:
        return self.presenter.name if self.presenter_id else self.presenter_name


class Attendance(models.Model):
    """Whether one member attended one meeting, and why not.

    An absence always has a reason, and "其他" its words (`note`): the no-member-left-behind list
    shows them beside the absent member, so a make-up visit can be planned for the right cause.
    """

    class Reason(models.TextChoices):
        SICK = "sick", "病假"
        PERSONAL = "personal", "事假"
        AWAY = "away", "外出务工"
        FRAIL = "frail", "年老体弱"
        WORK = "work", "因公"
        OTHER = "other", "其他"

    meeting = models.ForeignKey(Meeting, verbose_name="会议", related_name="attendances", on_delete=models.CASCADE)
    member = models.ForeignKey("members.Member", verbose_name="党员", related_name="attendances", on_delete=models.CASCADE)
    present = models.BooleanField("出席", default=True)
    absence_reason = models.CharField("缺席原因", max_length=20, choices=Reason.choices, blank=True, default="")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "出席情况"
        ordering = ["meeting", "member__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="unique_attendance_meeting_member"),
            # Present: no reason; absent: a reason; "其他": its words.
            models.CheckConstraint(
                condition=(Q(present=True, absence_reason="") | (Q(present=False) & ~Q(absence_reason=""))),
                name="attendance_absence_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(absence_reason="other") | ~Q(note=""),
                name="attendance_other_reason_has_note",
            ),
        ]
        indexes = [models.Index(fields=["member", "meeting"], name="attendance_member_meeting")]

    def __str__(self) -> str:
        return f"{self.member}：{'出席' if self.present else '缺席'}"

    @property
    def reason_label(self) -> str:
        """ "病假", or "其他：外出探亲" (the words of an "other" reason), "" when present."""
        if self.present:
            return ""
        label = self.get_absence_reason_display()
        if self.absence_reason == self.Reason.OTHER and self.note:
            return f"{label}：{self.note}"
        return label


def validate_attachment(file) -> None:
    """Photos and documents only, up to ATTACHMENT_MAX_BYTES."""
    extension = Path(file.name).suffix.lower().lstrip(".")
    if extension not in ATTACHMENT_EXTENSIONS:
        raise ValidationError(f"不支持的文件类型“.{extension}”，可上传：{'、'.join(ATTACHMENT_EXTENSIONS)}。")
    if file.size > ATTACHMENT_MAX_BYTES:
        raise ValidationError(f"文件不能超过 {ATTACHMENT_MAX_BYTES // 1024 // 1024} MB。")


class Attachment(models.Model):
    """A photo or file of a meeting (minutes scan, sign-in sheet, photos)."""

    meeting = models.ForeignKey(Meeting, verbose_name="会议", related_name="attachments", on_delete=models.CASCADE)
    file = models.FileField("文件", upload_to="meetings/%Y/%m/", validators=[validate_attachment])
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="+", null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "会议附件"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return Path(self.name).suffix.lower() in (".jpg", ".jpeg", ".png", ".gif", ".webp")


class HomeStudyVisitQuerySet(ScopedQuerySet):
    scope_path_lookup = "organization__path"


class HomeStudyVisit(models.Model):
    """送学上门: bringing a session to a member who could not attend (frail, mobile, sick…).

    A visit in a period counts for "no member left behind" like attending a meeting would.
    """

    HISTORY_FIELDS = ("member", "organization", "date", "visitors", "topic", "meeting", "notes")

    member = models.ForeignKey("members.Member", verbose_name="党员", related_name="home_study_visits", on_delete=models.CASCADE)
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="党组织", related_name="home_study_visits", on_delete=models.PROTECT
    )
    date = models.DateField("日期")
    visitor_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="送学人员（账号）", related_name="+", blank=True
    )
    visitors = models.CharField("送学人员", max_length=200, blank=True)
    topic = models.CharField("学习内容", max_length=200)
    meeting = models.ForeignKey(
        Meeting,
        verbose_name="补学的会议",
        related_name="home_study_visits",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    notes = models.TextField("备注", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", related_name="+", null=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = HomeStudyVisitQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "送学上门"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["member", "date"], name="home_study_member_date")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} 送学上门：{self.member}"


class HomeStudyPlanQuerySet(ScopedQuerySet):
    scope_path_lookup = "organization__path"

    def open(self) -> "HomeStudyPlanQuerySet":
        return self.filter(status=HomeStudyPlan.Status.PLANNED)

    def overdue(self, today) -> "HomeStudyPlanQuerySet":
        """Planned and past its due day (computed when read, never stored)."""
        return self.open().filter(due__lt=today)


class HomeStudyPlan(models.Model):
    """送学上门安排: a secretary assigns a member who missed organizational life to a visitor
    (a member or staff of the organization) with a due day; doing it records the visit.

    Overdue is read from `due` and today, never stored.
    """

    class Status(models.TextChoices):
        PLANNED = "planned", "待送学"
        DONE = "done", "已送学"

    HISTORY_FIELDS = ("member", "organization", "meeting", "visitor", "due", "note", "status", "visit")

    member = models.ForeignKey("members.Member", verbose_name="党员", related_name="home_study_plans", on_delete=models.CASCADE)
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name="党组织", related_name="home_study_plans", on_delete=models.PROTECT
    )
    meeting = models.ForeignKey(
        Meeting, verbose_name="补学的会议", related_name="home_study_plans", null=True, blank=True, on_delete=models.SET_NULL
    )
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="送学人员", related_name="home_study_plans", on_delete=models.PROTECT
    )
    due = models.DateField("完成期限")
    note = models.CharField("送学要求", max_length=200, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PLANNED)
    visit = models.OneToOneField(
        HomeStudyVisit, verbose_name="送学记录", related_name="plan", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="安排人", related_name="+", null=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)

    objects = HomeStudyPlanQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "送学上门安排"
        ordering = ["due", "id"]
        indexes = [
            models.Index(fields=["visitor", "status", "due"], name="home_study_plan_visitor"),
            models.Index(fields=["status", "due"], name="home_study_plan_status_due"),
        ]

    def __str__(self) -> str:
        return f"送学上门安排：{self.member}（{self.due:%Y-%m-%d}前）"

    def is_overdue(self, today) -> bool:
        return self.status == self.Status.PLANNED and self.due < today


class YearSchedule(models.Model):
    """年度组织生活安排: which kinds in which months, and the fixed theme-day date, for one year.

    The town admin edits it as a draft and publishes it; staff see only a published schedule.
    """

    HISTORY_FIELDS = ("year", "theme_day", "note", "published_at")

    year = models.PositiveSmallIntegerField("年度", unique=True)
    theme_day = models.PositiveSmallIntegerField("主题党日（每月几日）", default=15)
    note = models.TextField("说明", blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "年度组织生活安排"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年组织生活安排"

    @property
    def published(self) -> bool:
        return self.published_at is not None


class ScheduleItem(models.Model):
    """One kind of meeting in a year's schedule: the months (1–12) it is held in."""

    schedule = models.ForeignKey(YearSchedule, verbose_name="年度安排", related_name="items", on_delete=models.CASCADE)
    kind = models.CharField("会议类型", max_length=30, choices=MeetingKind.choices)
    months = models.JSONField("月份", default=list)
    topics = models.JSONField("各月主题", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "年度安排事项"
        ordering = ["schedule", "id"]
        constraints = [models.UniqueConstraint(fields=["schedule", "kind"], name="unique_schedule_item_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{'、'.join(f'{m}月' for m in self.months)}"
