"""Importing the meetings a town already keeps in Excel, through the meeting form.

A meeting is found by organization + kind + date + topic, so importing the same sheet twice
changes nothing. Imported meetings are held ones (a ledger of what took place); their
attendance is recorded on the meeting's page. A ledger that counts heads (应到/实到人数) rather
than naming attendees keeps those counts on the meeting, which the meeting's page shows until
an attendee list is entered.
"""

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from qiangji.core.access import SECRETARY, TOWN_ADMIN, get_scope
from qiangji.core.concurrency import VersionedForm
from qiangji.core.spreadsheets import FormImporter, ImportContext, RowInvalid, SourceRow, columns
from qiangji.core.spreadsheets.lookups import chunked, preloaded
from qiangji.core.text import clean_text
from qiangji.members.models import Member
from qiangji.orglife.forms import MeetingForm
from qiangji.orglife.models import Meeting
from qiangji.orglife.selectors import RECORDING_ORG_KINDS
from qiangji.orglife.services import meeting_schedule, meeting_update
from qiangji.orgs.models import Organization

K = Meeting.Kind
KIND_SYNONYMS = {
    "党员大会": K.ASSEMBLY,
    "支部大会": K.ASSEMBLY,
    "支部委员会": K.COMMITTEE_MEETING,
    "支部委员会会议": K.COMMITTEE_MEETING,
    "支委会议": K.COMMITTEE_MEETING,
    "党小组会议": K.GROUP_MEETING,
    "主题党日活动": K.THEME_DAY,
    "民主生活会": K.REVIEW_MEETING,
    "组织生活会和民主评议党员": K.REVIEW_MEETING,
    "交流研讨会": K.DISCUSSION,
    "研讨交流": K.DISCUSSION,
    "警示教育活动": K.WARNING_EDUCATION,
}


HEADCOUNT_MAX = 9999


class HeadcountField(forms.IntegerField):
    """A number of people as a ledger writes it: "12" or "12人"."""

    def __init__(self, label: str) -> None:
        message = f"{label}应为不小于0的整数"
        super().__init__(
            label=label,
            required=False,
            min_value=0,
            max_value=HEADCOUNT_MAX,
            error_messages={"invalid": message, "min_value": message, "max_value": f"{label}不能超过{HEADCOUNT_MAX}"},
        )

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            value = value.strip().removesuffix("人").strip()
        return super().to_python(value)


class MeetingImportForm(MeetingForm):
    """MeetingForm with its organization choices given (loaded once per file) instead of read
    from the user; the presenter is a name (主讲人/主持人 as the sheet writes it); the headcounts
    a ledger gives instead of an attendee list."""

    expected_count = HeadcountField("应到人数")
    actual_count = HeadcountField("实到人数")

    def __init__(self, *args: Any, user: Any, instance: Meeting | None = None, organizations: Any, **kwargs: Any) -> None:
        # A sheet row reads no version: the service still locks the row and counts the change.
        VersionedForm.__init__(self, *args, check_version=False, **kwargs)
        self.instance = instance
        self.fields["organization"].queryset = organizations
        self.fields["presenter"].queryset = Member.objects.none()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        expected, actual = data.get("expected_count"), data.get("actual_count")
        if expected is not None and actual is not None and actual > expected:
            self.add_error("actual_count", f"实到人数（{actual}）不能多于应到人数（{expected}）")
        return data


def _org_name(value: Any) -> str:
    return clean_text(value).replace(" ", "")


def _key(org: Any, kind: Any, date: Any, topic: Any) -> str:
    return f"{_org_name(org)}|{kind}|{date}|{clean_text(topic)}"


