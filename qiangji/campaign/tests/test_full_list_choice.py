"""Full list or partial list, as the user met it: a 7-row district sheet against a register of 10.

The uploader must say which the sheet is (no default); the preview counts the sheet's own rows
and states apart what a full list does to the register; a full list marking more than
IMPORT_GONE_CONFIRM_SHARE of the register gone commits only once that number is confirmed; a row
with a registered entity's name in its village under a new credit code is a possible duplicate.
"""

import io

import pytest

from qiangji.campaign.models import BaseRecord, ChecklistItem, Entity, EntityBatch, VisitTask
from qiangji.campaign.services.visits import visit_review, visit_submit
from qiangji.campaign.tests.conftest import credit_code
from qiangji.campaign.tests.test_import_entities import workbook
from qiangji.core.errors import DomainError
from qiangji.core.models import ImportBatch
from qiangji.core.spreadsheets import CONFIRMED, services

REFUSAL = (
    "本次为全量名单，将把登记册中 7 个在册主体（占 10 个的 70%，超过 20%）标记为疑似注销，"
    "须确认这一数字后才能导入；如本表只是部分名单，请放弃后按部分名单重新上传。"
)


def blank(name, code, village="东村", address=""):
    return [name, code, "企业", village, address, None, None, None, None, None, None, None]


@pytest.fixture
def town_register(entity, teams):
    """10 active entities in 东村 (one closed besides, never gone)."""
    entities = [entity() for _ in range(10)]
    entity(name="已歇业商店", status=Entity.Status.CLOSED)
    return entities


@pytest.fixture
def seven_rows(town_register):
    """Rows 5–11: two register entities by code, the third's name under a new code and another
    address, four new ones."""
    e1, e2, e3 = town_register[:3]
    return workbook(
        [
            blank(e1.name, e1.credit_code, address=e1.address),
            blank(e2.name, e2.credit_code, address=e2.address),
            blank(e3.name, credit_code(700), address="东村新址99号"),
            *(blank(f"崇明新办{n}号商贸有限公司", credit_code(710 + n), address=f"东村{200 + n}号") for n in range(4)),
        ]
    )


def state():
    return (
        ImportBatch.objects.count(),
        EntityBatch.objects.count(),
        BaseRecord.objects.count(),
        VisitTask.objects.count(),
        list(Entity.objects.order_by("pk").values_list("pk", "status", "credit_code", "version")),
    )


# Engine and importer ----------------------------------------------------------------------------


def test_the_choice_is_required_at_every_door(users, seven_rows):
    before = state()
    with pytest.raises(DomainError) as error:
        services.import_file(kind="entities", file_name="名单.xlsx", data=seven_rows, commit=True, user=users["town_admin"])
    assert error.value.message == "请选择名单范围：本表是全量名单还是部分名单"
    with pytest.raises(DomainError):
        services.import_file(
            kind="entities", file_name="名单.xlsx", data=seven_rows, commit=False, options={"list": "everything"}
        )
    assert state() == before


def test_a_full_list_counts_its_own_rows_and_the_gone_apart(users, seven_rows, town_register):
    result = services.import_file(kind="entities", file_name="名单.xlsx", data=seven_rows, commit=False, options={"list": "full"})
    assert result.counts == {"new": 4, "unchanged": 2, "changed": 0, "duplicate": 1, "invalid": 0, "gone": 7, "total": 7}
    assert len(result.rows) == 14  # the 7 rows and the 7 register entities the list no longer names


def test_a_partial_list_marks_nothing_gone(users, seven_rows):
    result = services.import_file(
        kind="entities", file_name="名单.xlsx", data=seven_rows, commit=False, options={"list": "partial"}
    )
    assert (result.counts["gone"], result.counts["total"], result.counts["duplicate"]) == (0, 7, 1)


def test_same_name_same_village_new_code_is_a_possible_duplicate_of_the_registered_one(users, seven_rows, town_register):
    e3 = town_register[2]
    services.import_file(
        kind="entities", file_name="名单.xlsx", data=seven_rows, commit=True, user=users["town_admin"],
        options={"list": "partial"},
    )  # fmt: skip
    record = BaseRecord.objects.get(row_number=7)
    assert (record.klass, record.duplicate_of, record.entity, record.state) == ("duplicate", e3, None, "pending")
    assert record.note == f"与同村在册主体“{e3.name}”同名，但统一社会信用代码不同（在册为{e3.credit_code}）"
    assert record.task.entity == e3 and record.task.reason.startswith("疑似与在册主体重复，请核实是否同一主体")

    # The team finds it is the same entity under its new code: the approved visit corrects the
    # registered one; no second entity appears.
    entities = Entity.objects.count()
    checklist = [str(pk) for pk in ChecklistItem.objects.filter(active=True).values_list("pk", flat=True)]
    visit = visit_submit(
        task=record.task,
        by=users["visitor"],
        data={"visited_on": "2026-11-24", "checklist": checklist, "facts": {"credit_code": credit_code(700)},
              "card_number": "XLX-2026-0700"},
    )  # fmt: skip
    visit_review(visit=visit, by=users["town_admin"], action="approve")
    e3.refresh_from_db()
    assert e3.credit_code == credit_code(700) and Entity.objects.count() == entities


