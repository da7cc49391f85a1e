"""Reads on the year's schedule of organizational life: the published plan as a month × kind table."""

import datetime as dt
from dataclasses import dataclass

from qiangji.orglife.models import MeetingKind, YearSchedule


@dataclass(frozen=True)
class ScheduleRow:
    month: int
    cells: list[str]  # per kind: "" (not planned), the theme-day date, or the topic / "✓"


def schedule_for_year(*, year: int, published_only: bool = True) -> YearSchedule | None:
    qs = YearSchedule.objects.filter(year=year).prefetch_related("items")
    if published_only:
        qs = qs.filter(published_at__isnull=False)
    return qs.first()


def schedule_months(schedule: YearSchedule) -> dict[str, list[int]]:
    """{kind: sorted months} in the order of MeetingKind."""
    by_kind = {item.kind: sorted(item.months) for item in schedule.items.all()}
    return {kind: by_kind[kind] for kind in MeetingKind.values if by_kind.get(kind)}


def theme_day_date(schedule: YearSchedule, month: int) -> dt.date:
    """The fixed theme-day date of `month`, as is (a weekend stays a weekend)."""
    return dt.date(schedule.year, month, schedule.theme_day)


def schedule_table(schedule: YearSchedule) -> tuple[list[str], list[ScheduleRow]]:
    """Column labels (kinds planned) and one row per month."""
    months = schedule_months(schedule)
    topics = {item.kind: item.topics for item in schedule.items.all()}
    labels = [MeetingKind(kind).label for kind in months]
    rows = []
    for month in range(1, 13):
        cells = []
        for kind, planned in months.items():
            if month not in planned:
                cells.append("")
            elif kind == MeetingKind.THEME_DAY:
                cells.append(f"{theme_day_date(schedule, month):%Y-%m-%d} {topics[kind].get(str(month), '')}".strip())
            else:
                cells.append(topics[kind].get(str(month), "") or "✓")
        rows.append(ScheduleRow(month=month, cells=cells))
    return labels, rows


def theme_day_for(*, year: int, month: int) -> dt.date | None:
    """The published theme-day date for that month, if the published schedule plans one."""
    schedule = schedule_for_year(year=year)
    if schedule is None or month not in schedule_months(schedule).get(MeetingKind.THEME_DAY, []):
        return None
    return theme_day_date(schedule, month)
