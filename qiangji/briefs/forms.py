"""Forms of the work brief: the page and the API read the same ones."""

import datetime as dt
from typing import Any

from django import forms

from qiangji.briefs.models import WorkBrief
from qiangji.core.access import TOWN_ADMIN, get_scope
from qiangji.core.concurrency import VersionedForm
from qiangji.core.converters import parse_id
from qiangji.orgs.models import LiaisonGroup, Organization


class RangeForm(forms.Form):
    """A date range and a part of the tree as a query string gives them (`from`, `to`,
    `organization`, `group`): `RangeForm.of(params, today=…)`; the range defaults to this year
    up to today."""

    start = forms.DateField(label="开始日期", required=False, error_messages={"invalid": "开始日期格式应为YYYY-MM-DD。"})
    end = forms.DateField(label="结束日期", required=False, error_messages={"invalid": "结束日期格式应为YYYY-MM-DD。"})
    organization = forms.CharField(label="党组织", required=False)
    group = forms.CharField(label="指导联络组", required=False)

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    @classmethod
    def of(cls, params: Any, *, today: dt.date) -> "RangeForm":
        keys = {"start": "from", "end": "to", "organization": "organization", "group": "group"}
        return cls({k: params.get(v, "") for k, v in keys.items()}, today=today)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        data["start"] = data.get("start") or dt.date(self.today.year, 1, 1)
        data["end"] = data.get("end") or self.today
        if data["end"] < data["start"]:
            self.add_error("end", "结束日期不能早于开始日期。")
        elif (data["end"] - data["start"]).days > 366 * 5:
            self.add_error("end", "统计区间最长五年。")
        for name, label in (("organization", "党组织"), ("group", "指导联络组")):
            raw = (data.get(name) or "").strip()
            data[name] = parse_id(raw) if raw else None
            if raw and data[name] is None:
                self.add_error(name, f"{label}编号应为正整数。")
        if data.get("organization") and data.get("group"):
            self.add_error("group", "党组织和指导联络组只能选一项。")
        return data


class BriefCreateForm(forms.Form):
    start = forms.DateField(label="开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="结束日期", widget=forms.DateInput(attrs={"type": "date"}))
    organization = forms.ModelChoiceField(label="党组织（含下级）", queryset=Organization.objects.none(), required=False)
    group = forms.ModelChoiceField(
        label="或：指导联络组联系的党组织", queryset=LiaisonGroup.objects.none(), required=False, empty_label="（不按联络组）"
    )
    style = forms.ChoiceField(
        label="口径",
        choices=WorkBrief.Style.choices,
        initial=WorkBrief.Style.EXACT,
        help_text="宣传稿按约数表述（如“400余次”“近60家”），并在文末注明；准确数字见附表。",
    )
    title = forms.CharField(label="标题", max_length=100, required=False, help_text="不填则按党组织和区间自动拟定。")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = (
            Organization.objects.for_user(user, "manage").active().exclude(kind=Organization.Kind.GROUP).order_by("path")
        )
        self.fields["organization"].label_from_instance = lambda o: f"{'　' * o.depth}{o.name}"
        if get_scope(user).has_role(TOWN_ADMIN):
            self.fields["group"].queryset = LiaisonGroup.objects.order_by("name")
        else:
            del self.fields["group"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "结束日期不能早于开始日期。")
        if data.get("group") and data.get("organization"):
            self.add_error("group", "党组织和指导联络组只能选一项。")
        elif not data.get("group") and not data.get("organization"):
            self.add_error("organization", "请选择党组织（或指导联络组）。")
        return data


class BriefEditForm(VersionedForm):
    title = forms.CharField(label="标题", max_length=100)
    text = forms.CharField(
        label="正文",
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text="可直接修改生成的文字；签发后正文和数据定稿，不再随记录变化。",
    )

    def __init__(self, *args: Any, instance: WorkBrief, **kwargs: Any) -> None:
        self.instance = instance
        kwargs.setdefault("initial", {"title": instance.title, "text": instance.text})
        super().__init__(*args, **kwargs)


class BriefActionForm(VersionedForm):
    """Refresh or issue: only the version the page read."""

    def __init__(self, *args: Any, instance: WorkBrief, **kwargs: Any) -> None:
        self.instance = instance
        super().__init__(*args, **kwargs)
