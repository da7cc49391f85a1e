from qiangji.core.spreadsheets.command import ImportCommand


class Command(ImportCommand):
    help = "从表格（全国党员信息库导出格式）导入党员：import_members FILE [--dry-run] [--json]"
    kind = "members"
