"""The requirement table with RULES.md's defaults; the town admin edits it afterwards."""

from django.db import migrations

DEFAULTS = [
    ("assembly", "branch", "quarter", 1),
    ("committee_meeting", "committee_branch", "month", 1),
    ("group_meeting", "group", "month", 1),
    ("lecture", "branch", "quarter", 1),
    ("theme_day", "branch", "month", 1),
    ("review_meeting", "branch", "year", 1),
]


def seed(apps, schema_editor):
    Requirement = apps.get_model("orglife", "Requirement")
    for kind, applies_to, period, minimum in DEFAULTS:
        Requirement.objects.get_or_create(
            kind=kind, defaults={"applies_to": applies_to, "period": period, "minimum_count": minimum}
        )


def unseed(apps, schema_editor):
    apps.get_model("orglife", "Requirement").objects.filter(kind__in=[d[0] for d in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("orglife", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
