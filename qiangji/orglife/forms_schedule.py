"""The town admin's form for the year's schedule: the theme-day date and the months of each kind."""

import re
from typing import Any

from django import forms

from qiangji.core.text import clean_text
from qiangji.orglife.models import MeetingKind, YearSchedule


def parse_months(text: str) -> list[int]:
    """ "3,6,9,12" / "3、6、9、12" / "1-12" → sorted distinct months; ValueError otherwise."""
    months: set[int] = set()
    for part in re.split(r"[,，、;；\s]+", text.strip()):
        if not part:
            continue
        bounds = re.fullmatch(r"(\d{1,2})(?:[-－~至](\d{1,2}))?", part)
        if not bounds:
            raise ValueError(part)
        first = int(bounds.group(1))
        last = int(bounds.group(2) or first)
        if not 1 <= first <= last <= 12:
            raise ValueError(part)
        months.update(range(first, last + 1))
    return sorted(months)


class ScheduleForm(forms.Form):
    theme_day = forms.IntegerField(label="主题党日（每月几日）", min_value=1, max_value=28, initial=15)
    note = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, schedule: YearSchedule | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        planned = {item.kind: item.months for item in schedule.items.all()} if schedule else {}
        for kind, label in MeetingKind.choices:
            self.fields[f"months_{kind}"] = forms.CharField(
                label=f"{label}（月份）",
                required=False,
                initial="、".join(str(m) for m in planned.get(kind, [])),
                help_text="如 3、6、9、12 或 1-12；不安排则留空" if kind == MeetingKind.ASSEMBLY else "",
            )
        if schedule:
            self.initial.setdefault("theme_day", schedule.theme_day)
            self.initial.setdefault("note", schedule.note)

    def clean_note(self) -> str:
        return clean_text(self.cleaned_data["note"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        months: dict[str, list[int]] = {}
        for kind in MeetingKind.values:
            try:
                months[kind] = parse_months(data.get(f"months_{kind}") or "")
            except ValueError:
                self.add_error(f"months_{kind}", "月份应为 1 至 12，用顿号或逗号分隔，如 3、6、9、12")
        if not any(months.values()) and not self.errors:
            raise forms.ValidationError("请至少为一种会议安排月份")
        data["months"] = months
        return data
