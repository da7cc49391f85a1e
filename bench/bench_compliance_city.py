"""Compliance grid and "no member left behind" coverage at city scale (issue 3), ORM against raw SQL.

    .venv/bin/python bench/generate.py --scale city --no-history --database-url $URL
    .venv/bin/python bench/generate_orglife.py --database-url $URL           # ≈ 1.2M meetings, 10M attendance
    .venv/bin/python bench/bench_compliance_city.py --database-url $URL --explain docs/bench/compliance-explain.txt

PostgreSQL. Scopes: one branch, the town of `bench_town` (its branches and Party groups) and the
whole city (`bench_city`). For each: `held_counts` (the one grouped query of
qiangji.orglife.compliance) against the same GROUP BY organization, kind, year, month written by
hand and run through a cursor (with the same id list, and for the city also by path, which needs
no list); `compliance_grids` (query + cells); then `coverage()` for the town's members over a
month against a hand-written query. Prints a Markdown table (ms); `--explain` writes EXPLAIN
(ANALYZE, BUFFERS) of the ORM queries to a file. Rerun with `--index` to create a candidate index
first (dropped again at the end unless `--keep-index`).
"""

import argparse
import datetime as dt
import math
import os
import re
import statistics
import sys
import time
from pathlib import Path

from common import setup

RAW_COUNTS = """
SELECT organization_id, kind, EXTRACT(YEAR FROM date)::int, EXTRACT(MONTH FROM date)::int, count(*)
FROM orglife_meeting
WHERE status = 'held' AND organization_id = ANY(%s) AND date BETWEEN %s AND %s
GROUP BY 1, 2, 3, 4
"""
RAW_COUNTS_BY_PATH = """
SELECT m.organization_id, m.kind, EXTRACT(YEAR FROM m.date)::int, EXTRACT(MONTH FROM m.date)::int, count(*)
FROM orglife_meeting m JOIN orgs_organization o ON o.id = m.organization_id
WHERE m.status = 'held' AND o.path LIKE %s AND o.kind IN ('branch', 'group') AND o.dissolved_on IS NULL
  AND m.date BETWEEN %s AND %s
GROUP BY 1, 2, 3, 4
"""
# Everyone in the subtree with whether they attended a held meeting or had a visit in the month.
RAW_COVERAGE = """
SELECT mb.id,
       EXISTS (SELECT 1 FROM orglife_attendance a JOIN orglife_meeting m ON m.id = a.meeting_id
               WHERE a.member_id = mb.id AND a.present AND m.status = 'held' AND m.date BETWEEN %(start)s AND %(end)s),
       EXISTS (SELECT 1 FROM orglife_homestudyvisit v WHERE v.member_id = mb.id AND v.date BETWEEN %(start)s AND %(end)s)
FROM members_member mb JOIN orgs_organization o ON o.id = mb.organization_id
WHERE o.path LIKE %(path)s
"""
CANDIDATE_INDEXES = {
    # Held meetings of an organization by kind and date, readable without visiting the table.
    "meeting_held_org_kind_date": "CREATE INDEX meeting_held_org_kind_date ON orglife_meeting "
    "(organization_id, kind, date) WHERE status = 'held'",
}


