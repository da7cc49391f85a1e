"""The one spreadsheet engine (RULES.md "Spreadsheets in and out").

An app declares what its rows look like and registers it from its AppConfig.ready()
(`register(MemberImporter())`); a new import is a declaration, not a new parser:

    class MemberImporter(FormImporter):
        kind, label, model, form_class = "members", "党员", Member, MemberForm
        roles = (TOWN_ADMIN, SECRETARY)          # who may run it (pages answer 404 to others)
        duplicate_label = "身份证号"              # "与第5行身份证号重复"
        personal_fields = ("id_number", "phone")  # audit-logged on commit and error-file download
        summary_columns = ("name", "id_number")   # preview columns (masked by the column's mask)
        columns = (
            columns.text("name", "姓名", required=True),
            columns.code("id_number", "公民身份号码", aliases=("身份证号",), required=True, mask=mask_id_number),
            columns.date("joined_on", "入党日期"),
            columns.choice("status", "人员类别", Member.Status.choices, extra={"正式": "full"}),
            columns.flag("is_frail", "是否年老体弱"),
        )
        def key(self, values): ...                     # natural key: duplicates inside one file
        def find(self, values, ctx): ...               # the existing object, or None (→ new)
        def resolve(self, values, instance, ctx): ...  # names → pks; raise RowInvalid("…")
        def create(self, data, ctx): ...               # call the app's service with ctx.user,
        def update(self, instance, data, ctx): ...     # ctx.source and ctx.batch

Optional: `prepare` (load lookups once, order rows), `flush` (bulk writes), `form_kwargs`, and
`simulate = True` when rows depend on rows above them. `upload_choices` (UploadChoice): what the
uploader must choose for this kind, with no default (全量名单 / 部分名单), refused at every door
without it; `confirmation(counts, ctx)` (Confirmation): a number the commit must be confirmed
with (e.g. how many register entities a full list marks gone), checked by the commit service
and again by the engine before it writes.

Speed (bench/bench_import.py, docs/benchmarks.md): a row must cost no query. `prepare` loads
what the rows refer to once per file, in chunks (`lookups.chunked`, `lookups.preloaded` for a
form's ModelChoiceField); `form_kwargs` hands it to the form; a form with `rebound` is built once
and rebound per row, or — for a plain form — `rowcheck.RowChecker` runs its fields and clean
methods per row without binding it (EntityImporter); `create`/`update` buffer and `flush` writes
with `bulk.insert` (COPY on PostgreSQL). MemberImporter is the example to copy.

The engine finds the header (title rows,
merged two-row headers, aliases), normalises cells, validates every row with the form, previews
new / changed / unchanged / invalid, commits all valid rows in one transaction, keeps provenance
and gives invalid rows back as a workbook; the pages under /imports/, the background tasks and
`ImportCommand` (management commands) work for every registered kind.

Hostile files (docs/security.md): `safety.check_upload` measures a file before anything reads
it (zip parts inflated to their true size; every sheet's declared and real extent against
settings.IMPORT_MAX_ROWS / IMPORT_MAX_COLUMNS, extent.py), and `reader.read_sheets` reads it in
a child process under IMPORT_READ_MEMORY_MB / IMPORT_READ_CPU_SECONDS, so every door (pages,
tasks, API, commands) refuses the same files with the same Chinese messages.
"""

from qiangji.core.spreadsheets import columns
from qiangji.core.spreadsheets.importer import (
    CHANGED,
    CONFIRMED,
    INVALID,
    NEW,
    UNCHANGED,
    Checked,
    Confirmation,
    FormImporter,
    ImportContext,
    Importer,
    RowInvalid,
    SourceRow,
    UploadChoice,
)
from qiangji.core.spreadsheets.registry import get_importer, importers_for, register
from qiangji.core.spreadsheets.safety import SpreadsheetError

__all__ = [
    "CHANGED",
    "CONFIRMED",
    "INVALID",
    "NEW",
    "UNCHANGED",
    "Checked",
    "Confirmation",
    "FormImporter",
    "ImportContext",
    "Importer",
    "RowInvalid",
    "SourceRow",
    "SpreadsheetError",
    "UploadChoice",
    "columns",
    "get_importer",
    "importers_for",
    "register",
]
