"""Time the compliance heat map (issue 3) on a demo-town database.

    .venv/bin/python bench/bench_compliance.py --database-url sqlite:////tmp/bench-town.sqlite3 -n 20

Builds the demo town (seed_demo, with a year of organizational life) when the database has no
town yet. `grids` times compliance_grids() for every branch and Party group the town admin sees
(one grouped query plus the requirement table); `page` times GET /orglife/compliance/ through
django.test.Client with the full middleware stack. Prints p50/p95 in milliseconds.
"""

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-not-for-production")
    os.environ.setdefault("DJANGO_SECURE_COOKIES", "0")
    os.environ["QIANGJI_ADMIN_2FA"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()


def timed(fn, n: int) -> tuple[float, float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, round(0.95 * len(samples)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="sqlite:////tmp/bench-town.sqlite3")
    parser.add_argument("-n", type=int, default=20)
    args = parser.parse_args()
    setup(args.database_url)

    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from qiangji.accounts.models import User
    from qiangji.orglife.compliance import compliance_grids
    from qiangji.orglife.selectors import organizations_for_compliance
    from qiangji.orgs.models import Organization

    call_command("migrate", verbosity=0)
    if not Organization.objects.exists():
        call_command("seed_demo", verbosity=0)
    admin = User.objects.get(username="zhen_admin")
    today = timezone.localdate()
    organizations = organizations_for_compliance(user=admin)

    client = Client()
    client.force_login(admin)
    assert client.get("/orglife/compliance/").status_code == 200

    grids = timed(lambda: compliance_grids(organizations, year=today.year, today=today), args.n)
    page = timed(lambda: client.get("/orglife/compliance/"), args.n)
    vendor = __import__("django.db", fromlist=["connection"]).connection.vendor
    print(f"compliance, {len(organizations)} branches and groups, {vendor}, n={args.n}")
    print(f"  grids  p50 {grids[0]:7.1f} ms   p95 {grids[1]:7.1f} ms")
    print(f"  page   p50 {page[0]:7.1f} ms   p95 {page[1]:7.1f} ms")


if __name__ == "__main__":
    main()
