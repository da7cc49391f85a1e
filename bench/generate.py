"""Build a benchmark database: the demo town, or a city (80,000 organizations, 2,000,000 members).

    .venv/bin/python bench/generate.py --scale town --database-url sqlite:///bench/data/town.sqlite3
    .venv/bin/python bench/generate.py --scale city --database-url postgres://postgres@127.0.0.1:5432/qiangji_bench
    .venv/bin/python bench/generate.py --scale city --members 200000 --orgs 8000 --database-url ...

The target database is made anew first (a PostgreSQL database dropped and created, a SQLite file
deleted), then migrated: never point it at real data. Making it anew rather than flushing keeps
the rows that migrations seed (grade levels, requirement tables), as a real installation has them.
"""

import argparse
import os
import sys
import time

from common import setup

SCALES = {"town": {"members": 3000, "orgs": 115}, "city": {"members": 2_000_000, "orgs": 80_000}}


def database_url(args_url: str | None) -> str:
    url = args_url or os.environ.get("BENCH_DATABASE_URL")
    if not url:
        sys.exit("需要 --database-url（或环境变量 BENCH_DATABASE_URL）：基准库会被清空，不使用默认开发库。")
    return url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="town")
    parser.add_argument("--database-url")
    parser.add_argument("--members", type=int, help="override the scale's number of members")
    parser.add_argument("--orgs", type=int, help="city scale: override the number of organizations")
    parser.add_argument("--towns", type=int, default=200, help="city scale: number of towns (default 200)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-history", action="store_true", help="city scale: skip the ChangeRecord rows")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="city scale: worker processes building towns")
    args = parser.parse_args(argv)
    url = database_url(args.database_url)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    setup(url, fresh=True)
    timings["migrate"] = time.perf_counter() - started

    from django.core.management import call_command
    from django.db import connection

    members = args.members or SCALES[args.scale]["members"]
    print(f"数据库：{connection.vendor} {connection.settings_dict['NAME']}；规模：{args.scale}，党员 {members:,} 名")

    started = time.perf_counter()
    if args.scale == "town":
        call_command("seed_demo", members=members, seed=args.seed)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        from qiangji.demo.bulk import generate_city

        orgs = args.orgs or SCALES["city"]["orgs"]
        timings.update(
            generate_city(
                members=members,
                organizations=orgs,
                towns=args.towns,
                seed=args.seed,
                history=not args.no_history,
                jobs=args.jobs,
            )
        )
    timings["total"] = time.perf_counter() - started

    from qiangji.members.models import Member
    from qiangji.orgs.models import Organization

    print(f"党组织 {Organization.objects.count():,} 个，党员 {Member.objects.count():,} 名")
    print("用时（秒）：" + "，".join(f"{k} {v:.1f}" for k, v in timings.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
