"""The one validation path for meetings: pages and the API use these forms."""

from typing import Any

from django import forms

from qiangji.core.concurrency import VersionedForm
from qiangji.core.text import clean_text
from qiangji.members.models import Member
from qiangji.orglife.models import Attendance, Meeting, Requirement, validate_attachment
from qiangji.orglife.selectors import RECORDING_ORG_KINDS, eligible_members
from qiangji.orgs.models import Organization


class MeetingForm(VersionedForm):
    """A meeting's details; `organization` limited to the active branches and groups `user` manages."""

    organization = forms.ModelChoiceField(label="党组织", queryset=Organization.objects.none())
    kind = forms.ChoiceField(label="会议类型", choices=Meeting.Kind.choices)
    status = forms.ChoiceField(label="状态", choices=Meeting.Status.choices, initial=Meeting.Status.SCHEDULED)
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label="地点", max_length=100, required=False)
    topic = forms.CharField(label="主题", max_length=200)
    presenter = forms.ModelChoiceField(label="主持人/主讲人", queryset=Member.objects.none(), required=False)
    presenter_name = forms.CharField(label="主持人/主讲人（非本组织党员时填写）", max_length=50, required=False)
    minutes = forms.CharField(label="会议记录", widget=forms.Textarea(attrs={"rows": 6}), required=False)

    def __init__(self, *args: Any, user: Any, instance: Meeting | None = None, **kwargs: Any) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                n: getattr(instance, n) for n in Meeting.HISTORY_FIELDS if n not in ("organization", "presenter")
            }
            kwargs["initial"].update(organization=instance.organization_id, presenter=instance.presenter_id)
        super().__init__(*args, **kwargs)
        self.instance = instance
        orgs = Organization.objects.for_user(user, "manage").active().filter(kind__in=RECORDING_ORG_KINDS).order_by("path")
        self.fields["organization"].queryset = orgs
        if instance is not None:
            self.fields["organization"].disabled = True
            self.fields["organization"].queryset = Organization.objects.filter(pk=instance.organization_id)
            self.fields["presenter"].queryset = eligible_members(instance.organization)
        else:
            self.fields["presenter"].queryset = Member.objects.filter(organization__in=orgs)

    def clean_topic(self) -> str:
        return clean_text(self.cleaned_data["topic"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        org, presenter = data.get("organization"), data.get("presenter")
        if org is not None and presenter is not None and not eligible_members(org).filter(pk=presenter.pk).exists():
            self.add_error("presenter", "主持人/主讲人不是本组织党员，请在下一栏填写姓名。")
        return data


ABSENCE_NOTE_MAX_LENGTH = Attendance._meta.get_field("note").max_length


class AttendanceForm(forms.Form):
    """Who attended: a checkbox per member of the organization; an unchecked member is absent and
    needs a reason ("其他" with its words). Pages and the API fill the same form.

    `all_present` ("全部出席") checks everyone not marked absent, so a 46-member meeting is one
    click and the few absences, not 46 checkboxes.
    """

    present = forms.ModelMultipleChoiceField(
        label="出席党员", queryset=Member.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        members = eligible_members(meeting.organization).defer("id_number", "phone", "address")
        self.members = list(members)
        self.fields["present"].queryset = members
        self.fields["present"].error_messages["invalid_choice"] = "所选党员不属于本组织。"
        self.fields["present"].error_messages["invalid_pk_value"] = "出席党员的编号不正确。"
        for member in self.members:
            self.fields[f"reason_{member.pk}"] = forms.ChoiceField(
                label=f"{member.name}缺席原因",
                choices=[("", "缺席原因"), *Attendance.Reason.choices],
                required=False,
                error_messages={"invalid_choice": f"{member.name}：缺席原因“%(value)s”不是有效的选项。"},
            )
            self.fields[f"note_{member.pk}"] = forms.CharField(
                label=f"{member.name}缺席原因说明",
                max_length=ABSENCE_NOTE_MAX_LENGTH,
                required=False,
                error_messages={"max_length": f"{member.name}：缺席原因说明不能超过{ABSENCE_NOTE_MAX_LENGTH}字。"},
            )

    def _checked(self) -> set[str]:
        if self.is_bound:
            return {str(v) for v in self.data.getlist("present")} if hasattr(self.data, "getlist") else set()
        return {str(v) for v in self.initial.get("present", [])}

    def rows(self) -> list[dict[str, Any]]:
        """The members with their checkbox state, reason and note fields, for the template."""
        checked = self._checked()
        return [
            {
                "member": m,
                "checked": str(m.pk) in checked,
                "reason": self[f"reason_{m.pk}"],
                "note": self[f"note_{m.pk}"],
            }
            for m in self.members
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "present" not in data:
            return data
        present = {m.pk for m in data["present"]}
        if not present:
            self.add_error("present", "请至少选择一名出席党员。")
        for member in self.members:
            if member.pk in present:
                continue
            reason = data.get(f"reason_{member.pk}", "")
            note = clean_text(data.get(f"note_{member.pk}", ""))
            data[f"note_{member.pk}"] = note
            if f"reason_{member.pk}" in self.errors or f"note_{member.pk}" in self.errors:
                continue
            if not reason:
                self.add_error(f"reason_{member.pk}", f"{member.name}：请选择缺席原因。")
            elif reason == Attendance.Reason.OTHER and not note:
                self.add_error(f"note_{member.pk}", f"{member.name}：缺席原因为“其他”时，请写明具体原因。")
        return data

    def attendance(self) -> tuple[list[int], dict[int, tuple[str, str]]]:
        """(present pks, {absent pk: (reason, note)})."""
        present = [m.pk for m in self.cleaned_data["present"]]
        absent = {
            m.pk: (self.cleaned_data[f"reason_{m.pk}"], self.cleaned_data[f"note_{m.pk}"])
            for m in self.members
            if m.pk not in present
        }
        return present, absent


class AttachmentForm(forms.Form):
    file = forms.FileField(label="照片或文件", validators=[validate_attachment])


class RequirementForm(VersionedForm):
    applies_to = forms.ChoiceField(label="适用组织", choices=Requirement.AppliesTo.choices)
    period = forms.ChoiceField(label="周期", choices=Requirement.Period.choices)
    minimum_count = forms.IntegerField(label="每周期至少（次）", min_value=1, max_value=31)
    active = forms.BooleanField(label="启用", required=False)
