"""Key rotation drill (docs/operations.md, "密钥轮换"): data under key A → rotate to key B with A
still configured → everything reads, ID-number search and re-import find the same members → A
removed, everything still reads; an interrupted run is finished by running again."""

from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from qiangji.core import keyrotation as kr
from qiangji.core.crypto import current_key_ids, key_id, keyed_hash
from qiangji.core.management.commands import rotate_keys
from qiangji.core.models import ImportRow
from qiangji.core.spreadsheets import storage
from qiangji.members.models import Member
from qiangji.members.tests.test_import_members import ID_LI, ID_WANG, ID_ZHANG, messy_roster, run

KEY_A, HASH_A = django_settings.FIELD_ENCRYPTION_KEY, django_settings.FIELD_HASH_KEY
KEY_B, HASH_B = "bmV3LWZpZWxkLWtleS1mb3ItdGhlLXJvdGF0aW9uLWRyaWxs", "new-hash-key-for-the-rotation-drill"
ID_A, ID_B = key_id(KEY_A, "field"), key_id(KEY_B, "field")
PEOPLE = {ID_ZHANG: "张伟", ID_LI: "李娜", ID_WANG: "王强"}


def raw(sql, *params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def command(*args) -> str:
    out = StringIO()
    call_command("rotate_keys", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def check_fails() -> str:
    out = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("rotate_keys", "--check", stdout=out)
    return out.getvalue() + str(error.value)


def key_ids_in_use() -> dict[str, int]:
    with connection.cursor() as cursor:
        return kr.key_usage(cursor)[1]


def clear_values() -> dict:
    return {
        "members": {m.pk: (m.name, m.id_number, m.phone, m.address) for m in Member.objects.all()},
        "rows": {r.pk: r.raw for r in ImportRow.objects.all()},
    }


def assert_everything_reads(state):
    """Every member decrypts to what it was, every ID number finds its member, the invalid
    import rows' cells and the pending file read back."""
    now = clear_values()
    assert now["members"] == state["clear"]["members"]
    assert {pk: now["rows"][pk] for pk in state["clear"]["rows"]} == state["clear"]["rows"]
    for number, name in PEOPLE.items():
        assert list(Member.objects.search(number).values_list("name", flat=True)) == [name]
    assert storage.load(state["file"]) == b"PK\x03\x04 a pending sheet"


@pytest.fixture
def under_key_a(town, settings, tmp_path):
    """The roster imported under key A (with its invalid rows kept encrypted), one value written
    before ciphertexts named their key, and a sheet waiting to be imported."""
    settings.MEDIA_ROOT = tmp_path
    run(messy_roster(), commit=True)
    zhang = Member.objects.get(name="张伟")
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM members_member WHERE id = %s", [zhang.pk])
        legacy = "g1:" + cursor.fetchone()[0].rpartition(":")[2]
        cursor.execute("UPDATE members_member SET phone = %s WHERE id = %s", [legacy, zhang.pk])
    assert ImportRow.objects.exclude(raw="").count() == 3
    return {"settings": settings, "file": storage.store(b"PK\x03\x04 a pending sheet"), "clear": clear_values()}


def to_key_b(settings, *, keep_old=True):
    settings.FIELD_ENCRYPTION_KEY, settings.FIELD_HASH_KEY = KEY_B, HASH_B
    settings.FIELD_ENCRYPTION_KEYS_OLD = [KEY_A] if keep_old else []
    settings.FIELD_HASH_KEYS_OLD = [HASH_A] if keep_old else []


def test_rotation_drill(under_key_a):
    settings = under_key_a["settings"]
    before = key_ids_in_use()
    assert before == {ID_A: before[ID_A], "legacy": 1} and before[ID_A] > 6
    to_key_b(settings)

    # Before the rotation runs, the old keys still read and find everything.
    assert_everything_reads(under_key_a)
    report = check_fails()
    assert report == (
        f"当前加密密钥编号 {ID_B}，当前查询密钥编号 {key_id(HASH_B, 'hash')}。\n"
        f"仍可读取的旧加密密钥编号：{ID_A}；旧查询密钥编号：{key_id(HASH_A, 'hash')}。\n"
        f"导入行·原始内容（core.ImportRow.raw）：3 个在密钥 {ID_A} 下\n"
        f"党员·公民身份号码（members.Member.id_number）：3 个在密钥 {ID_A} 下\n"
        f"党员·联系电话（members.Member.phone）：1 个在密钥 {ID_A} 下、1 个旧格式（无密钥编号）\n"
        f"党员·家庭住址（members.Member.address）：1 个在密钥 {ID_A} 下\n"
        "党员·身份证号查询哈希（members.Member.id_number_hash）：3 个查询哈希不是用当前查询密钥生成的\n"
        "待导入的上传文件：1 个在旧密钥下\n"
        "仍有 13 个值在旧密钥下。请运行 manage.py rotate_keys。"
    )

    out = command("--batch-size", "2")
    assert f"当前加密密钥编号 {ID_B}，当前查询密钥编号 {key_id(HASH_B, 'hash')}。" in out
    assert "  党员·公民身份号码（members.Member.id_number）：已检查 2/3 行，已重写 2 个值\n" in out
    assert "  党员·公民身份号码（members.Member.id_number）：已检查 3/3 行，已重写 3 个值\n" in out
    assert "  待导入的上传文件：共 1 个，已重新加密 1 个\n" in out
    assert out.endswith("并重启服务。\n")
    assert key_ids_in_use() == {ID_B: sum(before.values())}
    hashes = {name: h for name, h in Member.objects.values_list("name", "id_number_hash")}
    assert {hashes[name] for name in PEOPLE.values()} == {keyed_hash(n) for n in PEOPLE}
    assert "核对通过" in command("--check")
    assert_everything_reads(under_key_a)

    # The same sheet again matches the members it made: nothing new, nothing changed.
    members = Member.objects.count()
    result = run(messy_roster(), commit=True)
    assert result.counts == {"new": 0, "changed": 0, "unchanged": 3, "invalid": 3, "total": 6}
    assert Member.objects.count() == members

    # Rotation over: key A removed, everything still reads.
    to_key_b(settings, keep_old=False)
    assert_everything_reads(under_key_a)
    assert "未配置旧密钥。" in command("--check")


def test_the_sheet_reimported_during_the_rotation_matches_members_whose_hash_is_old(under_key_a):
    to_key_b(under_key_a["settings"])
    members = Member.objects.count()
    result = run(messy_roster(), commit=True)
    assert result.counts == {"new": 0, "changed": 0, "unchanged": 3, "invalid": 3, "total": 6}
    assert Member.objects.count() == members


def test_an_interrupted_rotation_is_finished_by_running_it_again(under_key_a, monkeypatch):
    to_key_b(under_key_a["settings"])

    def interrupt(self, progress):
        # Ctrl-C right after the batch that rewrote the second value was committed.
        if progress.rewritten == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(rotate_keys.Command, "_report", interrupt)
    with pytest.raises(KeyboardInterrupt):
        command("--batch-size", "1")
    monkeypatch.undo()
    # The batches before the interruption are written; the rest is still under A and reads.
    halfway = key_ids_in_use()
    assert halfway[ID_B] == 2 and halfway[ID_A] > 0
    assert_everything_reads(under_key_a)

    out = command("--batch-size", "1")
    assert key_ids_in_use() == {ID_B: sum(halfway.values())}
    assert "轮换完成" in out
    to_key_b(under_key_a["settings"], keep_old=False)
    assert_everything_reads(under_key_a)


def test_a_value_no_configured_key_opens_is_left_alone_and_reported(under_key_a):
    to_key_b(under_key_a["settings"], keep_old=False)
    before = raw("SELECT id, id_number, phone FROM members_member ORDER BY id")
    with pytest.raises(CommandError) as error:
        command()
    assert str(error.value).startswith("有 ")
    assert "请检查 QIANGJI_FIELD_KEYS_OLD 是否包含全部旧密钥" in str(error.value)
    assert raw("SELECT id, id_number, phone FROM members_member ORDER BY id") == before


def test_a_row_saved_during_the_rotation_is_not_overwritten(under_key_a, monkeypatch):
    """Compare and swap: the stored value must still be the one read."""
    to_key_b(under_key_a["settings"])
    zhang = Member.objects.get(name="张伟")
    column = next(c for c in kr.encrypted_columns() if c.model is Member and c.field.name == "address")
    real = kr._rewrap

    def save_meanwhile(col, value, current):
        if col == column and value and ID_A in value:
            Member.objects.filter(pk=zhang.pk).update(address="上海市崇明区竖新镇新地址8号")
        return real(col, value, current)

    monkeypatch.setattr(kr, "_rewrap", save_meanwhile)
    progress = kr.rotate_column(column, batch_size=10)
    assert progress.moved_meanwhile >= 1
    assert Member.objects.get(pk=zhang.pk).address == "上海市崇明区竖新镇新地址8号"


def test_every_encrypted_column_of_every_model_is_found():
    found = {(c.model._meta.label, c.field.name, c.kind) for c in kr.encrypted_columns()}
    assert {
        ("members.Member", "id_number", "text"),
        ("members.Member", "phone", "text"),
        ("members.Member", "address", "text"),
        ("core.ImportRow", "raw", "text"),
        ("accounts.TotpDevice", "secret", "text"),
        ("campaign.Visit", "facts", "json"),
        ("campaign.EntityChange", "old", "sealed"),
        ("campaign.EntityChange", "new", "sealed"),
    } <= found
    assert {(c.model._meta.label, c.field.name, c.source.name) for c in kr.hash_columns()} == {
        ("members.Member", "id_number_hash", "id_number")
    }


def test_a_key_id_is_a_fingerprint_that_reveals_nothing(settings):
    settings.FIELD_ENCRYPTION_KEY = KEY_B
    assert current_key_ids()["field"] == ID_B != ID_A
    assert len(ID_B) == 16 and int(ID_B, 16) >= 0 and KEY_B not in ID_B
