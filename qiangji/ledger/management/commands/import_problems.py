from qiangji.core.spreadsheets.command import ImportCommand


class Command(ImportCommand):
    help = (
        "从12345热线工单或信访件导出表格导入问题清单，按来源和工单编号识别，重复导入只更新不新增："
        "import_problems FILE [--dry-run] [--json]"
    )
    kind = "problems"
