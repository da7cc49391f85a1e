"""Time `import_entities` (analysis + commit) on a 100k-row district sheet against its floor.

    .venv/bin/python bench/bench_entities.py --database-url postgres://postgres@127.0.0.1:5432/qiangji_bench
    .venv/bin/python bench/bench_entities.py --rows 10000                      # SQLite, smaller
    .venv/bin/python bench/bench_entities.py --rows 100000 --register 90000 --profile

Works in a database of its own beside the one given (`<name>_entities`, `<file>-entities.sqlite3`),
emptied first. It builds the town's places (23 villages in 7 grids, 5 chains, 2 streets, 30
teams), a register of `--register` entities (default 0.9 × rows, written in bulk), and a
district sheet of `--rows` rows (a title row, then the 12 columns; a third of the phones stored
as numbers) to bench/data/: of the rows, 85 % name register entities (1 in 17 of them with a
changed 从业人员数), 13 % are new, 1 % repeat a row above (duplicates), 1 % have a wrong check
character (invalid); the register entities the sheet does not name are "gone".

Steps, measured in the same run:

- floor: python-calamine reading the sheet + PostgreSQL COPY of the same rows (12 text
  columns) into a temporary table through psycopg (on SQLite: executemany into a temporary
  table) — what any import of these rows costs at the least;
- analyse: `import_entities --dry-run` (read, header, every row through EntityForm, classified);
- import: `import_entities` (the same, then in one transaction the batch, one record per row,
  the gone records, the superseding check, the visit tasks, the provenance rows).

Prints a Markdown table (wall and CPU seconds — CPU of this process plus, on PostgreSQL on the
same host, of its backend — rows/s, queries, × floor).
"""

import argparse
import io
import os
import random
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
from bench_import import measured  # noqa: E402
from common import setup  # noqa: E402

DEFAULT_URL = f"sqlite:///{BENCH / 'data' / 'town.sqlite3'}"
HEADERS = ("主体名称", "统一社会信用代码", "主体类型", "所在村居", "经营地址", "负责人", "联系电话", "从业人员数", "党员人数",
           "是否建立党组织", "所属产业链", "所属商区")  # fmt: skip
KINDS = (("company", "企业"), ("self_employed", "个体工商户"), ("cooperative", "农民专业合作社"), ("homestay", "民宿"),
         ("farm", "家庭农场"))  # fmt: skip
CHAINS = ("蔬菜链", "水果链", "稻米链", "花卉链", "民宿链")
STREETS = ("竖河商业街区", "大新商业街区")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余杜叶程苏魏吕丁任沈姚卢"


def entities_database_url(url: str) -> str:
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        return f"sqlite:///{path.with_name(path.stem + '-entities' + (path.suffix or '.sqlite3'))}"
    base, _, name = url.rpartition("/")
    name, sep, query = name.partition("?")
    return f"{base}/{name}_entities{sep}{query}"


def code(i: int) -> str:
    from qiangji.core.validators import credit_check_char

    first17 = f"92310151MA{i:07d}"
    return first17 + credit_check_char(first17)


def entity_values(i: int, villages: list[str]) -> dict:
    """The register's values of entity i (the sheet repeats them for an unchanged row)."""
    kind = KINDS[i % len(KINDS)]
    village = villages[i % len(villages)]
    return {
        "name": f"崇明{village}{i}号{kind[1]}",
        "code": code(i),
        "kind": kind,
        "village": village,
        "address": f"{village}{i % 400 + 1}号{i}室",
        "person": SURNAMES[i % len(SURNAMES)] + "经理",
        "phone": f"13{i:09d}",
        "employees": i % 50,
        "party_members": i % 3,
        "chains": [CHAINS[i % 5]] if i % 3 == 0 else [],
        "street": STREETS[i % 2] if i % 11 == 0 else "",
    }


def build_town(register: int) -> list[str]:
    """Places, teams and `register` entities written in bulk; returns the village names."""
    from qiangji.accounts.models import User
    from qiangji.campaign.models import Entity, VisitTeam, match_key
    from qiangji.core.spreadsheets.bulk import insert
    from qiangji.orgs.models import Chain, Grid, Street, Village

    grids = [Grid.objects.create(name=f"第{n}网格", number=n) for n in range(1, 8)]
    villages = [Village.objects.create(name=f"测试{n}村", grid=grids[n % 7]) for n in range(23)]
    chains = {name: Chain.objects.create(name=name) for name in CHAINS}
    streets = {name: Street.objects.create(name=name) for name in STREETS}
    for n in range(30):
        VisitTeam.objects.create(name=f"三人行{n + 1}队", grid=grids[n % 7])
    User.objects.create_user(username="bench_entities", password="Qiangji@2026", display_name="底数基准")
    names = [v.name for v in villages]
    by_name = {v.name: v for v in villages}
    entities, links = [], []
    for i in range(register):
        v = entity_values(i, names)
        entities.append(
            Entity(
                name=v["name"], credit_code=v["code"], kind=v["kind"][0], village=by_name[v["village"]],
                address=v["address"], person_in_charge=v["person"], phone=v["phone"], employees=v["employees"],
                party_members=v["party_members"], street=streets.get(v["street"]), key=match_key(v["name"], v["address"]),
            )
        )  # fmt: skip
    for start in range(0, len(entities), 10_000):
        insert(entities[start : start + 10_000])
    Through = Entity.chains.through
    for i, entity in enumerate(entities):
        for chain in entity_values(i, names)["chains"]:
            links.append(Through(entity_id=entity.pk, chain_id=chains[chain].pk))
    insert(links)
    return names


