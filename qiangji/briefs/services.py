"""Writes of the work brief: draft it from the figures, edit it, refresh it, issue it."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from qiangji.briefs import permissions
from qiangji.briefs.models import WorkBrief
from qiangji.briefs.selectors import brief_part, figures_payload
from qiangji.briefs.writing import brief_text
from qiangji.core.concurrency import lock_current
from qiangji.core.errors import DomainError
from qiangji.core.history import change_log, snapshot
from qiangji.core.models import ChangeRecord

MAX_DAYS = 366 * 5
ISSUED = "该简报已签发，内容和数据均已定稿，不能再修改。"


def check_range(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise DomainError("结束日期不能早于开始日期。", field="end")
    if (end - start).days > MAX_DAYS:
        raise DomainError("统计区间最长五年。", field="end")


def default_title(*, part_label: str, start: dt.date, end: dt.date) -> str:
    if start == dt.date(start.year, 1, 1) and end == dt.date(start.year, 12, 31):
        period = f"{start.year}年"
    else:
        period = f"{start:%Y年%-m月%-d日}至{end:%Y年%-m月%-d日}"
    return f"{part_label}{period}基层党建工作简报"[:100]


@transaction.atomic
def brief_create(
    *,
    by: Any,
    start: dt.date,
    end: dt.date,
    style: str = WorkBrief.Style.EXACT,
    organization: Any = None,
    group: Any = None,
    title: str = "",
    source: str = ChangeRecord.Source.WEB,
) -> WorkBrief:
    """A draft: the figures of the part for the range, counted as `by` sees them, and the text written from them."""
    check_range(start, end)
    part = brief_part(user=by, organization=organization, group=group)
    if group is None and organization is None:
        organization = part.organization
    if not permissions.may_write_part(by, organization=organization, group=group):
        raise PermissionDenied("只有管理该党组织的镇党委或书记可以起草其工作简报。")
    if style not in WorkBrief.Style.values:
        raise DomainError("请选择简报口径。", field="style")
    figures = figures_payload(start=start, end=end, part=part, user=by)
    text = brief_text(figures, style=style)
    brief = WorkBrief.objects.create(
        title=title.strip() or default_title(part_label=part.label, start=start, end=end),
        start=start,
        end=end,
        organization=None if group is not None else organization,
        group=group,
        style=style,
        figures=figures,
        generated_text=text,
        text=text,
        created_by=by,
    )
    change_log(instance=brief, user=by, action=ChangeRecord.Action.CREATE, before=None, source=source)
    return brief


def _writable(by: Any, brief: WorkBrief, expected_version: int | None) -> dict[str, Any]:
    lock_current(brief, expected_version)
    if brief.issued:
        raise DomainError(ISSUED)
    if not permissions.may_write(by, brief):
        raise PermissionDenied("只有管理该党组织的镇党委或书记可以修改其工作简报。")
    return snapshot(brief)


@transaction.atomic
def brief_edit(
    *, by: Any, brief: WorkBrief, title: str, text: str, expected_version: int | None, source: str = ChangeRecord.Source.WEB
) -> WorkBrief:
    """The town's edit of the draft's title and text (the figures stay as counted)."""
    before = _writable(by, brief, expected_version)
    if not title.strip():
        raise DomainError("请填写标题。", field="title")
    if not text.strip():
        raise DomainError("正文不能为空。", field="text")
    brief.title, brief.text = title.strip()[:100], text.strip()
    brief.save()
    change_log(instance=brief, user=by, action=ChangeRecord.Action.UPDATE, before=before, source=source)
    return brief


@transaction.atomic
def brief_refresh(*, by: Any, brief: WorkBrief, expected_version: int | None, source: str = ChangeRecord.Source.WEB) -> WorkBrief:
    """Count the draft's figures again from today's records; an unedited text follows them, an
    edited one is kept (the new wording is shown beside it)."""
    before = _writable(by, brief, expected_version)
    part = brief_part(user=by, organization=brief.organization, group=brief.group)
    figures = figures_payload(start=brief.start, end=brief.end, part=part, user=by)
    text = brief_text(figures, style=brief.style)
    if brief.text == brief.generated_text:
        brief.text = text
    brief.figures, brief.generated_text = figures, text
    brief.save()
    change_log(
        instance=brief, user=by, action=ChangeRecord.Action.UPDATE, before=before, source=source, reason="按最新数据重新生成"
    )
    return brief


@transaction.atomic
def brief_issue(
    *, by: Any, brief: WorkBrief, expected_version: int | None = None, source: str = ChangeRecord.Source.WEB
) -> WorkBrief:
    """Issue (签发): the text and the figures the town saw are frozen; later records change nothing."""
    before = _writable(by, brief, expected_version)
    brief.status = WorkBrief.Status.ISSUED
    brief.issued_by, brief.issued_at = by, timezone.now()
    brief.save()
    change_log(instance=brief, user=by, action=ChangeRecord.Action.UPDATE, before=before, source=source, reason="签发")
    return brief
