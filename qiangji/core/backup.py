"""One-file backups of an installation and their restore into an empty database (docs/operations.md).

The archive (tar.gz) holds manifest.json, the database and the uploaded files:

- SQLite: `database.sqlite3`, a consistent copy made with SQLite's online backup API while the
  site keeps running; restore copies it back the same way into the live connection.
- PostgreSQL: `database.pgdump`, `pg_dump --format=custom` of the data only. The operator restores
  into a new database on which `manage.py migrate` has run (tables exist, empty): pg_restore
  inserts the rows in one transaction, where Django's deferred foreign keys are checked at commit,
  so no trigger needs disabling and append-only tables only ever see INSERTs.

Nothing is changed until every check has passed: the archive is readable, made on the same kind
of database, not from a newer schema than the code, encrypted with the same keys, and the target
database holds no rows.
"""

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from qiangji.core.crypto import FIELD, HASH, configured_key_ids, current_key_ids, key_id
from qiangji.core.keyrotation import LEGACY, key_usage

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_DIR = "media"
DB_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
VENDOR_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# Filled by `migrate` itself on a new database (Django's bookkeeping, and the reference data the
# data migrations seed), so their rows do not make it "not empty"; a restore replaces them with the
# archived ones, which an administrator may have edited. test_backup.py checks this list against
# what a real `migrate` writes.
MIGRATE_FILLED = {
    "django_migrations",
    "django_content_type",
    "auth_permission",
    "campaign_careitem",
    "campaign_checklistitem",
    "ledger_gradelevel",
    "orglife_requirement",
    "reserve_reservepool",
    "trainings_hoursrequirement",
}


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message is for the operator, in Chinese."""


def app_version() -> str:
    try:
        with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as fh:
            return tomllib.load(fh)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        # A deployment without the project file still gets its backup; the schema is in `migrations`.
        return "unknown"


def key_check(secret: str, purpose: str) -> str:
    """A key's id (crypto.key_id): the manifests of the first release called it a key check."""
    return key_id(secret, purpose)


def current_key_checks() -> dict[str, str]:
    return current_key_ids()


def _quote(name: str) -> str:
    # The same identifier quoting on SQLite and PostgreSQL, usable on a plain DB-API cursor.
    return '"' + name.replace('"', '""') + '"'


def _table_names() -> list[str]:
    with connection.cursor() as cursor:
        return sorted(t for t in connection.introspection.table_names(cursor) if not t.startswith("sqlite_"))


def _count(cursor: Any, table: str) -> int:
    cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
    return cursor.fetchone()[0]


def _count_here(table: str) -> int:
    with connection.cursor() as cursor:
        return _count(cursor, table)


def table_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        return {table: _count(cursor, table) for table in _table_names()}


def latest_migrations() -> dict[str, str]:
    """The last applied migration of each app, in the order they were applied."""
    if not MigrationRecorder(connection).has_table():
        return {}
    with connection.cursor() as cursor:
        return _migrations(cursor)


def _migrations(cursor: Any) -> dict[str, str]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
    return {app: name for app, name in cursor.fetchall()}


def _schemes(cursor: Any, tables: set[str]) -> tuple[dict[str, int], dict[str, int]]:
    """How many stored values each cipher scheme ("g1", …) and each key id sealed, over every
    encrypted column (keyrotation finds them); read raw, never decrypted."""
    return key_usage(cursor, tables)


def _describe(cursor: Any, tables: list[str]) -> dict[str, Any]:
    """What the manifest says about the data, read from the very snapshot that is archived (the
    site keeps writing during a backup: counts taken a moment apart would not match on restore)."""
    return {
        "migrations": _migrations(cursor) if "django_migrations" in tables else {},
        "tables": {table: _count(cursor, table) for table in sorted(tables)},
        "schemes": _schemes(cursor, set(tables)),  # (by scheme, by key id)
    }


