"""Time the member list (GET /members/) against a database built by bench/generate.py.

    .venv/bin/python bench/bench_member_list.py --database-url sqlite:///bench/data/town.sqlite3 -n 30

Each scenario is one user (by role) and one search. `page` goes through django.test.Client with
the full middleware stack (session, CSP, access scope, template); `selector` times what the page
asks the database for: members_list(...)[:20] plus count(). Prints p50/p95 in milliseconds and the
number of queries one page takes.
"""

import argparse
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path

from common import setup

# (label, username) tried in order; the first set whose users exist is used.
USER_SETS = (
    (("全市管理员", "bench_city"), ("镇管理员", "bench_town"), ("村党总支书记", "bench_secretary")),
    (("镇管理员", "zhen_admin"), ("村党总支书记", "shuji_dachun")),
)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def scenarios(user) -> list[tuple[str, str]]:
    """No search, and a search by a full name that exists in the user's scope (as people search)."""
    from qiangji.members.models import Member

    sample = Member.objects.for_user(user).order_by("id").values_list("name", flat=True)[:1]
    name = sample[0] if sample else "张"
    return [("无搜索", ""), (f"按姓名搜索“{name}”", name)]


def time_page(client, q: str, n: int, warmup: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = "/members/" + (f"?q={q}" if q else "")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    queries = len(captured)  # read now: the next request clears the query log
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}")
    for _ in range(warmup):
        client.get(url)
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
    return samples, queries


def time_selector(user, q: str, n: int, warmup: int) -> list[float]:
    from qiangji.core.access import forget_scope
    from qiangji.members.selectors import members_list

    def once() -> None:
        forget_scope(user)  # the page resolves the scope once per request too
        qs = members_list(user=user, q=q)
        list(qs[:20])
        qs.count()

    for _ in range(warmup):
        once()
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        once()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL"))
    parser.add_argument("-n", type=int, default=30, help="timed repetitions per scenario")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--mode", choices=("page", "selector", "both"), default="both")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    if not args.database_url:
        sys.exit("需要 --database-url（或环境变量 BENCH_DATABASE_URL）")
    setup(args.database_url)

    from django.db import connection
    from django.test import Client

    from qiangji.accounts.models import User
    from qiangji.members.models import Member

    users = next((s for s in USER_SETS if User.objects.filter(username=s[0][1]).exists()), None)
    if users is None:
        sys.exit("库中没有基准测试账号：先运行 bench/generate.py")
    print(f"# 党员列表  {connection.vendor} {connection.settings_dict['NAME']}  党员 {Member.objects.count():,} 名  n={args.n}")
    print("| 角色 | 可见党员 | 场景 | 方式 | p50 ms | p95 ms | 查询数 |")
    print("| --- | ---: | --- | --- | ---: | ---: | ---: |")
    results = []
    for label, username in users:
        user = User.objects.get(username=username)
        visible = Member.objects.for_user(user).count()
        client = Client()
        client.force_login(user)
        for what, q in scenarios(user):
            rows = []
            if args.mode in ("page", "both"):
                samples, queries = time_page(client, q, args.n, args.warmup)
                rows.append(("页面", samples, queries))
            if args.mode in ("selector", "both"):
                rows.append(("选择器", time_selector(user, q, args.n, args.warmup), None))
            for how, samples, queries in rows:
                p50, p95 = percentiles(samples)
                print(f"| {label} | {visible:,} | {what} | {how} | {p50:.1f} | {p95:.1f} | {queries if queries else ''} |")
                results.append({"role": label, "visible": visible, "scenario": what, "mode": how, "p50_ms": p50, "p95_ms": p95,
                                "queries": queries})  # fmt: skip
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
