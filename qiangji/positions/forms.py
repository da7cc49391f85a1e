"""Forms of the position pages and API: they check shape; the services check the rules."""

from typing import Any

from django import forms
from django.utils import timezone

from qiangji.core.concurrency import VersionedForm
from qiangji.orgs.models import Position
from qiangji.positions.models import Course, PositionResource


class ProfileForm(VersionedForm):
    address = forms.CharField(label="地址", max_length=200, required=False)
    opening_hours = forms.CharField(label="开放时间", max_length=100, required=False, help_text="如：周一至周五 8:30—17:00")
    rooms = forms.CharField(label="功能室", max_length=300, required=False, help_text="如：党员活动室、议事厅、阅览室")
    capacity = forms.IntegerField(label="可容纳人数", required=False, min_value=1, max_value=10000)
    contact_name = forms.CharField(label="联系人", max_length=50, required=False)
    contact_phone = forms.CharField(label="服务电话", max_length=30, required=False)


class ResourceForm(forms.Form):
    category = forms.ChoiceField(label="类别", choices=[("", "请选择"), *PositionResource.Category.choices])
    name = forms.CharField(label="资源名称", max_length=100)
    description = forms.CharField(label="说明", max_length=300, required=False)


class CourseForm(forms.Form):
    title = forms.CharField(label="课程名称", max_length=200)
    teacher = forms.CharField(label="授课人", max_length=100, required=False)
    hours = forms.DecimalField(label="学时", max_digits=4, decimal_places=1, min_value=0.5, max_value=24)
    summary = forms.CharField(label="课程简介", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class PositionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.get_kind_display()}）"


class BatchForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label="季度", coerce=int, choices=[(q, f"第{'一二三四'[q - 1]}季度") for q in (1, 2, 3, 4)])
    courses = forms.ModelMultipleChoiceField(
        label="下沉课程", queryset=Course.objects.filter(active=True), widget=forms.CheckboxSelectMultiple
    )
    positions = PositionChoiceField(
        label="下沉阵地", queryset=Position.objects.order_by("kind", "name"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["year"].initial = today.year
        self.fields["quarter"].initial = (today.month - 1) // 3 + 1


class DeliveryForm(forms.Form):
    held_on = forms.DateField(label="开课日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    present = forms.TypedMultipleChoiceField(label="到课人员", coerce=int, required=False, choices=())

    def __init__(self, *args: Any, member_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [(pk, str(pk)) for pk in member_ids]
