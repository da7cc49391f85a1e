"""`manage.py backup` / `restore`: a drill on a small town, and every reason to refuse.

The drill runs on whichever database the suite uses (SQLite by default; PostgreSQL with
DATABASE_URL), so CI proves both: backup → empty database → restore → the same town.
Restore needs committed rows and a real connection, hence `transaction=True`.
"""

import datetime as dt
import importlib
import io
import json
import tarfile
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from qiangji import factories as f
from qiangji.core import backup
from qiangji.core.crypto import current_key_ids
from qiangji.members.models import Member

pytestmark = pytest.mark.django_db(transaction=True)

ID_NUMBER = f.fake_id_number(birth=dt.date(1985, 3, 9), female=True, seq=123)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "imports" / "2026").mkdir(parents=True)
    (settings.MEDIA_ROOT / "imports" / "2026" / "花名册.xlsx").write_bytes(b"PK\x03\x04 roster")
    (settings.MEDIA_ROOT / "photo.jpg").write_bytes(b"\xff\xd8 photo")
    return settings.MEDIA_ROOT


@pytest.fixture
def small_town(town, users, media):
    f.member(organization=town["branch_a2"], name="王红梅", female=True, id_number=ID_NUMBER, phone="13900001111")
    return town


def media_state(root):
    return sorted((p.relative_to(root).as_posix(), p.read_bytes()) for p in root.rglob("*") if p.is_file())


def run(command, *args):
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


SEEDS = [
    ("qiangji.campaign.migrations.0002_five_musts", "seed"),
    ("qiangji.campaign.migrations.0007_care_visit_sends_asks", "seed"),
    ("qiangji.ledger.migrations.0002_grade_levels", "add_levels"),
    ("qiangji.orglife.migrations.0002_seed_requirements", "seed"),
    ("qiangji.orglife.migrations.0005_requirement_general_branch", "seed"),
    ("qiangji.reserve.migrations.0002_pools", "seed"),
    ("qiangji.trainings.migrations.0002_default_requirements", "seed"),
]


def empty_the_database():
    """What the operator starts from: a database on which `migrate` has just run. `flush` leaves
    Django's content types and permissions; the data migrations' reference rows are put back."""
    call_command("flush", interactive=False, verbosity=0)
    for module, function in SEEDS:
        getattr(importlib.import_module(module), function)(django_apps, None)
    assert {t for t, n in backup.table_counts().items() if n} == backup.MIGRATE_FILLED


