"""Time the compliance heat map (issue 3) on a demo-town database, step by step.

    rm -f /tmp/bench_town.sqlite3
    .venv/bin/python bench/bench_compliance.py --database-url sqlite:////tmp/bench_town.sqlite3 -n 30

Builds the demo town (seed_demo, with a year of organizational life) when the database has no
town yet. Times, as the town admin sees them: the organizations selector, `held_counts` (the one
grouped query), `compliance_grids` (query + cells), the same with the held counts given (cells
only), `heatmap_data`, `compliance_missed_last_period`, the template, and the whole page
GET /orglife/compliance/ through django.test.Client (full middleware). Prints a Markdown table:
wall p50/p95 and CPU p50 in ms after a warm-up, the load average (1 min) when each line was
measured, and the page's queries.
"""

import argparse
import datetime as dt
import math
import os
import statistics
import time
from pathlib import Path

from common import setup


def timed(fn, n: int, warmup: int = 3) -> tuple[float, float, float]:
    """Wall p50, wall p95 and CPU p50 (ms). On SQLite the query runs in this process, so CPU time is
    what the step costs without the waits for a core that other work on the machine causes."""
    for _ in range(warmup):
        fn()
    samples, cpu = [], []
    for _ in range(n):
        start, used = time.perf_counter(), time.process_time()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - used) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, math.ceil(0.95 * len(samples)) - 1)], statistics.median(cpu)


def load() -> str:
    return Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL") or "sqlite:////tmp/bench_town.sqlite3")
    parser.add_argument("-n", type=int, default=30)
    args = parser.parse_args()
    setup(args.database_url)

    from django.core.management import call_command
    from django.db import connection
    from django.template.loader import render_to_string
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from qiangji.accounts.models import User
    from qiangji.core.access import forget_scope
    from qiangji.orglife import compliance
    from qiangji.orglife.compliance import compliance_grids, compliance_missed_last_period, held_counts, requirements_active
    from qiangji.orglife.selectors import organizations_for_compliance
    from qiangji.orglife.views_compliance import heatmap_data
    from qiangji.orgs.models import Organization

    call_command("migrate", verbosity=0)
    if not User.objects.filter(username="zhen_admin").exists():
        if Organization.objects.exists():
            # A city database (run.py --scale city): bench_compliance_city.py measures that one.
            print("跳过：库中没有演示镇（zhen_admin）；城市规模见 bench_compliance_city.py")
            return
        call_command("seed_demo", verbosity=0)
    admin = User.objects.get(username="zhen_admin")
    today = timezone.localdate()
    year = today.year
    organizations = organizations_for_compliance(user=admin)
    ids = [o.pk for o in organizations]
    requirements = requirements_active()
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    counts = held_counts(ids, start, end)
    grids = compliance_grids(organizations, year=year, today=today, requirements=requirements)
    missed = compliance_missed_last_period(organizations, today=today, requirements=requirements, grids=grids, year=year)
    context = {
        "year": year,
        "years": range(today.year, today.year - 5, -1),
        "heatmap": heatmap_data(organizations, grids, requirements, year),
        "organization_count": len(organizations),
        "missed": missed,
    }

    client = Client()
    client.force_login(admin)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/orglife/compliance/")
    assert response.status_code == 200, response.status_code
    queries, size = len(captured), len(response.content)
    request = response.wsgi_request

    def select() -> None:
        forget_scope(admin)
        organizations_for_compliance(user=admin)

    def grids_now() -> None:
        compliance_grids(organizations, year=year, today=today, requirements=requirements)

    def cells_only() -> None:
        saved = compliance.held_counts
        compliance.held_counts = lambda *_: counts
        try:
            compliance_grids(organizations, year=year, today=today, requirements=requirements)
        finally:
            compliance.held_counts = saved

    def missed_from_grids() -> None:
        compliance_missed_last_period(organizations, today=today, requirements=requirements, grids=grids, year=year)

    steps = [
        ("organizations_for_compliance", select),
        ("held_counts (1 query)", lambda: held_counts(ids, start, end)),
        ("compliance_grids (query + cells)", grids_now),
        ("compliance_grids, cells only", cells_only),
        ("heatmap_data", lambda: heatmap_data(organizations, grids, requirements, year)),
        ("compliance_missed_last_period (from the grids)", missed_from_grids),
        ("template", lambda: render_to_string("orglife/compliance_overview.html", context, request=request)),
        ("page GET /orglife/compliance/", lambda: client.get("/orglife/compliance/")),
    ]  # fmt: skip

    print(f"# 组织生活开展情况热力图  {connection.vendor} {connection.settings_dict['NAME']}  "
          f"{len(organizations)} 个党支部和党小组，{sum(counts.values()):,} 次已召开会议（{year}年）  n={args.n}")  # fmt: skip
    print(f"页面：{queries} 次查询，{size:,} 字节；上一周期未开展 {len(missed)} 项")
    print()
    print("| step | p50 ms | p95 ms | CPU p50 ms | load (1 min) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, fn in steps:
        p50, p95, cpu = timed(fn, args.n)
        print(f"| {label} | {p50:.1f} | {p95:.1f} | {cpu:.1f} | {load()} |", flush=True)


if __name__ == "__main__":
    main()
