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

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_UPLOAD_BYTES:
            limit = settings.IMPORT_MAX_UPLOAD_BYTES // (1024 * 1024)
            raise forms.ValidationError(f"文件超过 {limit} MB 的上限，请拆分后分批导入")
        return upload

    def kind_options(self) -> list[tuple[str, forms.BoundField]]:
        """The option boxes with the kind each belongs to, for the page to show with that kind."""
        return [(kind, self[name]) for kind, _, name in self.option_fields]

    def options(self) -> dict[str, bool]:
        """The chosen kind's ticked options, as `import_batch_upload` takes them."""
        kind = self.cleaned_data["kind"]
        return {key: True for owner, key, name in self.option_fields if owner == kind and self.cleaned_data.get(name)}


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
