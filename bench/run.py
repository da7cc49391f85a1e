"""Run every benchmark that exists: build the dataset, then each bench/bench_*.py against it.

    .venv/bin/python bench/run.py                                   # town scale on SQLite (make bench)
    .venv/bin/python bench/run.py --database-url postgres://postgres@127.0.0.1:5432/qiangji_bench
    .venv/bin/python bench/run.py --scale city --database-url ... --skip-generate
    .venv/bin/python bench/run.py --scale city --database-url postgres://postgres@127.0.0.1:5432/bench_city --only compliance

At city scale the dataset is generate.py (organizations, members) then generate_orglife.py (a year
of meetings, ~10M attendance rows); about 6 minutes on 2 cores.

A benchmark script finds its database in the environment (BENCH_DATABASE_URL, also set as
DATABASE_URL), so a new bench_*.py needs no change here. Output goes to the terminal and to
bench/out/<script>.txt.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DEFAULT_URL = f"sqlite:///{BENCH / 'data' / 'town.sqlite3'}"


def run(cmd: list[str], env: dict[str, str], log: Path | None = None) -> int:
    print("$", " ".join(cmd[1:]), flush=True)
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    print(proc.stdout, end="")
    if proc.returncode:
        print(proc.stderr, end="", file=sys.stderr)
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(proc.stdout)
    print(f"（{time.perf_counter() - started:.1f} 秒，退出码 {proc.returncode}）\n", flush=True)
    return proc.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--scale", choices=("town", "city"), default="town")
    parser.add_argument("--skip-generate", action="store_true", help="reuse the database as it is")
    parser.add_argument("--only", help="run only the bench scripts whose name contains this")
    args = parser.parse_args(argv)
    env = {**os.environ, "BENCH_DATABASE_URL": args.database_url, "DATABASE_URL": args.database_url}
    python = sys.executable
    failures = 0
    if not args.skip_generate:
        cmd = [python, str(BENCH / "generate.py"), "--scale", args.scale, "--database-url", args.database_url]
        if run(cmd, env, BENCH / "out" / f"generate-{args.scale}.txt"):
            return 1
        if args.scale == "city":
            cmd = [python, str(BENCH / "generate_orglife.py"), "--database-url", args.database_url]
            if run(cmd, env, BENCH / "out" / "generate-orglife.txt"):
                return 1
    for script in sorted(BENCH.glob("bench_*.py")):
        if args.only and args.only not in script.name:
            continue
        failures += bool(run([python, str(script)], env, BENCH / "out" / f"{script.stem}.txt"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
