from django.db import migrations

POOLS = (("瀛洲好班长", "good_leader", "村居党组织书记后备人选"), ("一肩挑", "dual_role", "村居党组织书记、村（居）委会主任“一肩挑”后备人选"))


def seed(apps, schema_editor):
    ReservePool = apps.get_model("reserve", "ReservePool")
    for name, kind, description in POOLS:
        ReservePool.objects.get_or_create(name=name, defaults={"kind": kind, "description": description})


class Migration(migrations.Migration):
    dependencies = [("reserve", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