def repack(archive, target, change):
    """A copy of `archive` whose manifest went through `change`."""
    with tarfile.open(archive, "r:gz") as src, tarfile.open(target, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == backup.MANIFEST:
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    return target


def test_drill_backup_then_restore_into_an_empty_database(small_town, media, tmp_path):
    archive = tmp_path / "town.tar.gz"
    out = run("backup", "--output", str(archive))
    counts = backup.table_counts()
    files = media_state(media)

    with tarfile.open(archive) as tar:
        text = tar.extractfile("manifest.json").read().decode()
        names = sorted(tar.getnames())
    manifest = json.loads(text)
    assert out == (
        f"已备份到 {archive}：{len(counts)} 张表共 {sum(counts.values())} 行，上传文件 2 个。"
        "文件含个人信息，请存放在安全的位置。\n"
    )
    assert archive.stat().st_mode & 0o777 == 0o600
    assert manifest["app_version"] == "0.1.0"
    assert manifest["database"] == {"vendor": connection.vendor, "file": backup.DB_FILES[connection.vendor]}
    assert manifest["tables"] == counts
    assert manifest["tables"]["members_member"] == 2
    assert manifest["migrations"] == backup.latest_migrations()
    assert manifest["migrations"]["members"].startswith("00")
    # Two members × (ID number, phone, address): all sealed under scheme g1; keys never written.
    assert manifest["encryption"]["schemes"] == {"g1": 6}
    ids = current_key_ids()
    assert manifest["encryption"]["key_ids"] == manifest["encryption"]["key_checks"] == ids
    assert manifest["encryption"]["values_by_key"] == {ids["field"]: 6}
    assert "ZGV2LW9ubHktZmllbGQta2V5" not in text and "dev-only-hash-key" not in text
    assert manifest["media"] == {"files": 2, "bytes": len(b"PK\x03\x04 roster") + len(b"\xff\xd8 photo")}
    assert names == sorted(
        ["manifest.json", backup.DB_FILES[connection.vendor], "media/imports/2026/花名册.xlsx", "media/photo.jpg"]
    )

    empty_the_database()
    for path in sorted(media.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    assert Member.objects.count() == 0

    out = run("restore", str(archive))

    assert f"核对通过：{len(counts)} 张表的行数与备份清单一致。" in out
    assert "上传文件 2 个" in out
    assert backup.table_counts() == counts
    assert media_state(media) == files
    restored = Member.objects.get(name="王红梅")
    assert (restored.id_number, restored.phone) == (ID_NUMBER, "13900001111")
    assert Member.objects.search(ID_NUMBER).get() == restored  # the keyed hash still finds it
    client = Client()
    assert client.login(username="admin", password="Qiangji-Test-2026")
    assert client.get("/").status_code == 200
    assert Client().login(username="sec_a", password="Qiangji-Test-2026")


@pytest.fixture
def archive(small_town, tmp_path):
    path = tmp_path / "town.tar.gz"
    run("backup", "--output", str(path))
    return path


def refused(*args):
    """Run restore, expect a refusal; return its message."""
    with pytest.raises(CommandError) as error:
        run("restore", *args)
    return str(error.value)


def test_restore_refuses_a_database_with_rows(archive, media):
    before, files = backup.table_counts(), media_state(media)
    message = refused(str(archive))
    assert message.startswith("只能恢复到空数据库，当前数据库已有数据（")
    assert message.endswith("等表）。请新建一个空数据库后再恢复。未做任何修改。")
    assert (backup.table_counts(), media_state(media)) == (before, files)


@pytest.fixture
def emptied(archive, media):
    empty_the_database()
    for path in sorted(media.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    return backup.table_counts()


def assert_unchanged(counts, media):
    assert backup.table_counts() == counts
    assert media_state(media) == []
    assert Member.objects.count() == 0


def test_missing_file(emptied, media, tmp_path):
    assert refused(str(tmp_path / "nope.tar.gz")) == f"找不到备份文件：{tmp_path / 'nope.tar.gz'}"
    assert_unchanged(emptied, media)


def test_not_an_archive(emptied, media, tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"this is a spreadsheet, not a backup")
    assert refused(str(junk)) == f"这不是备份文件（应为 manage.py backup 生成的 .tar.gz）：{junk}"
    assert_unchanged(emptied, media)


def test_an_archive_without_manifest(emptied, media, tmp_path):
    other = tmp_path / "other.tar.gz"
    with tarfile.open(other, "w:gz") as tar:
        tar.add(__file__, arcname="test_backup.py")
    assert refused(str(other)) == "这不是本系统的备份文件（缺少 manifest.json）"
    assert_unchanged(emptied, media)


def test_another_kind_of_database(archive, emptied, media, tmp_path):
    other = {"sqlite": "postgresql", "postgresql": "sqlite"}[connection.vendor]

    def change(manifest):
        manifest["database"]["vendor"] = other

    labels = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    message = refused(str(repack(archive, tmp_path / "other.tar.gz", change)))
    assert (
        message == f"备份来自 {labels[other]} 数据库，当前使用的是 {labels[connection.vendor]} 数据库，不能恢复。未做任何修改。"
    )
    assert_unchanged(emptied, media)


def test_a_newer_schema(archive, emptied, media, tmp_path):
    def change(manifest):
        manifest["migrations"]["members"] = "0099_from_the_future"

    message = refused(str(repack(archive, tmp_path / "newer.tar.gz", change)))
    assert message == (
        "备份来自更新版本的系统（本程序不认识其数据库结构：members.0099_from_the_future），"
        "请先把程序升级到备份时的版本再恢复。未做任何修改。"
    )
    assert_unchanged(emptied, media)


def test_other_encryption_keys(archive, emptied, media, settings):
    original = backup.current_key_checks()["field"]
    settings.FIELD_ENCRYPTION_KEY = "another-key-from-another-server"
    message = refused(str(archive))
    assert message == (
        "备份使用的加密密钥与本机设置（QIANGJI_FIELD_KEY、QIANGJI_HASH_KEY 及其 _KEYS_OLD）不同，"
        f"恢复后个人信息将无法解密（缺少密钥编号 {original}）。请先配置备份时使用的密钥。未做任何修改。"
    )
    assert_unchanged(emptied, media)


def test_a_backup_under_keys_now_old_restores_and_asks_for_a_rotation(archive, emptied, media, settings):
    """Restoring last week's backup after a key rotation: the old keys, still configured as old
    ones, read it; restore says to run rotate_keys."""
    settings.FIELD_ENCRYPTION_KEYS_OLD, settings.FIELD_HASH_KEYS_OLD = [settings.FIELD_ENCRYPTION_KEY], [settings.FIELD_HASH_KEY]
    settings.FIELD_ENCRYPTION_KEY, settings.FIELD_HASH_KEY = "the-field-key-after-a-rotation", "the-hash-key-after-a-rotation"
    out = run("restore", str(archive))
    assert "备份中的数据用旧密钥加密：请运行 manage.py rotate_keys 把它们移到当前密钥下。" in out
    restored = Member.objects.get(name="王红梅")
    assert (restored.id_number, Member.objects.search(ID_NUMBER).get()) == (ID_NUMBER, restored)


def test_backup_into_a_missing_directory(small_town, tmp_path):
    with pytest.raises(CommandError) as error:
        run("backup", "--output", str(tmp_path / "no" / "such" / "dir.tar.gz"))
    assert str(error.value) == f"目录不存在：{tmp_path / 'no' / 'such'}"
    assert list(tmp_path.glob("**/*.tar.gz*")) == []


def test_a_file_outside_the_media_folder(archive, emptied, media, tmp_path):
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "r:gz") as src, tarfile.open(evil, "w:gz") as dst:
        for member in src.getmembers():
            dst.addfile(member, src.extractfile(member))
        info = tarfile.TarInfo("media/../../escaped.txt")
        info.size = 4
        dst.addfile(info, io.BytesIO(b"evil"))
    assert refused(str(evil)) == "备份文件中有不应有的内容（media/../../escaped.txt），可能已被改动，不能恢复。未做任何修改。"
    assert_unchanged(emptied, media)
    assert not (tmp_path / "escaped.txt").exists()


def test_counts_that_differ_from_the_manifest_are_reported(archive, emptied, media, tmp_path):
    def change(manifest):
        manifest["tables"]["members_member"] = 3

    message = refused(str(repack(archive, tmp_path / "counted.tar.gz", change)))
    assert message == "以下表的行数与备份清单不一致，请勿使用该数据库，并联系技术支持：\n  members_member：备份 3 行，恢复后 2"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite restores the whole file, then `migrate` upgrades it")
def test_postgresql_needs_the_same_schema(archive, emptied, media, tmp_path):
    from django.db.migrations.loader import MigrationLoader

    graph = MigrationLoader(None).graph
    latest = backup.latest_migrations()["members"]
    older = next(name for app, name in graph.node_map[("members", latest)].parents if app == "members")

    def change(manifest):
        manifest["migrations"]["members"] = older

    message = refused(str(repack(archive, tmp_path / "older.tar.gz", change)))
    assert message == (
        "备份的数据库结构与当前程序不同：请用备份时的程序版本建库（manage.py migrate）并恢复，再升级程序。未做任何修改。"
    )
    assert_unchanged(emptied, media)


@pytest.mark.django_db(transaction=False)
def test_the_tables_migrate_fills_are_known(tmp_path):
    """An operator restores into a database on which `migrate` has just run: whatever it wrote
    must not count as data (or every restore would be refused), and is replaced by the archive's."""
    import os
    import sqlite3
    import subprocess
    import sys

    from django.conf import settings

    db = tmp_path / "fresh.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=settings.BASE_DIR, env=env, check=True)
    with sqlite3.connect(db) as fresh:
        tables = [t for (t,) in fresh.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        filled = {t for t in tables if t != "sqlite_sequence" and fresh.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]}
    assert filled == backup.MIGRATE_FILLED


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL refuses another schema (test above)")
def test_sqlite_restores_an_older_schema_then_asks_for_migrate(archive, emptied, media, tmp_path):
    """A backup from before an upgrade: restored as it was, and the operator is told to migrate."""
    import sqlite3

    latest = backup.latest_migrations()["members"]
    with tarfile.open(archive, "r:gz") as tar:
        tar.extract(backup.DB_FILES["sqlite"], path=tmp_path, filter="data")
    db = tmp_path / backup.DB_FILES["sqlite"]
    with sqlite3.connect(db) as old:
        old.execute("DELETE FROM django_migrations WHERE app = 'members' AND name = ?", [latest])
    older = tmp_path / "older.tar.gz"
    with tarfile.open(archive, "r:gz") as src, tarfile.open(older, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == backup.MANIFEST:
                manifest = json.loads(data)
                manifest["tables"]["django_migrations"] -= 1
                manifest["migrations"] = {app: name for app, name in manifest["migrations"].items() if app != "members"}
                data = json.dumps(manifest).encode()
            elif member.name == db.name:
                data = db.read_bytes()
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))

    try:
        out = run("restore", str(older))
        after = backup.latest_migrations()["members"]
    finally:
        # `flush` leaves django_migrations alone: the rest of the session needs the record back.
        MigrationRecorder(connection).record_applied("members", latest)

    tables = len(manifest["tables"])
    assert out.endswith(
        f"核对通过：{tables} 张表的行数与备份清单一致。\n备份来自较早的版本：请运行 manage.py migrate 升级数据库结构。\n"
    )
    assert after != latest
    assert Member.objects.count() == 2


def test_backup_into_a_directory(small_town, tmp_path, freeze_day):
    freeze_day("2026-11-25")
    out = run("backup", "--output", str(tmp_path))
    [archive] = tmp_path.glob("*.tar.gz")
    assert archive.name.startswith("qiangji-backup-20261125-10")
    assert out.startswith(f"已备份到 {archive}：")
