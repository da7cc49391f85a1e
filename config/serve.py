"""`make serve` (python -m config.serve --host H --port P): the production stack in one command.

Checks the configuration, runs `migrate` and `collectstatic`, then starts gunicorn, the task
worker and the scheduler, and stops all three together: when any one of them ends, or on
SIGTERM/SIGINT (Ctrl-C). A server managed by systemd runs the three as units instead (deploy/).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
STOP_SECONDS = 20


def configuration_problem() -> str | None:
    """The settings' own refusal (missing or public keys…), as one line instead of a traceback."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.conf import settings

        if settings.DEBUG:
            return "生产环境不能开启调试模式：请去掉 DJANGO_DEBUG=1。"
    except ImproperlyConfigured as exc:
        return str(exc)
    return None


def workers() -> int:
    return int(os.environ.get("QIANGJI_WEB_WORKERS") or 2 * (os.cpu_count() or 1) + 1)


def commands(host: str, port: int) -> dict[str, list[str]]:
    python = sys.executable
    return {
        "web": [python, "-m", "gunicorn", "--config=config/gunicorn.py", f"--bind={host}:{port}", "config.wsgi:application"],
        "worker": [python, "manage.py", "db_worker", "--queue-name", "*"],
        "scheduler": [python, "manage.py", "run_scheduler"],
    }


def stop(processes: dict[str, subprocess.Popen]) -> None:
    for process in processes.values():
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="启动生产环境：网站（gunicorn）、后台任务进程和定时任务调度器")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    os.chdir(BASE_DIR)
    problem = configuration_problem()
    if problem:
        print(f"无法启动：{problem}", file=sys.stderr)
        return 2
    for step in (["migrate", "--noinput"], ["collectstatic", "--noinput", "--verbosity=0"]):
        if subprocess.run([sys.executable, "manage.py", *step]).returncode:
            print(f"无法启动：manage.py {step[0]} 失败（见上方的信息）。", file=sys.stderr)
            return 1

    stopping = False

    def on_signal(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    processes = {name: subprocess.Popen(command) for name, command in commands(args.host, args.port).items()}
    print(f"强基平台已启动：http://{args.host}:{args.port}/（{workers()} 个网站进程），按 Ctrl-C 停止。", flush=True)
    ended = None
    while not stopping and ended is None:
        ended = next((name for name, process in processes.items() if process.poll() is not None), None)
        time.sleep(0.5)
    stop(processes)
    if ended:
        print(f"{ended} 进程已退出（返回码 {processes[ended].returncode}），其余进程已一并停止。", file=sys.stderr)
        return 1
    print("已停止。", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
