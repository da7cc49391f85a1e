"""What every benchmark script does before it touches Django: point it at the benchmark database.

Benchmark data is generated, never real: its keys are the benchmark's own (the settings refuse
the public development keys outside a debug demo machine). DEBUG is off (no query log in memory,
the way a deployment runs); pages are requested through django.test.Client, so plain HTTP, host
"testserver", no secure cookies; the town admin's second factor is off so that a benchmark's
logged-in client reaches the page instead of the enrolment redirect.
"""

import os
import sys
import warnings
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent

ENVIRONMENT = {
    "DJANGO_SECRET_KEY": "bench-only-secret-key-not-for-production",
    "QIANGJI_FIELD_KEY": "bench-only-field-key-not-for-production",
    "QIANGJI_HASH_KEY": "bench-only-hash-key-not-for-production",
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    "DJANGO_ALLOWED_HOSTS": "testserver",
    "DJANGO_SECURE_COOKIES": "0",
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "QIANGJI_MEDIA_ROOT": str(BENCH / "data" / "media"),
}


def recreate_postgres_database(url: str) -> None:
    """DROP and CREATE the database (the server must already run)."""
    import psycopg
    from dj_database_url import parse
    from psycopg import sql

    cfg = parse(url)
    params = {"host": cfg["HOST"], "port": cfg["PORT"], "user": cfg["USER"], "password": cfg["PASSWORD"]}
    with psycopg.connect(dbname="postgres", autocommit=True, **{k: v for k, v in params.items() if v}) as conn:
        name = sql.Identifier(cfg["NAME"])
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def recreate(url: str) -> None:
    """An empty database at `url`: a PostgreSQL database dropped and created, a SQLite file deleted.

    Made anew rather than flushed, so that migrating it seeds what migrations seed (grade levels,
    requirement tables) as on a real installation; a flush after migrating removed them.
    """
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            stale.unlink(missing_ok=True)
    elif url.startswith(("postgres://", "postgresql://")):
        recreate_postgres_database(url)
    else:
        sys.exit(f"不支持的数据库地址：{url}")


def setup(url: str, *, fresh: bool = False) -> None:
    """Configure and start Django on `url`; `fresh` makes the database anew and migrates it first."""
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["QIANGJI_ADMIN_2FA"] = "0"
    for name, value in ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    for path in (ROOT, BENCH):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    # Static files are not collected for a benchmark; whitenoise's warning about it is noise.
    warnings.filterwarnings("ignore", message="No directory at")
    if fresh:
        recreate(url)
    import django

    django.setup()
    if fresh:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
