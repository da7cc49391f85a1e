"""The one validation path for filing a work plan."""

import os
from typing import Any

from django import forms
from django.conf import settings

from qiangji.core.concurrency import STALE_PAGE_MESSAGE, VersionedForm
from qiangji.orgs.models import Organization

# What a plan file may be, and the first bytes each kind starts with (the name alone proves nothing).
PLAN_FILE_SIGNATURES = {
    ".pdf": (b"%PDF",),
    ".docx": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
    ".wps": (b"\xd0\xcf\x11\xe0",),
}


def plan_max_bytes() -> int:
    return getattr(settings, "PLAN_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)


class WorkPlanForm(VersionedForm):
    """Filing creates or replaces the plan of an organization and year; `version` is that of the
    plan the filer saw (0: none yet), empty when the page did not know which plan it would be."""

    organization = forms.ModelChoiceField(label="党组织", queryset=Organization.objects.none())
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    title = forms.CharField(label="标题", max_length=100)
    text = forms.CharField(label="计划内容", required=False, widget=forms.Textarea(attrs={"rows": 12}))
    file = forms.FileField(
        label="计划文件",
        required=False,
        help_text="可上传PDF、Word（doc/docx）或WPS文件，不超过10MB；内容和文件至少填写一项。",
    )
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        min_value=0,
        error_messages={"invalid": STALE_PAGE_MESSAGE, "min_value": STALE_PAGE_MESSAGE},
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = (
            Organization.objects.for_user(user, "manage").active().exclude(kind=Organization.Kind.GROUP).order_by("path")
        )

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if not upload:
            return upload
        ext = os.path.splitext(upload.name)[1].lower()
        if ext not in PLAN_FILE_SIGNATURES:
            raise forms.ValidationError("只能上传PDF、Word（doc/docx）或WPS文件。")
        if upload.size > plan_max_bytes():
            raise forms.ValidationError(f"文件不能超过{plan_max_bytes() // (1024 * 1024)}MB。")
        head = upload.read(8)
        upload.seek(0)
        if not head.startswith(PLAN_FILE_SIGNATURES[ext]):
            raise forms.ValidationError("文件内容与扩展名不符，请上传原始文件。")
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("text") or "").strip() and not data.get("file"):
            raise forms.ValidationError("请填写计划内容或上传计划文件。")
        return data


class ReturnForm(forms.Form):
    comment = forms.CharField(label="退回意见", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