def sheet_rows(rows: int, register: int, villages: list[str]):
    """The district sheet (see the module docstring for its mix)."""
    rng = random.Random(2026)
    named = int(rows * 0.85)
    new = rows - named - 2 * (rows // 100)
    out = []
    for j in range(named):
        i = j * register // named if register >= named else j
        v = entity_values(i, villages)
        if i % 17 == 0:
            v["employees"] += 1
        out.append(v)
    for j in range(new):
        out.append(entity_values(register + j, villages))
    for _ in range(rows // 100):
        out.append(dict(out[rng.randrange(len(out))]))  # the same row again
    for j in range(rows // 100):
        v = entity_values(register + new + j, villages)
        v["code"] = v["code"][:-1] + ("0" if v["code"][-1] != "0" else "1")
        out.append(v)
    rng.shuffle(out)
    for n, v in enumerate(out):
        phone = v["phone"]
        yield [
            v["name"], v["code"], v["kind"][1], v["village"], v["address"], v["person"],
            float(phone) if n % 3 == 0 else phone, v["employees"], v["party_members"], "否", "、".join(v["chains"]),
            v["street"],
        ]  # fmt: skip


def workbook(rows: int, register: int, villages: list[str]) -> Path:
    path = BENCH / "data" / f"import-entities-{rows}-{register}.xlsx"
    if path.exists():
        return path
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("底数")
    ws.append(["竖新镇新兴领域主体底数（区市场监管局下发）"])
    ws.append(list(HEADERS))
    for row in sheet_rows(rows, register, villages):
        ws.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def floor(data: bytes) -> None:
    """calamine + COPY (PostgreSQL) / executemany (SQLite) of the same rows into a temp table."""
    from django.db import connection
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()[2:]
    columns = ", ".join(f"c{n} text" for n in range(len(HEADERS)))
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE floor_rows ({columns})")
        if connection.vendor == "postgresql":
            with cursor.cursor.copy("COPY floor_rows FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([None if c == "" else str(c) for c in row])
        else:
            marks = ", ".join("?" * len(HEADERS))
            cursor.executemany(f"INSERT INTO floor_rows VALUES ({marks})", [[str(c) for c in row] for row in rows])
        cursor.execute("DROP TABLE floor_rows")


def empty_batches() -> None:
    from qiangji.campaign.models import BaseRecord, EntityBatch, VisitTask
    from qiangji.core.models import ImportBatch, ImportRow

    VisitTask.objects.all()._raw_delete(VisitTask.objects.db)
    BaseRecord.objects.all()._raw_delete(BaseRecord.objects.db)
    EntityBatch.objects.all()._raw_delete(EntityBatch.objects.db)
    ImportRow.objects.all()._raw_delete(ImportRow.objects.db)
    ImportBatch.objects.all()._raw_delete(ImportBatch.objects.db)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--register", type=int, default=None, help="entities in the register (default 0.9 × rows)")
    parser.add_argument("--profile", action="store_true", help="write pyinstrument profiles to bench/out/")
    args = parser.parse_args(argv)
    register = args.register if args.register is not None else int(args.rows * 0.9)
    setup(entities_database_url(args.database_url), fresh=True)

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.IMPORT_MAX_UPLOAD_BYTES = 200 * 1024 * 1024
    started = time.perf_counter()
    villages = build_town(register)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    path = workbook(args.rows, register, villages)
    data = path.read_bytes()
    with connection.cursor() as cursor:
        cursor.execute("select version()" if connection.vendor == "postgresql" else "select sqlite_version()")
        version = cursor.fetchone()[0].split(" on ")[0]
    print(f"数据库：{connection.vendor} {version}，在册主体 {register:,}，表格 {args.rows:,} 行"
          f"（准备 {time.perf_counter() - started:.0f} 秒）")  # fmt: skip
    print()
    results: list = []
    profile = "entities" if args.profile else None
    with measured("floor", results, args.rows, None):
        floor(data)
    out = io.StringIO()
    with measured("analyse", results, args.rows, profile and "analyse"):
        call_command("import_entities", str(path), "--full", "--dry-run", "--json", stdout=out)
    analysis = out.getvalue()
    empty_batches()
    out = io.StringIO()
    with measured("import", results, args.rows, profile and "import"):
        call_command("import_entities", str(path), "--full", "--json", stdout=out)
    assert out.getvalue() == analysis, (out.getvalue()[:300], analysis[:300])
    import json

    report = json.loads(analysis)
    print("分析结果：" + "，".join(f"{k} {report[k]:,}" for k in ("new", "unchanged", "changed", "duplicate", "invalid", "gone")))
    print()
    print("| rows | step | wall s | CPU s | rows/s | queries | × floor (wall) | × floor (CPU) | peak MB so far |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    wall = {label: seconds for label, seconds, _, _, _ in results}
    cpu = {label: seconds for label, _, seconds, _, _ in results}
    for label, seconds, used, queries, peak in results:
        print(
            f"| {args.rows:,} | {label} | {seconds:.2f} | {used:.2f} | {args.rows / seconds:,.0f} | {queries:,} | "
            f"{seconds / wall['floor']:.2f} | {used / cpu['floor']:.2f} | {peak:,.0f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
