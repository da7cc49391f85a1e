"""Copies of personal data in the campaign's history and visits are encrypted like the fields.

The register history (EntityChange of a personal field) and a visit's facts held phone numbers in
clear; this encrypts the rows already written, in place. Reversing leaves them encrypted: the
application reads both forms, and a downgrade must not write personal data back in clear.
"""

from django.db import migrations

import qiangji.core.personal
from qiangji.core.personal import personal_fields, seal

BATCH = 500


def seal_existing(apps, schema_editor):
    EntityChange = apps.get_model("campaign", "EntityChange")
    Visit = apps.get_model("campaign", "Visit")
    personal = list(personal_fields("campaign.Entity"))
    changes = EntityChange.objects.filter(field__in=personal).exclude(old__startswith="g1:", new__startswith="g1:")
    pending = []
    for change in changes.only("pk", "old", "new").iterator(chunk_size=BATCH):
        change.old, change.new = seal(change.old), seal(change.new)
        pending.append(change)
        if len(pending) >= BATCH:
            EntityChange.objects.bulk_update(pending, ["old", "new"])
            pending = []
    EntityChange.objects.bulk_update(pending, ["old", "new"])
    # The field itself seals on save; what is read back is clear either way.
    visits = [v for v in Visit.objects.only("pk", "facts").iterator(chunk_size=BATCH) if set(v.facts or {}) & set(personal)]
    Visit.objects.bulk_update(visits, ["facts"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("campaign", "0002_five_musts"),
    ]

    operations = [
        migrations.AlterField(
            model_name="visit",
            name="facts",
            field=qiangji.core.personal.PersonalJSONField(
                blank=True, default=dict, keys_of="campaign.Entity", verbose_name="核实信息"
            ),
        ),
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
    ]
