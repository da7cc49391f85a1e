"""RULES.md defaults: 32 hours a year for members, 56 for secretaries and committee members."""

from django.db import migrations


def seed(apps, schema_editor):
    HoursRequirement = apps.get_model("trainings", "HoursRequirement")
    for category, hours in (("member", 32), ("leader", 56)):
        HoursRequirement.objects.get_or_create(category=category, defaults={"hours": hours})


class Migration(migrations.Migration):
    dependencies = [("trainings", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