def test_a_same_name_row_without_a_code_in_another_village_is_new(users, town_register, teams):
    e1 = town_register[0]
    sheet = workbook([blank(e1.name, None, village="西村", address="西村1号")])
    result = services.import_file(kind="entities", file_name="名单.xlsx", data=sheet, commit=False, options={"list": "partial"})
    assert (result.counts["new"], result.counts["duplicate"]) == (1, 0)


def test_a_full_list_over_the_share_commits_only_with_the_number_confirmed(users, seven_rows, settings):
    admin = users["town_admin"]
    before = state()
    for options in ({"list": "full"}, {"list": "full", CONFIRMED: 6}):
        with pytest.raises(DomainError) as error:
            services.import_file(
                kind="entities", file_name="名单.xlsx", data=seven_rows, commit=True, user=admin, options=options
            )
        assert error.value.message == REFUSAL
        assert state() == before
    result = services.import_file(
        kind="entities", file_name="名单.xlsx", data=seven_rows, commit=True, user=admin, options={"list": "full", CONFIRMED: 7}
    )
    assert result.counts["gone"] == 7
    assert EntityBatch.objects.get().records.filter(klass="gone").count() == 7


def test_under_the_share_nothing_needs_confirming(users, seven_rows, settings):
    settings.IMPORT_GONE_CONFIRM_SHARE = 0.7  # 7 of 10 is not more than 70 %
    result = services.import_file(
        kind="entities", file_name="名单.xlsx", data=seven_rows, commit=True, user=users["town_admin"], options={"list": "full"}
    )
    assert result.counts["gone"] == 7 and EntityBatch.objects.count() == 1


def test_the_command_asks_for_the_choice_and_the_confirmation_in_chinese(seven_rows, tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "名单.xlsx"
    path.write_bytes(seven_rows)
    before = state()
    with pytest.raises(CommandError) as error:
        call_command("import_entities", str(path))
    assert str(error.value) == "请选择名单范围：本表是全量名单还是部分名单（--full 或 --partial）"
    with pytest.raises(CommandError) as error:
        call_command("import_entities", str(path), "--full")
    assert str(error.value) == REFUSAL
    assert state() == before
    call_command("import_entities", str(path), "--full", "--confirm-gone", "7", stdout=io.StringIO())
    assert EntityBatch.objects.get().counts["gone"] == 7


# Pages ------------------------------------------------------------------------------------------


def upload(client, data, **fields):
    sheet = io.BytesIO(data)
    sheet.name = "街道补报.xlsx"
    return client.post("/imports/", {"kind": "entities", "file": sheet, **fields}, follow=True)


def test_the_page_refuses_an_upload_without_the_choice(client_as, users, seven_rows, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    before = state()
    response = upload(client_as(users["town_admin"]), seven_rows)
    assert response.redirect_chain == []
    assert "请选择名单范围：本表是全量名单还是部分名单" in response.content.decode()
    assert state() == before


def test_the_preview_counts_the_sheet_and_the_commit_needs_the_confirmation(client_as, users, seven_rows, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client = client_as(users["town_admin"])
    response = upload(client, seven_rows, option_entities_list="full")
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.total_rows, batch.counts["total"], batch.counts["gone"]) == ("preview", 7, 7, 7)
    html = response.content.decode()
    assert "表头在第 4 行，数据 7 行" in html
    assert (
        "全量名单：名单共 7 行；登记册中另有 7 个主体未出现在名单中，将标记为疑似注销（由走访队逐一核实，审核通过后才注销）。"
    ) in html
    assert '<input class="form-check-input" type="checkbox" name="confirmed" value="7" id="import-confirmed">' in html
    assert "我已确认将 7 个主体标记为疑似注销" in html
    assert "与同村在册主体" in html  # the possible duplicate, shown for review

    before = state()
    for data in ({}, {"confirmed": "6"}, {"confirmed": "七"}):
        response = client.post(f"/imports/{batch.pk}/commit/", data, follow=True)
        assert REFUSAL in response.content.decode()
        batch.refresh_from_db()
        assert batch.status == "preview" and "confirmed" not in batch.options
        assert state() == before

    response = client.post(f"/imports/{batch.pk}/commit/", {"confirmed": "7"}, follow=True)
    own = EntityBatch.objects.get()
    assert response.redirect_chain[-1][0] == f"/campaign/batches/{own.pk}/"
    assert (own.is_full, own.counts["gone"], own.counts["total"]) == (True, 7, 7)
    batch.refresh_from_db()
    assert (batch.status, batch.total_rows, batch.options) == ("done", 7, {"list": "full", "confirmed": 7})


def test_a_partial_list_needs_no_confirmation(client_as, users, seven_rows, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client = client_as(users["town_admin"])
    response = upload(client, seven_rows, option_entities_list="partial")
    html = response.content.decode()
    assert "数据 7 行" in html and 'name="confirmed"' not in html
    batch = ImportBatch.objects.get()
    client.post(f"/imports/{batch.pk}/commit/")
    assert EntityBatch.objects.get().counts["gone"] == 0


def test_only_the_uploader_commits(client_as, users, seven_rows, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    upload(client_as(users["town_admin"]), seven_rows, option_entities_list="full")
    batch = ImportBatch.objects.get()
    before = state()
    assert client_as(users["secretary_a"]).post(f"/imports/{batch.pk}/commit/", {"confirmed": "7"}).status_code == 404
    assert state() == before
