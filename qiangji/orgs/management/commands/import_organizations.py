from qiangji.core.spreadsheets.command import ImportCommand


class Command(ImportCommand):
    help = "从表格导入党组织：import_organizations FILE [--dry-run] [--json]"
    kind = "organizations"