class MeetingImporter(FormImporter):
    """会议 rows: 党组织 must exist, be a branch or Party group and be one the user manages."""

    kind = "meetings"
    label = "组织生活会议"
    model = Meeting
    guards_versions = True
    form_class = MeetingImportForm
    roles = (TOWN_ADMIN, SECRETARY)
    duplicate_label = "党组织、会议类型、日期和主题"
    summary_columns = ("organization", "kind", "date", "topic")
    columns = (
        columns.text("organization", "党组织", aliases=("党组织名称", "所在党组织", "党支部", "支部", "组织名称"), required=True),
        columns.choice(
            "kind", "会议类型", K.choices, extra=KIND_SYNONYMS, aliases=("类型", "会议类别", "活动类型"), required=True
        ),
        columns.date("date", "日期", aliases=("会议日期", "召开日期", "时间", "会议时间", "活动日期"), required=True),
        columns.text("place", "地点", aliases=("会议地点", "召开地点", "活动地点")),
        columns.text("topic", "主题", aliases=("会议主题", "活动主题", "内容", "会议内容"), required=True),
        columns.text("presenter_name", "主讲人/主持人", aliases=("主讲人", "主持人", "主持人/主讲人", "讲课人")),
        # Codes, not text: a count stored as 12.0 comes back as "12".
        columns.code("expected_count", "应到人数", aliases=("应到", "应到会人数", "应参会人数", "应参加人数")),
        columns.code("actual_count", "实到人数", aliases=("实到", "实到会人数", "实际参会人数", "参会人数", "出席人数")),
    )

    def key(self, values: dict[str, Any]) -> str | None:
        if not all(values.get(k) for k in ("organization", "kind", "date", "topic")):
            return None
        return _key(values["organization"], values["kind"], values["date"], values["topic"])

    def prepare(self, rows: list[SourceRow], ctx: ImportContext) -> list[SourceRow]:
        """The organizations the file names and their meetings in the file's date range, once."""
        names = {_org_name(r.values["organization"]) for r in rows if r.values.get("organization")}
        organizations: dict[str, Organization] = {}
        for chunk in chunked(sorted(names)):
            organizations.update((o.name, o) for o in Organization.objects.filter(name__in=chunk).order_by())
        dates = [r.values["date"] for r in rows if isinstance(r.values.get("date"), dt.date)]
        existing: dict[str, Meeting] = {}
        if dates and organizations:
            pks = [o.pk for o in organizations.values()]
            for chunk in chunked(pks):
                qs = Meeting.objects.filter(organization_id__in=chunk, date__range=(min(dates), max(dates))).order_by("id")
                for meeting in qs.select_related("organization"):
                    existing.setdefault(_key(meeting.organization.name, meeting.kind, meeting.date, meeting.topic), meeting)
        scoped = Organization.objects.active() if ctx.unrestricted else Organization.objects.for_user(ctx.user, "manage").active()
        scoped = scoped.filter(kind__in=RECORDING_ORG_KINDS)
        ctx.cache.update(
            organizations=organizations,
            meetings=existing,
            choices=preloaded(scoped, pks=[o.pk for o in organizations.values()]),
        )
        return rows

    def _manages(self, ctx: ImportContext, path: str) -> bool:
        return ctx.unrestricted or get_scope(ctx.user).covers(path, "manage")

    def find(self, values: dict[str, Any], ctx: ImportContext) -> Meeting | None:
        key = self.key(values)
        meeting = ctx.cache["meetings"].get(key) if key else None
        if meeting is not None and not self._manages(ctx, meeting.organization.path):
            return None
        return meeting

    def resolve(self, values: dict[str, Any], instance: Meeting | None, ctx: ImportContext) -> dict[str, Any]:
        data = dict(values)
        name = _org_name(values.get("organization"))
        found = ctx.cache["organizations"].get(name)
        if found is None:
            raise RowInvalid(f"党组织“{name}”不存在", field="organization")
        if found.kind not in RECORDING_ORG_KINDS:
            holders = [str(Organization.Kind(k).label) for k in RECORDING_ORG_KINDS]
            listed = "、".join(holders[:-1]) + "或" + holders[-1]
            raise RowInvalid(f"“{name}”不是{listed}，组织生活由{listed}开展", field="organization")
        if not self._manages(ctx, found.path):
            raise RowInvalid(f"党组织“{name}”不在您的管理范围内", field="organization")
        date = values.get("date")
        if isinstance(date, dt.date) and date > timezone.localdate():
            raise RowInvalid("会议日期在今天之后，不能导入为已召开的会议", field="date")
        data["organization"] = found.pk
        data["status"] = Meeting.Status.HELD
        return data

    def form_kwargs(self, instance: Meeting | None, ctx: ImportContext) -> dict[str, Any]:
        return {"organizations": ctx.cache["choices"]}

    def create(self, data: dict[str, Any], ctx: ImportContext) -> Meeting:
        return meeting_schedule(by=ctx.user, data=data, source=ctx.source, batch=ctx.batch)

    def update(self, instance: Meeting, data: dict[str, Any], ctx: ImportContext) -> Meeting:
        return meeting_update(meeting=instance, by=ctx.user, data=data, source=ctx.source, batch=ctx.batch)
