"""The town admin's form for the year's schedule: the theme-day date, the months of each kind and
an optional topic for each planned month."""

import re
from typing import Any

from django import forms

from qiangji.core.text import clean_text
from qiangji.orglife.models import Meeting, MeetingKind, YearSchedule


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


# A planned topic becomes the topic of the meeting held for it.
TOPIC_MAX_LENGTH = Meeting._meta.get_field("topic").max_length


def topic_field_name(kind: str, month: int) -> str:
    return f"topic_{kind}_{month}"


class ScheduleForm(forms.Form):
    theme_day = forms.IntegerField(label="主题党日（每月几日）", min_value=1, max_value=28, initial=15)
    note = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, schedule: YearSchedule | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        items = list(schedule.items.all()) if schedule else []
        planned = {item.kind: item.months for item in items}
        topics = {item.kind: item.topics for item in items}
        for kind, label in MeetingKind.choices:
            self.fields[f"months_{kind}"] = forms.CharField(
                label=f"{label}（月份）",
                required=False,
                initial="、".join(str(m) for m in planned.get(kind, [])),
                help_text="如 3、6、9、12 或 1-12；不安排则留空" if kind == MeetingKind.ASSEMBLY else "",
            )
            for month in range(1, 13):
                self.fields[topic_field_name(kind, month)] = forms.CharField(
                    label=f"{month}月",
                    required=False,
                    max_length=TOPIC_MAX_LENGTH,
                    initial=topics.get(kind, {}).get(str(month), ""),
                    error_messages={"max_length": f"主题不能超过{TOPIC_MAX_LENGTH}字"},
                )
        if schedule:
            self.initial.setdefault("theme_day", schedule.theme_day)
            self.initial.setdefault("note", schedule.note)

    def clean_note(self) -> str:
        return clean_text(self.cleaned_data["note"])

    def kind_groups(self) -> list[dict[str, Any]]:
        """Per kind: its months field and its twelve topic fields, for the template."""
        groups = []
        for kind, label in MeetingKind.choices:
            topics = [self[topic_field_name(kind, month)] for month in range(1, 13)]
            groups.append(
                {
                    "label": label,
                    "months": self[f"months_{kind}"],
                    "topics": topics,
                    # Folded unless there is something to see in it.
                    "open": any(t.errors or t.value() for t in topics),
                }
            )
        return groups

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        months: dict[str, list[int]] = {}
        topics: dict[str, dict[int, str]] = {}
        for kind, label in MeetingKind.choices:
            try:
                months[kind] = parse_months(data.get(f"months_{kind}") or "")
            except ValueError:
                self.add_error(f"months_{kind}", "月份应为 1 至 12，用顿号或逗号分隔，如 3、6、9、12")
                continue
            topics[kind] = {}
            for month in range(1, 13):
                name = topic_field_name(kind, month)
                if name not in data:  # already refused (too long)
                    continue
                text = clean_text(data[name] or "")
                if text and month not in months[kind]:
                    self.add_error(name, f"{month}月未安排{label}，请先在月份中加上{month}月，或删去该主题")
                elif text:
                    topics[kind][month] = text
        if not any(months.values()) and not self.errors:
            raise forms.ValidationError("请至少为一种会议安排月份")
        data["months"] = months
        data["topics"] = topics
        return data
