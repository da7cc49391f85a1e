"""The upload form and the hand-made column map of a batch."""

from typing import Any

from django import forms
from django.conf import settings

from qiangji.core.models import ImportBatch
from qiangji.core.spreadsheets.importer import Importer
from qiangji.core.spreadsheets.safety import EXTENSIONS


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="导入内容")
    file = forms.FileField(label="表格文件")

    def __init__(self, *args: Any, importers: list[Importer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(i.kind, i.label) for i in importers]
        self.fields["kind"].error_messages["invalid_choice"] = "请选择您有权导入的内容"
        self.fields["file"].widget.attrs["accept"] = ",".join(EXTENSIONS)
        limit = settings.IMPORT_MAX_UPLOAD_BYTES // (1024 * 1024)
        self.fields["file"].help_text = (
            f"支持 .xlsx、.xls、.ods、.csv，不超过 {limit} MB、{settings.IMPORT_MAX_ROWS} 行、"
            f"{settings.IMPORT_MAX_COLUMNS} 列；表头上方可以有标题行"
        )
        self.fields["file"].error_messages["required"] = "请选择要上传的表格文件"
        self.fields["file"].error_messages["empty"] = "文件为空"
        # One box per importer's option, named after its kind: only the chosen kind's are read,
        # so a box ticked for another kind (or left ticked after switching) does nothing.
        self.option_fields: list[tuple[str, str, str]] = []  # (kind, option key, field name)
        for importer in importers:
            for key, label, help_text in importer.upload_options:
                name = f"option_{importer.kind}_{key}"
                self.fields[name] = forms.BooleanField(label=label, help_text=help_text, required=False)
                self.option_fields.append((importer.kind, key, name))
        # The choices an importer asks for (UploadChoice): radio buttons with no default, needed
        # only when their kind is the one uploaded (`clean`).
        self.choice_fields: list[tuple[str, Any, str]] = []  # (kind, UploadChoice, field name)
        for importer in importers:
            for choice in importer.upload_choices:
                name = f"option_{importer.kind}_{choice.key}"
                self.fields[name] = forms.ChoiceField(
                    label=choice.label,
                    help_text=choice.help,
                    choices=choice.choices,
                    required=False,
                    widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                )
                self.fields[name].error_messages["invalid_choice"] = "导入选项有误，请刷新页面后重试"
                self.choice_fields.append((importer.kind, choice, name))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_UPLOAD_BYTES:
            limit = settings.IMPORT_MAX_UPLOAD_BYTES // (1024 * 1024)
            raise forms.ValidationError(f"文件超过 {limit} MB 的上限，请拆分后分批导入")
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        kind = cleaned.get("kind")
        for owner, choice, name in self.choice_fields:
            if owner == kind and name not in self.errors and not cleaned.get(name):
                self.add_error(name, choice.required)
        return cleaned

    def kind_options(self) -> list[tuple[str, forms.BoundField]]:
        """The option boxes with the kind each belongs to, for the page to show with that kind."""
        return [(kind, self[name]) for kind, _, name in self.option_fields]

    def kind_choices(self) -> list[tuple[str, forms.BoundField]]:
        """The choices to make, with the kind each belongs to (shown with that kind)."""
        return [(kind, self[name]) for kind, _, name in self.choice_fields]

    def options(self) -> dict[str, Any]:
        """The chosen kind's ticked options and choices, as `import_batch_upload` takes them."""
        kind = self.cleaned_data["kind"]
        options: dict[str, Any] = {
            key: True for owner, key, name in self.option_fields if owner == kind and self.cleaned_data.get(name)
        }
        options.update({c.key: self.cleaned_data[name] for owner, c, name in self.choice_fields if owner == kind})
        return options


class ColumnMapForm(forms.Form):
    """One select per column of the header row: which field it holds, or 不导入."""

    def __init__(self, *args: Any, batch: ImportBatch, importer: Importer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "不导入"), *((c.key, c.label + ("（必填）" if c.required else "")) for c in importer.columns)]
        for index, header in enumerate(batch.headers):
            name = f"col_{index}"
            self.fields[name] = forms.ChoiceField(
                label=header or f"第{index + 1}列（无表头）",
                choices=choices,
                required=False,
                initial=batch.column_map.get(str(index), ""),
            )
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"

    def column_map(self) -> dict[str, str]:
        return {name.removeprefix("col_"): value for name, value in self.cleaned_data.items() if value}
