"""The audit log and the change history are append-only: the ORM refuses every change and delete,
and on PostgreSQL a trigger refuses them from SQL too (docs/security.md "Audit retention")."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, IntegrityError, connection, transaction

from qiangji.core.audit import audit
from qiangji.core.models import AuditEvent, ChangeRecord, append_only_maintenance
from qiangji.orgs.models import Organization

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")


@pytest.fixture
def rows(db, users, town):
    event = audit(user=users["town_admin"], action=AuditEvent.Action.EXPORT, obj=town["branch_a1"], row_count=3)
    record = ChangeRecord.objects.create(
        content_type=ContentType.objects.get_for_model(Organization),
        object_id=town["branch_a1"].pk,
        object_repr="东村第一党支部",
        action=ChangeRecord.Action.UPDATE,
        changes={"name": ["旧", "新"]},
    )
    return {"event": event, "record": record}


def snapshot():
    return (
        list(AuditEvent.objects.order_by("pk").values_list("pk", "row_count", "object_repr")),
        list(ChangeRecord.objects.order_by("pk").values_list("pk", "object_repr", "changes")),
    )


@pytest.mark.parametrize(("model", "label"), [(AuditEvent, "审计记录"), (ChangeRecord, "变更记录")], ids=["audit", "history"])
def test_orm_refuses_bulk_update_and_delete(rows, model, label):
    before = snapshot()
    with pytest.raises(PermissionError, match=f"{label}不可修改"):
        model.objects.all().update(object_repr="改")
    with pytest.raises(PermissionError, match=f"{label}不可修改"):
        obj = model.objects.get()
        obj.object_repr = "改"
        model.objects.bulk_update([obj], ["object_repr"])
    with pytest.raises(PermissionError, match=f"{label}不可删除"):
        model.objects.all().delete()
    with pytest.raises(PermissionError, match=f"{label}不可删除"):
        model.objects.filter(pk=obj.pk)._raw_delete(model.objects.db)
    assert snapshot() == before


@pytest.mark.parametrize("key", ["event", "record"])
def test_orm_refuses_save_and_delete_of_one_existing_row(rows, key):
    before = snapshot()
    obj = rows[key]
    obj.object_repr = "改"
    with pytest.raises(PermissionError, match="不可修改"):
        obj.save()
    with pytest.raises(PermissionError, match="不可修改"):
        obj.save(update_fields=["object_repr"])
    fresh = type(obj).objects.get(pk=obj.pk)
    fresh.object_repr = "改"
    with pytest.raises(PermissionError, match="不可修改"):
        fresh.save()
    with pytest.raises(PermissionError, match="不可删除"):
        fresh.delete()
    assert snapshot() == before


def test_a_copy_under_an_existing_key_does_not_overwrite(rows):
    before = snapshot()
    copy = ChangeRecord(**{f.attname: getattr(rows["record"], f.attname) for f in ChangeRecord._meta.concrete_fields})
    copy.object_repr = "改"
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()
    assert snapshot() == before


@postgres_only
@pytest.mark.parametrize("table", ["core_auditevent", "core_changerecord"])
def test_postgresql_refuses_update_and_delete_by_sql(rows, table):
    before = snapshot()
    for statement in (f"UPDATE {table} SET object_repr = 'x'", f"DELETE FROM {table}"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert snapshot() == before


@postgres_only
def test_maintenance_lets_one_transaction_through_and_no_more(rows):
    with transaction.atomic(), append_only_maintenance(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_changerecord")
    assert ChangeRecord.objects.count() == 0
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent")
    assert AuditEvent.objects.count() == 1
