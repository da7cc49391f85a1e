from django.db import migrations

# RULES.md "Grades": four grades, best first; 较好 and below call for a rectification plan.
LEVELS = [("好", 1, False), ("较好", 2, True), ("一般", 3, True), ("差", 4, True)]


def add_levels(apps, schema_editor):
    GradeLevel = apps.get_model("ledger", "GradeLevel")
    for name, rank, needs_plan in LEVELS:
        GradeLevel.objects.get_or_create(name=name, defaults={"rank": rank, "needs_plan": needs_plan})


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(add_levels, migrations.RunPython.noop)]
