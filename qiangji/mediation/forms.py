"""Forms of the mediation pages and API: they check shape; the services check the rules."""

from typing import Any

from django import forms
from django.utils import timezone

from qiangji.council.models import Project
from qiangji.mediation.models import MediationCase, MediationStudio, Mediator

DATE = {"type": "date"}


def date_field(label: str, *, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))


class CaseForm(forms.Form):
    studio = forms.ModelChoiceField(label="工作室", queryset=MediationStudio.objects.none(), empty_label="请选择")
    parties = forms.CharField(label="当事人", max_length=500, help_text="多名当事人用顿号分隔，如：张某某、李某某")
    dispute = forms.CharField(label="纠纷事由", widget=forms.Textarea(attrs={"rows": 3}))
    category = forms.CharField(label="纠纷类别", max_length=30, required=False, help_text="如：邻里、婚姻家庭、土地、物业")
    opened_on = date_field("受理日期")
    project = forms.ModelChoiceField(
        label="涉及项目", queryset=Project.objects.order_by("name"), required=False, empty_label="无"
    )
    mediators = forms.ModelMultipleChoiceField(
        label="承办调解员", queryset=Mediator.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, studios: list[MediationStudio], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = [s.pk for s in studios]
        self.fields["studio"].queryset = MediationStudio.objects.filter(pk__in=ids)
        self.fields["mediators"].queryset = Mediator.objects.filter(studio_id__in=ids, active=True).select_related("studio")
        self.fields["mediators"].label_from_instance = lambda m: f"{m.name}（{m.studio.name}）"
        self.fields["opened_on"].initial = timezone.localdate()


class SessionForm(forms.Form):
    held_on = date_field("调解日期")
    notes = forms.CharField(label="调解情况", widget=forms.Textarea(attrs={"rows": 3}))
    mediators = forms.ModelMultipleChoiceField(
        label="参加调解员", queryset=Mediator.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, case: MediationCase, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mediators"].queryset = Mediator.objects.filter(studio_id=case.studio_id, active=True)
        self.fields["held_on"].initial = timezone.localdate()


class MoveForm(forms.Form):
    action = forms.ChoiceField(label="操作", choices=[(a, a) for a in MediationCase.TRANSITIONS])
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    on = date_field("日期", required=False)
