"""On PostgreSQL, the audit log and the change history refuse UPDATE and DELETE from any SQL.

The ORM already refuses (core.models.AppendOnlyModel); the trigger covers raw SQL, the shell and
a future bug. One transaction may pass through it after `SELECT set_config('qiangji.append_only_maintenance',
'on', true)` (core.models.append_only_maintenance): the demo's reset and an operator's purge of
rows older than the retention period (docs/security.md). TRUNCATE is an operator's statement, not
a row change, and is not covered.
"""

from django.db import migrations

TABLES = ("core_auditevent", "core_changerecord")

FUNCTION = """
CREATE OR REPLACE FUNCTION qiangji_append_only() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('qiangji.append_only_maintenance', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% on % refused: audit and history rows are append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION qiangji_append_only()"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS qiangji_append_only()")


class Migration(migrations.Migration):
    dependencies = [("core", "0005_import_batch_options")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