def backend_cpu() -> float:
    """Seconds of CPU the PostgreSQL backend serving this connection has used (same host only)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(fn, n: int, warmup: int = 1) -> tuple[float, float, int, float]:
    """Wall p50, wall p95, n and CPU p50 (ms). CPU = this process + its backend: what a step costs
    without the waits for a core that other work on a shared machine causes (parallel workers'
    CPU is not counted: the whole-city scans understate it)."""
    for _ in range(warmup):
        fn()
    samples, cpu = [], []
    for _ in range(n):
        server, used = backend_cpu(), time.process_time()
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used + backend_cpu() - server) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, math.ceil(0.95 * len(samples)) - 1)], n, statistics.median(cpu)


def load() -> str:
    return Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("-n", type=int, default=30, help="repetitions for one branch and a town")
    parser.add_argument("--city-n", type=int, default=5, help="repetitions for the whole city")
    parser.add_argument("--city-grids-n", type=int, default=1, help="repetitions of compliance_grids for the city")
    parser.add_argument("--month", help="coverage month, YYYY-MM (default: last month)")
    parser.add_argument("--explain", help="write EXPLAIN (ANALYZE, BUFFERS) of the ORM queries to this file")
    parser.add_argument("--index", choices=CANDIDATE_INDEXES, action="append", default=[], help="create first")
    parser.add_argument("--keep-index", action="store_true")
    parser.add_argument("--no-city", action="store_true", help="one branch and a town only (minutes shorter)")
    args = parser.parse_args(argv)
    if not args.database_url:
        sys.exit("需要 --database-url（或环境变量 BENCH_DATABASE_URL）")
    setup(args.database_url)

    from django.db import connection
    from django.utils import timezone

    from qiangji.accounts.models import User
    from qiangji.core.access import forget_scope
    from qiangji.orglife import compliance
    from qiangji.orglife.compliance import compliance_grids, held_counts, requirements_active
    from qiangji.orglife.homestudy import coverage, month_bounds
    from qiangji.orglife.models import Meeting
    from qiangji.orglife.selectors import organizations_for_compliance
    from qiangji.orgs.models import Organization

    if connection.vendor != "postgresql" or not User.objects.filter(username="bench_city").exists():
        # run.py runs every bench_*.py; at town scale this one has nothing to measure.
        print("跳过：需要 PostgreSQL 上由 bench/generate.py --scale city 与 bench/generate_orglife.py 生成的库")
        return 0
    today = timezone.localdate()
    year = today.year
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    month = dt.date.fromisoformat(f"{args.month}-01") if args.month else (today.replace(day=1) - dt.timedelta(days=1))
    m_start, m_end = month_bounds(month)
    requirements = requirements_active()

    with connection.cursor() as cursor:
        for name in args.index:
            cursor.execute(CANDIDATE_INDEXES[name])
            cursor.execute("ANALYZE orglife_meeting")
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('orglife_meeting', 'orglife_attendance')")
        indexes = cursor.fetchall()
        cursor.execute("SELECT (SELECT count(*) FROM orglife_meeting), (SELECT count(*) FROM orglife_attendance)")
        meetings, attendances = cursor.fetchone()

    city_user = User.objects.get(username="bench_city")
    town_user = User.objects.get(username="bench_town")
    town = town_user.grants.get().organization
    scopes = []
    chosen = (("一个党支部", None, args.n), ("一个镇", town_user, args.n), ("全市", city_user, args.city_n))
    for label, user, n in chosen[:2] if args.no_city else chosen:
        if user is None:
            orgs = list(Organization.objects.filter(path__startswith=town.path, kind="branch", dissolved_on__isnull=True)[:1])
        else:
            orgs = organizations_for_compliance(user=user)
        scopes.append((label, user, orgs, n))

    print(f"# 组织生活开展情况（城市规模） {connection.settings_dict['NAME']}  党组织 {Organization.objects.count():,} 个，"
          f"会议 {meetings:,} 次，出席记录 {attendances:,} 条；{year}年；候选索引：{', '.join(args.index) or '无'}")  # fmt: skip
    print()
    print("| scope | orgs / members | what | p50 ms | p95 ms | CPU p50 ms | n | rows | load |")
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")

    def row(scope: str, count: int, what: str, result: tuple[float, float, int, float], rows: int | str = "") -> None:
        p50, p95, n, cpu = result
        shown = rows if rows == "" else f"{rows:,}"
        print(f"| {scope} | {count:,} | {what} | {p50:,.1f} | {p95:,.1f} | {cpu:,.0f} | {n} | {shown} | {load()} |", flush=True)

    explains = []
    for label, user, orgs, n in scopes:
        ids = [o.pk for o in orgs]
        city = label == "全市"
        if user is not None:

            def select(user=user):
                forget_scope(user)
                organizations_for_compliance(user=user)

            row(label, len(ids), "organizations_for_compliance (selector)", timed(select, n))
        counts = held_counts(ids, start, end)
        row(label, len(ids), "held_counts (ORM)", timed(lambda ids=ids: held_counts(ids, start, end), n), len(counts))

        def raw(ids=ids):
            with connection.cursor() as cursor:
                cursor.execute(RAW_COUNTS, [ids, start, end])
                return cursor.fetchall()

        raw_rows = raw()
        if len(raw_rows) != len(counts) or sum(r[4] for r in raw_rows) != sum(counts.values()):
            raise SystemExit(f"raw SQL and held_counts disagree for {label}")
        row(label, len(ids), "raw SQL, = ANY(ids)", timed(raw, n), len(raw_rows))
        if user is not None:
            subtree_path = user.grants.get().organization.path

            def by_path(path=subtree_path):
                with connection.cursor() as cursor:
                    cursor.execute(RAW_COUNTS_BY_PATH, [path + "%", start, end])
                    return cursor.fetchall()

            row(label, len(ids), "raw SQL, subtree by path (no id list)", timed(by_path, n), len(by_path()))
        grids_n = args.city_grids_n if city else n
        if grids_n:

            def grids(orgs=orgs):
                compliance_grids(orgs, year=year, today=today, requirements=requirements)

            row(label, len(ids), "compliance_grids (query + cells)", timed(grids, grids_n, warmup=0 if city else 1))
        if args.explain:
            qs = compliance.held_counts_query(ids, start, end)
            plan = qs.explain(analyze=True, buffers=True)
            explains.append((f"held_counts, {label} ({len(ids):,} organizations)", plan))

    for label, subtree in (("一个党支部", scopes[0][2][0]), ("一个镇", town)):
        rows = coverage(subtree, start=m_start, end=m_end)
        row(f"{label}，{month:%Y-%m}", len(rows), "coverage() (3 queries; rows = members)",
            timed(lambda s=subtree: coverage(s, start=m_start, end=m_end), args.n), len(rows))  # fmt: skip
        params = {"start": m_start, "end": m_end, "path": subtree.path + "%"}

        def raw_cov(params=params):
            with connection.cursor() as cursor:
                cursor.execute(RAW_COVERAGE, params)
                return cursor.fetchall()

        raw_rows = raw_cov()
        if len(raw_rows) != len(rows) or sum(r[1] for r in raw_rows) != sum(r.status == "attended" for r in rows):
            raise SystemExit(f"raw coverage and coverage() disagree for {label}")
        row(f"{label}，{month:%Y-%m}", len(rows), "raw SQL coverage (1 query)", timed(raw_cov, args.n), len(raw_rows))
        if args.explain and label == "一个镇":
            from qiangji.orglife.models import Attendance

            ids = [r.member.pk for r in rows]
            qs = (
                Attendance.objects.filter(
                    member_id__in=ids, present=True, meeting__status=Meeting.Status.HELD, meeting__date__range=(m_start, m_end)
                )
                .values_list("member_id", flat=True)
                .distinct()
            )
            explains.append((f"coverage: who attended, {label} ({len(ids):,} members), {month:%Y-%m}",
                             qs.explain(analyze=True, buffers=True)))  # fmt: skip

    if args.explain:
        out = Path(args.explain)
        out.parent.mkdir(parents=True, exist_ok=True)
        text = [f"-- {connection.settings_dict['NAME']}: {meetings:,} meetings, {attendances:,} attendance rows; "
                f"candidate indexes: {', '.join(args.index) or 'none'}; load {load()}"]  # fmt: skip
        text += [f"-- index: {d}" for _, d in sorted(indexes)]
        for title, plan in explains:
            # The id lists run to 400 KB at city scale; their length is what matters.
            plan = re.sub(r"'\{(\d+(?:,\d+){5,})\}'", lambda m: f"'{{…{m[1].count(',') + 1:,} ids…}}'", plan)
            text += ["", f"-- {title}", plan]
        out.write_text("\n".join(text) + "\n")
        print(f"\nEXPLAIN → {out}")
    if args.index and not args.keep_index:
        with connection.cursor() as cursor:
            for name in args.index:
                cursor.execute(f"DROP INDEX {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
