"""Time the member import against reading the same sheet with python-calamine alone.

    .venv/bin/python bench/bench_import.py                                   # SQLite, 10k and 100k rows
    .venv/bin/python bench/bench_import.py --database-url postgres://postgres@127.0.0.1:5432/qiangji_bench
    .venv/bin/python bench/bench_import.py --rows 10000 --profile             # + a pyinstrument profile

Works in a database of its own next to the one it is given (`<file>-import.sqlite3`, or
`<name>_import` on the same PostgreSQL server), which it empties first: the dataset other
benchmarks use stays untouched. It builds a district-sized organization tree (10 towns, 2,651
organizations), writes a national-roster-style workbook (a title row, then 姓名 … 党内职务, valid
synthetic ID numbers, every organization existing) to bench/data/, and times, per size:

- calamine: reading the sheet with python-calamine alone (the floor of any import);
- floor: calamine + `member_build` per row (encryption, keyed hash, pinyin initials) + one
  history row each + writing both the way the import does (`bulk.insert`: COPY on PostgreSQL,
  bulk_create on SQLite), rolled back: what any import of these rows must do at the least;
- analyse: the upload as the pages run it (check, read, header, encrypted copy, every row through
  MemberForm, the preview rows written);
- commit: "确认导入" (the file read again, every row checked again, members + history written);
- re-analyse and re-commit: the same file again, every row unchanged.

Prints a Markdown table: wall and CPU seconds (CPU of this process plus, for PostgreSQL on the
same host, of its backend: the figure to trust on a busy machine), rows per second, queries (COPY
counted as one), and the process's peak memory so far (the floor runs last, as it holds every row
at once). `--profile` writes pyinstrument's text profile of each step to bench/out/
(pip install pyinstrument; not a project dependency).
"""

import argparse
import datetime as dt
import gc
import io
import os
import random
import resource
import sys
import time
from collections import deque
from contextlib import contextmanager
from pathlib import Path

