from qiangji.core.spreadsheets.command import ImportCommand


class Command(ImportCommand):
    help = "从表格导入组织生活会议（均记为已召开）：import_meetings FILE [--dry-run] [--json]"
    kind = "meetings"