def _pg_env_args() -> tuple[dict[str, str], list[str]]:
    db = connection.settings_dict
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    if db.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = str(db["OPTIONS"]["sslmode"])
    args = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    return env, [*args, "--dbname", str(db["NAME"])]


def _run(command: list[str], env: dict[str, str], failure: str) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(f"找不到 {command[0]} 程序：请安装与数据库版本相同的 PostgreSQL 客户端")
    if result.returncode != 0:
        raise BackupError(f"{failure}：{result.stderr.strip()[-500:]}")


def _dump_database(target: Path) -> dict[str, Any]:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)
            tables = [t for (t,) in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            return _describe(copy.cursor(), [t for t in tables if not t.startswith("sqlite_")])
        finally:
            copy.close()
    if connection.vendor != "postgresql":
        raise BackupError(f"不支持备份 {connection.vendor} 数据库")
    env, args = _pg_env_args()
    tables = _table_names()
    if connection.in_atomic_block:
        # Inside a caller's transaction no snapshot can be set up; the caller holds the writes.
        described = _describe(connection.cursor(), tables)
        _run(["pg_dump", "--format=custom", "--data-only", "--file", str(target), *args], env, "数据库导出失败")
        return described
    with transaction.atomic(), connection.cursor() as cursor:
        # pg_dump reads the snapshot this transaction exported: the manifest and the dump see
        # the same rows, however busy the site is.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        described = _describe(cursor, tables)
        dump = ["pg_dump", "--format=custom", "--data-only", f"--snapshot={snapshot}", "--file", str(target), *args]
        _run(dump, env, "数据库导出失败")
        return described


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def default_output() -> Path:
    return Path(f"qiangji-backup-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz")


def backup(output: Path) -> dict[str, Any]:
    """Write the archive to `output` (readable by its owner only: it holds personal data)."""
    output = Path(output)
    if output.is_dir():
        output = output / default_output().name
    if not output.parent.is_dir():
        raise BackupError(f"目录不存在：{output.parent}")
    vendor = connection.vendor
    media = _media_files()
    manifest = {
        "format": FORMAT,
        "app_version": app_version(),
        "created_at": timezone.now().isoformat(),
        "database": {"vendor": vendor, "file": DB_FILES.get(vendor, "")},
        "migrations": {},
        "tables": {},
        # key_ids: the keys new values are written with; values_by_key: how many stored values
        # each key id sealed ("legacy": written before ciphertexts named their key). key_checks
        # repeats key_ids under the name the first release's restore reads.
        "encryption": {"schemes": {}, "key_ids": current_key_ids(), "values_by_key": {}, "key_checks": current_key_ids()},
        "media": {"files": len(media), "bytes": sum(p.stat().st_size for p in media)},
    }
    with tempfile.TemporaryDirectory() as tmp:
        db_file = Path(tmp) / manifest["database"]["file"]
        described = _dump_database(db_file)
        manifest["migrations"], manifest["tables"] = described["migrations"], described["tables"]
        manifest["encryption"]["schemes"], manifest["encryption"]["values_by_key"] = described["schemes"]
        partial = output.with_name(output.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                body = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(body), int(time.time()), 0o600
                tar.addfile(info, io.BytesIO(body))
                tar.add(db_file, arcname=db_file.name)
                root = Path(settings.MEDIA_ROOT)
                for path in media:
                    tar.add(path, arcname=f"{MEDIA_DIR}/{path.relative_to(root).as_posix()}")
            os.replace(partial, output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return manifest


def read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = tar.getmember(MANIFEST)
        manifest = json.load(tar.extractfile(member))
    except (KeyError, ValueError, AttributeError, TypeError):
        raise BackupError("这不是本系统的备份文件（缺少 manifest.json）")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("这不是本系统能识别的备份文件（清单格式不符）")
    return manifest


def _open_archive(path: Path) -> tarfile.TarFile:
    if not path.is_file():
        raise BackupError(f"找不到备份文件：{path}")
    try:
        return tarfile.open(path, mode="r:gz")
    except (tarfile.TarError, OSError, EOFError):
        raise BackupError(f"这不是备份文件（应为 manage.py backup 生成的 .tar.gz）：{path}")


def _newer_migrations(archived: dict[str, str]) -> list[str]:
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    return [f"{app}.{name}" for app, name in archived.items() if (app, name) not in known]


def _rows_present() -> list[str]:
    """App tables that already hold rows; those `migrate` fills by itself do not count."""
    existing = set(_table_names())
    tables = {m._meta.db_table for m in apps.get_models(include_auto_created=True)} & existing
    return sorted(t for t in tables - MIGRATE_FILLED if _count_here(t) > 0)


def check(tar: tarfile.TarFile, manifest: dict[str, Any]) -> None:
    """Every reason to refuse, checked before anything is written."""
    vendor = manifest.get("database", {}).get("vendor")
    if vendor != connection.vendor:
        raise BackupError(
            f"备份来自 {VENDOR_LABELS.get(vendor, vendor)} 数据库，当前使用的是 "
            f"{VENDOR_LABELS.get(connection.vendor, connection.vendor)} 数据库，不能恢复。未做任何修改。"
        )
    db_name = manifest["database"].get("file")
    if db_name not in tar.getnames() or not isinstance(manifest.get("tables"), dict):
        raise BackupError("备份文件不完整（缺少数据库文件或行数清单）。未做任何修改。")
    for member in tar.getmembers():
        if member.name in (MANIFEST, db_name):
            continue
        # Only plain files under media/: no links, devices, absolute paths or "..".
        parts = member.name.split("/")
        if not member.isfile() or parts[0] != MEDIA_DIR or ".." in parts or len(parts) < 2 or not all(parts[1:]):
            raise BackupError(f"备份文件中有不应有的内容（{member.name}），可能已被改动，不能恢复。未做任何修改。")
    newer = _newer_migrations(manifest.get("migrations", {}))
    if newer:
        raise BackupError(
            f"备份来自更新版本的系统（本程序不认识其数据库结构：{'、'.join(newer[:5])}），"
            "请先把程序升级到备份时的版本再恢复。未做任何修改。"
        )
    if missing_keys(manifest):
        raise BackupError(
            "备份使用的加密密钥与本机设置（QIANGJI_FIELD_KEY、QIANGJI_HASH_KEY 及其 _KEYS_OLD）不同，"
            f"恢复后个人信息将无法解密（缺少密钥编号 {'、'.join(missing_keys(manifest))}）。"
            "请先配置备份时使用的密钥。未做任何修改。"
        )
    if connection.vendor == "postgresql":
        if not MigrationRecorder(connection).has_table():
            raise BackupError("目标数据库还没有建表：请先运行 manage.py migrate，再恢复。未做任何修改。")
        if latest_migrations() != manifest.get("migrations"):
            raise BackupError(
                "备份的数据库结构与当前程序不同：请用备份时的程序版本建库（manage.py migrate）并恢复，再升级程序。未做任何修改。"
            )
    full = _rows_present()
    if full:
        raise BackupError(
            f"只能恢复到空数据库，当前数据库已有数据（{'、'.join(full[:5])} 等表）。请新建一个空数据库后再恢复。未做任何修改。"
        )


def missing_keys(manifest: dict[str, Any]) -> list[str]:
    """The ids of the keys the archive's data needs that are not configured here (current or
    old): every key that sealed a value, and the hash key its lookup hashes were made with."""
    encryption = manifest.get("encryption", {})
    keys = encryption.get("key_ids") or encryption.get("key_checks") or {}
    configured = configured_key_ids()
    needed_field = {k for k in encryption.get("values_by_key", {}) if k != LEGACY} | {keys.get(FIELD)}
    missing = sorted(k for k in needed_field if k not in configured[FIELD])
    if keys.get(HASH) not in configured[HASH]:
        missing.append(str(keys.get(HASH)))
    return missing


def under_old_keys(manifest: dict[str, Any]) -> bool:
    """True when the archive's data was (partly) sealed under keys that are now old ones."""
    encryption = manifest.get("encryption", {})
    keys = encryption.get("key_ids") or encryption.get("key_checks") or {}
    current = current_key_ids()
    used = {k for k in encryption.get("values_by_key", {}) if k != LEGACY} | {keys.get(FIELD)}
    return used != {current[FIELD]} or keys.get(HASH) != current[HASH]


def _restore_database(tar: tarfile.TarFile, manifest: dict[str, Any], tmp: Path) -> None:
    name = manifest["database"]["file"]
    tar.extract(name, path=tmp, filter="data")
    source = tmp / name
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        archived = sqlite3.connect(source)
        try:
            archived.backup(connection.connection)
        finally:
            archived.close()
        return
    env, args = _pg_env_args()
    # pg_restore writes the rows as a script that psql runs in ONE transaction together with the
    # removal of migrate's own rows (which the archived ones replace: same schema, checked above;
    # the ids must be those the archived rows refer to). A failure anywhere leaves the database
    # as it was; Django's foreign keys are deferred, so row order does not matter until commit.
    script = tmp / "restore.sql"
    unpack = ["pg_restore", "--data-only", "--no-owner", "--no-acl", "--file", str(script), str(source)]
    _run(unpack, env, "备份中的数据库无法读取")
    wrapper = tmp / "wrapper.sql"
    wrapper.write_text(f"TRUNCATE {', '.join(sorted(MIGRATE_FILLED))} CASCADE;\n\\i {script}\n", encoding="utf-8")
    connection.close()
    _run(
        ["psql", "--no-psqlrc", "--quiet", "--single-transaction", "--set", "ON_ERROR_STOP=1", *args, "--file", str(wrapper)],
        env,
        "数据库恢复失败，数据库未改动",
    )


def _restore_media(tar: tarfile.TarFile, tmp: Path) -> int:
    members = [m for m in tar.getmembers() if m.name.startswith(MEDIA_DIR + "/") and m.isfile()]
    # The "data" filter refuses absolute paths, "..", links and device files in the archive.
    tar.extractall(path=tmp, members=members, filter="data")
    root = Path(settings.MEDIA_ROOT)
    for member in members:
        target = root / member.name[len(MEDIA_DIR) + 1 :]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(tmp / member.name, target)
    return len(members)


def restore(path: Path) -> dict[str, Any]:
    """Restore the archive into the (empty) database and MEDIA_ROOT; returns what was compared."""
    with _open_archive(Path(path)) as tar:
        manifest = read_manifest(tar)
        check(tar, manifest)
        with tempfile.TemporaryDirectory() as tmp:
            _restore_database(tar, manifest, Path(tmp))
            files = _restore_media(tar, Path(tmp))
    # The content types were replaced under the cache that maps models to their ids.
    ContentType.objects.clear_cache()
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    counts = table_counts()
    expected = manifest["tables"]
    mismatches = {t: (n, counts.get(t)) for t, n in expected.items() if counts.get(t) != n}
    return {
        "manifest": manifest,
        "counts": counts,
        "mismatches": mismatches,
        "media_files": files,
        "pending_migrations": len(pending),
    }


NIGHTLY_PATTERN = "qiangji-backup-*.tar.gz"


def backup_nightly(directory: Path, *, keep: int) -> tuple[Path, list[Path]]:
    """The scheduler's backup: a new archive in `directory`, then only the `keep` newest of its
    archives stay (the names carry the time, so they sort by age); other files there are left alone."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = directory / default_output().name
    backup(target)
    archives = sorted(directory.glob(NIGHTLY_PATTERN), reverse=True)
    removed = archives[max(keep, 1) :]
    for old in removed:
        old.unlink(missing_ok=True)
    return target, removed
