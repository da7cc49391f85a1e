"""Problems reported by the public (群众反映): submitted on a phone page, accepted by the town.

A report is not a problem until a town user accepts it; accepting registers it through
`problem_register` with the source "public", so it then follows the whole ledger.
"""

import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qiangji.core.access import TOWN_ADMIN, get_scope
from qiangji.core.errors import DomainError, RateLimited, refuse_over_hourly_limit  # noqa: F401 (RateLimited: callers catch it here)
from qiangji.core.validators import normalize_phone
from qiangji.ledger.models import Problem, PublicReport
from qiangji.ledger.services.problems import problem_register


@transaction.atomic
def public_report_submit(*, data: Mapping[str, Any], client_hash: str, now: dt.datetime | None = None) -> PublicReport:
    """Take a report from the public page; name and phone are optional."""
    now = now or timezone.now()
    if client_hash:
        refuse_over_hourly_limit(
            PublicReport.objects.filter(client_hash=client_hash),
            client_key=client_hash,
            now=now,
            limit=settings.LEDGER_PUBLIC_REPORTS_PER_HOUR,
            message="提交过于频繁，请一小时后再试",
        )
    description = (data.get("description") or "").strip()
    if len(description) < 5:
        raise DomainError("请把问题描述清楚（至少5个字）", field="description")
    phone = (data.get("phone") or "").strip()
    if phone:
        try:
            phone = normalize_phone(phone)
        except ValidationError as error:
            raise DomainError(error.messages[0], field="phone") from None
    report = PublicReport(
        description=description,
        village=data.get("village"),
        name=(data.get("name") or "").strip(),
        phone=phone,
        client_hash=client_hash,
    )
    report.reference = f"{timezone.localtime(now):%Y%m%d}-{secrets.token_hex(3).upper()}"
    report.save()
    return report


def _may_handle(by: Any) -> None:
    if not get_scope(by).has_role(TOWN_ADMIN):
        raise PermissionDenied("群众反映由镇党委受理")


@transaction.atomic
def public_report_accept(*, report: PublicReport, by: Any, data: Mapping[str, Any], today: dt.date | None = None) -> Problem:
    """Accept a report: it is registered as a problem with the source "public"."""
    _may_handle(by)
    report = PublicReport.objects.select_for_update().get(pk=report.pk)
    if report.state != PublicReport.State.PENDING:
        raise DomainError(f"该反映已处理（{report.get_state_display()}），不能重复处理")
    fields = {"village": report.village, "description": report.description, **data, "source": Problem.Source.PUBLIC}
    problem = problem_register(by=by, data=fields, today=today)
    report.state, report.problem, report.handled_by, report.handled_at = PublicReport.State.ACCEPTED, problem, by, timezone.now()
    report.save()
    return problem


@transaction.atomic
def public_report_reject(*, report: PublicReport, by: Any, reply: str) -> PublicReport:
    """Not a matter for the ledger (e.g. not a Party-building problem): closed with a reply."""
    _may_handle(by)
    report = PublicReport.objects.select_for_update().get(pk=report.pk)
    if report.state != PublicReport.State.PENDING:
        raise DomainError(f"该反映已处理（{report.get_state_display()}），不能重复处理")
    reply = (reply or "").strip()
    if not reply:
        raise DomainError("请填写不予受理的理由", field="reply")
    report.state, report.reply, report.handled_by, report.handled_at = PublicReport.State.REJECTED, reply, by, timezone.now()
    report.save()
    return report