from common import setup

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DEFAULT_URL = f"sqlite:///{BENCH / 'data' / 'town.sqlite3'}"
TOWNS, VILLAGES, BRANCHES = 10, 24, 10  # 10 town committees × 24 general branches × 10 branches
HEADERS = (
    "序号",
    "姓名",
    "性别",
    "公民身份号码",
    "民族",
    "出生日期",
    "学历",
    "入党日期",
    "转正日期",
    "人员类别",
    "所在党组织",
    "联系电话",
    "家庭住址",
    "党内职务",
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红梅玉兰海燕春生文斌志宏晓东鹏飞云辉"
EDUCATION = ("大学本科", "大学专科", "高中", "初中", "中专", "研究生", "小学")
ETHNICITY = ("汉族",) * 19 + ("回族",)


def import_database_url(url: str) -> str:
    """The benchmark's own database beside the one given: never the dataset of the others."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        return f"sqlite:///{path.with_name(path.stem + '-import' + (path.suffix or '.sqlite3'))}"
    base, _, name = url.rpartition("/")
    name, sep, query = name.partition("?")
    return f"{base}/{name}_import{sep}{query}"


def branch_names() -> list[str]:
    return [f"第{t + 1}镇{v + 1}村第{b + 1}党支部" for t in range(TOWNS) for v in range(VILLAGES) for b in range(BRANCHES)]


def build_tree():
    """A district committee, its towns, general branches and branches, written in bulk."""
    from qiangji.accounts.models import RoleGrant, User
    from qiangji.orgs.models import Organization

    Kind = Organization.Kind
    founded = dt.date(2000, 1, 1)

    def level(specs: list[tuple[str, str, Organization | None]]) -> list[Organization]:
        orgs = Organization.objects.bulk_create(
            [Organization(name=n, kind=k, parent=p, founded_on=founded) for n, k, p in specs], batch_size=1000
        )
        for org, (_, _, parent) in zip(orgs, specs, strict=True):
            org.path = f"{parent.path if parent else '/'}{org.pk}/"
            org.depth = org.path.count("/") - 2
        Organization.objects.bulk_update(orgs, ["path", "depth"], batch_size=1000)
        return orgs

    [root] = level([("崇明区委", Kind.COMMITTEE, None)])
    towns = level([(f"第{t + 1}镇党委", Kind.COMMITTEE, root) for t in range(TOWNS)])
    villages = level(
        [(f"第{t + 1}镇{v + 1}村党总支", Kind.GENERAL_BRANCH, towns[t]) for t in range(TOWNS) for v in range(VILLAGES)]
    )
    names = iter(branch_names())
    level([(next(names), Kind.BRANCH, village) for village in villages for _ in range(BRANCHES)])
    user = User.objects.create_user(username="bench_import", password="Qiangji@2026", display_name="导入基准")
    RoleGrant.objects.create(user=user, role=RoleGrant.Role.TOWN_ADMIN, organization=root)
    return user


def id_number(birth: dt.date, order: int) -> str:
    from qiangji.core.validators import id_check_char

    first17 = f"310230{birth:%Y%m%d}{order:03d}"
    return first17 + id_check_char(first17)


def roster_rows(n: int, seed: int = 2026):
    """n valid members, each ID number unique (birth day by index, order number by block)."""
    rng = random.Random(seed)
    branches = branch_names()
    day0, today = dt.date(1945, 1, 1), dt.date(2026, 11, 25)
    for i in range(n):
        birth = day0 + dt.timedelta(days=i % 20000)
        female = rng.random() < 0.35
        order = (i // 20000) * 2 + (0 if female else 1) + 100
        joined = birth + dt.timedelta(days=365 * rng.randint(19, 40) + rng.randint(0, 364))
        joined = min(joined, today - dt.timedelta(days=400 + rng.randint(0, 300)))
        probationary = rng.random() < 0.04
        if probationary:
            joined = today - dt.timedelta(days=rng.randint(30, 300))
        phone = f"13{rng.randint(0, 999999999):09d}"
        yield [
            i + 1,
            rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2))),
            "女" if female else "男",
            id_number(birth, order),
            rng.choice(ETHNICITY),
            dt.datetime.combine(birth, dt.time()),
            rng.choice(EDUCATION),
            dt.datetime.combine(joined, dt.time()),
            None if probationary else dt.datetime.combine(joined + dt.timedelta(days=365), dt.time()),
            "预备党员" if probationary else "正式党员",
            branches[i % len(branches)],
            float(phone) if i % 3 == 0 else phone,  # a third as numbers, as exports often turn them
            f"崇明区第{i % TOWNS + 1}镇{i % VILLAGES + 1}村{rng.randint(1, 400)}号",
            "党支部书记" if i % 42 == 0 else "",
        ]


def roster(n: int) -> Path:
    """The workbook for n rows, written once (openpyxl write-only) and reused."""
    path = BENCH / "data" / f"import-members-{n}.xlsx"
    if path.exists():
        return path
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("党员信息")
    ws.append(["崇明区党员花名册（导出自全国党员信息库）"])
    ws.append(list(HEADERS))
    for row in roster_rows(n):
        ws.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def server_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (same host), else 0."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def measured(label: str, results: list, rows: int, profile: str | None):
    """Wall time, CPU time (this process + the database backend) and queries of one step."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.002)
        profiler.start()
    server = server_cpu()
    started, cpu = time.perf_counter(), time.process_time()
    log, connection.queries_log = connection.queries_log, deque()  # no 9,000-query cap
    try:
        with CaptureQueriesContext(connection) as queries:  # COPY included (bulk.insert logs it)
            yield
        count = len(queries)
    finally:
        connection.queries_log = log
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu + server_cpu() - server
    gc.collect()
    if profiler is not None:
        profiler.stop()
        out = BENCH / "out" / f"bench_import-{profile}-{rows}-{label}.txt"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results.append((label, elapsed, cpu, count, peak))


def empty_members() -> None:
    from django.db import connection, transaction

    from qiangji.core.models import ChangeRecord, ImportBatch, append_only_maintenance
    from qiangji.members.models import Member

    # History is append-only; a benchmark database is emptied through the operators' path.
    with transaction.atomic(), append_only_maintenance(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(ChangeRecord._meta.db_table)}")
    ImportBatch.objects.all().delete()
    Member.objects.all()._raw_delete(Member.objects.db)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE members_member")


def floor(data: bytes, user) -> None:
    """calamine, member_build for every row, members and history written: then roll back."""
    from django.db import transaction
    from python_calamine import CalamineWorkbook

    from qiangji.core.history import change_record
    from qiangji.core.models import ChangeRecord
    from qiangji.core.spreadsheets.bulk import insert
    from qiangji.members.services import member_build
    from qiangji.orgs.models import Organization

    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()[2:]
    orgs = {o.name: o for o in Organization.objects.all()}
    status = {"正式党员": "full", "预备党员": "probationary"}
    with transaction.atomic():
        members = []
        for r in rows:
            data_ = {
                "name": r[1],
                "gender": "F" if r[2] == "女" else "M",
                "id_number": r[3],
                "birth_date": r[5].date() if isinstance(r[5], dt.datetime) else r[5],
                "ethnicity": r[4],
                "education": "bachelor",
                "joined_on": r[7].date() if isinstance(r[7], dt.datetime) else r[7],
                "full_member_on": (r[8].date() if isinstance(r[8], dt.datetime) else r[8]) or None,
                "status": status[r[9]],
                "organization": orgs[r[10]],
                "phone": str(int(r[11])) if isinstance(r[11], float) else r[11],
                "address": r[12],
            }
            members.append(member_build(data=data_))
        insert(members)
        insert([change_record(instance=m, user=user, action=ChangeRecord.Action.CREATE, before=None) for m in members])
        transaction.set_rollback(True)


def bench_size(n: int, user, profile: str | None) -> list[tuple[str, float, float, int, float]]:
    from django.conf import settings
    from django.db import connection
    from python_calamine import CalamineWorkbook

    from qiangji.core.spreadsheets import services

    settings.IMPORT_BACKGROUND_ROWS = 10**9  # run inline: the same functions the worker calls
    settings.IMPORT_MAX_UPLOAD_BYTES = 200 * 1024 * 1024
    path = roster(n)
    data = path.read_bytes()
    empty_members()
    results: list[tuple[str, float, float, int, float]] = []
    with measured("calamine", results, n, None):
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert len(sheet) == n + 2, len(sheet)
    del sheet
    for label in ("analyse", "commit", "re-analyse", "re-commit"):
        if label.endswith("analyse"):
            with measured(label, results, n, profile and connection.vendor):
                batch = services.import_batch_upload(user=user, kind="members", file_name=path.name, data=data)
            expected = "new" if label == "analyse" else "unchanged"
        else:
            with measured(label, results, n, profile and connection.vendor):
                batch = services.import_batch_commit(batch=batch, by=user)
        if batch.counts.get(expected) != n:
            raise SystemExit(f"{label}: expected {n} {expected} rows, got {batch.counts} ({batch.status}: {batch.message})")
    del batch
    # Last: it holds every row at once, and the peak memory shown is the process's so far.
    empty_members()
    with measured("floor", results, n, profile and "floor"):
        floor(data, user)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--profile", action="store_true", help="write pyinstrument profiles to bench/out/")
    args = parser.parse_args(argv)
    url = import_database_url(args.database_url)
    setup(url, fresh=True)

    from django.db import connection

    user = build_tree()
    with connection.cursor() as cursor:
        cursor.execute("select version()" if connection.vendor == "postgresql" else "select sqlite_version()")
        version = cursor.fetchone()[0].split(" on ")[0]
    print(
        f"数据库：{connection.vendor} {version}（{connection.settings_dict['NAME']}），{TOWNS * VILLAGES * BRANCHES:,} 个党支部"
    )
    print()
    print("| rows | step | wall s | CPU s | rows/s | queries | × floor (wall) | × floor (CPU) | peak MB so far |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for n in args.rows:
        results = bench_size(n, user, "profile" if args.profile else None)
        wall = {label: seconds for label, seconds, _, _, _ in results}
        cpu = {label: seconds for label, _, seconds, _, _ in results}
        for label, seconds, used, queries, peak in results:
            print(
                f"| {n:,} | {label} | {seconds:.2f} | {used:.2f} | {n / seconds:,.0f} | {queries:,} | "
                f"{seconds / wall['floor']:.2f} | {used / cpu['floor']:.2f} | {peak:,.0f} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
