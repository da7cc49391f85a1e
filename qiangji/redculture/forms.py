"""Forms of the red culture pages: sites, photos, routes, activities, the check-in."""

from typing import Any

from django import forms

from qiangji.orgs.models import Organization, Village
from qiangji.redculture.models import RedActivity, RedSite

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SiteForm(forms.Form):
    name = forms.CharField(label="点位名称", max_length=100)
    kind = forms.ChoiceField(label="类别", choices=RedSite.Kind.choices)
    address = forms.CharField(label="地址", max_length=200)
    village = forms.ModelChoiceField(
        label="所在村居", queryset=Village.objects.order_by("name"), required=False, empty_label="请选择（可不选）"
    )
    opening_hours = forms.CharField(label="开放时间", max_length=100, required=False)
    description = forms.CharField(label="简介", widget=forms.Textarea(attrs={"rows": 5}))
    active = forms.BooleanField(label="开放（可打卡）", required=False, initial=True)


class PhotoForm(forms.Form):
    image = forms.FileField(label="照片", widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
    caption = forms.CharField(label="说明", max_length=100, required=False)


class RouteForm(forms.Form):
    name = forms.CharField(label="路线名称", max_length=100)
    duration = forms.CharField(label="建议用时", max_length=50, required=False)
    description = forms.CharField(label="路线说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class StopsForm(forms.Form):
    """One select per place on the route; blanks are skipped, the order is the order of the selects."""

    def __init__(self, *args: Any, places: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sites = RedSite.objects.order_by("name")
        for i in range(1, places + 1):
            self.fields[f"stop_{i}"] = forms.ModelChoiceField(
                label=f"第{i}站", queryset=sites, required=False, empty_label="（不选）"
            )

    def sites(self) -> list[RedSite]:
        return [site for name, site in self.cleaned_data.items() if name.startswith("stop_") and site is not None]


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label="活动类别", choices=RedActivity.Kind.choices)
    title = forms.CharField(label="活动名称", max_length=200)
    held_on = forms.DateField(label="活动日期", widget=DATE)
    organization = forms.ModelChoiceField(
        label="组织单位", queryset=Organization.objects.none(), required=False, empty_label="镇党委"
    )
    participants = forms.IntegerField(label="参加人数", min_value=0, max_value=10000, initial=0)
    description = forms.CharField(label="活动情况", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = (
            Organization.objects.for_user(user, "manage").active().exclude(kind=Organization.Kind.GROUP).order_by("path")
        )


class CheckInForm(forms.Form):
    note = forms.CharField(label="感想（可不填）", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3}))
