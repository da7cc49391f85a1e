from django.db import migrations

FIVE_MUSTS = ("见到主体负责人", "核实基本信息", "摸清党员情况", "宣讲党建政策", "留下服务卡和联系方式")


def seed(apps, schema_editor):
    ChecklistItem = apps.get_model("campaign", "ChecklistItem")
    if not ChecklistItem.objects.exists():
        ChecklistItem.objects.bulk_create(ChecklistItem(label=label, order=i) for i, label in enumerate(FIVE_MUSTS, start=1))


class Migration(migrations.Migration):
    dependencies = [("campaign", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
