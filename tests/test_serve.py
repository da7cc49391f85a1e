"""The production stack, started as `make serve` starts it (config/serve.py), smoke-tested over HTTP.

gunicorn, the task worker and the scheduler, DEBUG off, random production keys, a PostgreSQL
database of its own: the first administrator (bootstrap) logs in through the real first-login
flow (second factor enrolled, own password chosen), opens a page per module and a static file,
imports a sheet that the worker analyses and commits; the scheduler records its runs; then the
stack stops cleanly. PostgreSQL only (the production database): CI runs it in its PostgreSQL pass.
"""

import base64
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from email.utils import parsedate_to_datetime
from pathlib import Path

import dj_database_url
import psycopg
import pytest
import requests

from qiangji.accounts import totp

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("DATABASE_URL", "")
TOWN = "中共竖新镇委员会"
ADMIN, FIRST_PASSWORD, OWN_PASSWORD = "smoke_admin", "Qj-Smoke-2026!a", "Qj-Own-Choice-2026!b"
# One page per module, as the town administrator reaches them from the menu.
PAGES = [
    "/",
    "/orgs/",
    "/members/",
    "/orglife/",
    "/liaison/",
    "/trainings/",
    "/plans/",
    "/ledger/problems/",
    "/campaign/",
    "/council/projects/",
    "/red/sites/",
    "/reserve/",
    "/mediation/",
    "/positions/",
    "/inbox/",
    "/imports/",
    "/accounts/users/",
    "/audit/",
]
# Under a full CI run the machine is busy; these are limits, not expectations.
START_SECONDS = 300
WAIT_SECONDS = 180

pytestmark = [
    pytest.mark.serve,
    pytest.mark.skipif(not DATABASE_URL.startswith("postgres"), reason="the production stack is tested on PostgreSQL"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def admin_connection(dbname: str | None = None) -> psycopg.Connection:
    params = dj_database_url.parse(DATABASE_URL)
    return psycopg.connect(
        dbname=dbname or params["NAME"],
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        autocommit=True,
    )


@pytest.fixture
def database():
    name = f"qiangji_serve_{uuid.uuid4().hex[:8]}"
    with admin_connection() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = DATABASE_URL.rsplit("/", 1)[0] + "/" + name
    yield name, url
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def production_env(database, tmp_path):
    _name, url = database
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "QIANGJI_DEMO": "0",
        "DATABASE_URL": url,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "QIANGJI_FIELD_KEY": base64.b64encode(os.urandom(32)).decode(),
        "QIANGJI_HASH_KEY": secrets.token_urlsafe(32),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        # Plain HTTP on the loopback: no TLS proxy in front of this server.
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_HSTS_SECONDS": "0",
        "QIANGJI_MEDIA_ROOT": str(tmp_path / "media"),
        "QIANGJI_BACKUP_DIR": str(tmp_path / "backups"),
        # Every sheet goes to the worker, however small.
        "QIANGJI_IMPORT_BACKGROUND_ROWS": "0",
        "QIANGJI_WEB_WORKERS": "2",
    }


def manage(env, *args, **kwargs):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, **kwargs)


def csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def wait_for(what: str, check, log: Path, seconds: float = WAIT_SECONDS):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}; the stack's log:\n{log.read_text()[-4000:]}")


def test_the_production_stack_serves_imports_and_schedules(production_env, database, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        stack = subprocess.Popen(
            [sys.executable, "-m", "config.serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=production_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:

        def up():
            assert stack.poll() is None, f"the stack ended:\n{log.read_text()[-4000:]}"
            try:
                return requests.get(f"{base}/healthz", timeout=10)
            except requests.RequestException:
                return None

        health = wait_for("/healthz", up, log, START_SECONDS)
        # Just started: the database answers; a heartbeat may not have been written yet.
        assert health.status_code == 200
        assert health.json()["checks"]["database"] == "ok"
        assert health.json()["status"] in ("ok", "degraded")

        password_file = tmp_path / "pw"
        password_file.write_text(FIRST_PASSWORD + "\n")
        made = manage(production_env, "bootstrap", "--town", TOWN, "--admin", ADMIN, "--password-file", str(password_file))
        assert made.returncode == 0, made.stderr

        web = requests.Session()
        login = web.get(f"{base}/accounts/login/")
        assert login.status_code == 200

        # A hashed, compressed static file from the page itself, cached for ever.
        css = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', login.text).group(1)
        static = web.get(base + css, headers={"Accept-Encoding": "gzip"})
        assert static.status_code == 200
        assert static.headers["Content-Type"].startswith("text/css")
        assert "immutable" in static.headers["Cache-Control"]

        # First login: password, then the authenticator bound, then an own password.
        answer = web.post(
            f"{base}/accounts/login/",
            data={"csrfmiddlewaretoken": csrf(login.text), "username": ADMIN, "password": FIRST_PASSWORD},
        )
        assert answer.url.startswith(f"{base}/accounts/2fa/enrol/"), answer.url
        secret = re.search(r"data-qj-secret>([^<]+)<", answer.text).group(1)
        # The code of the server's clock (this process's may be travelling: QIANGJI_TEST_TODAY).
        server_time = parsedate_to_datetime(answer.headers["Date"]).timestamp()
        code = totp.code_now(secret, when=server_time)
        answer = web.post(answer.url, data={"csrfmiddlewaretoken": csrf(answer.text), "code": code, "next": "/"})
        assert answer.url.startswith(f"{base}/accounts/password/"), answer.url
        answer = web.post(
            answer.url,
            data={
                "csrfmiddlewaretoken": csrf(answer.text),
                "old_password": FIRST_PASSWORD,
                "new_password1": OWN_PASSWORD,
                "new_password2": OWN_PASSWORD,
            },
        )
        assert answer.url == f"{base}/", answer.url

        for page in PAGES:
            response = web.get(base + page)
            assert response.status_code == 200, (page, response.status_code)
            assert response.url.startswith(base + page), (page, response.url)

        # An import the worker analyses, then commits.
        imports = web.get(f"{base}/imports/")
        sheet = f"组织名称,组织类别,上级组织,所在单位\n示范科技公司党支部,党支部,{TOWN},示范科技公司\n".encode()
        answer = web.post(
            f"{base}/imports/",
            data={"csrfmiddlewaretoken": csrf(imports.text), "kind": "organizations"},
            files={"file": ("党组织.csv", sheet, "text/csv")},
        )
        batch = re.fullmatch(rf"{base}/imports/(\d+)/", answer.url).group(1)

        def finished():
            progress = web.get(f"{base}/imports/{batch}/progress/", allow_redirects=False)
            return progress.status_code == 302

        wait_for("the worker's analysis", finished, log)
        detail = web.get(f"{base}/imports/{batch}/")
        answer = web.post(f"{base}/imports/{batch}/commit/", data={"csrfmiddlewaretoken": csrf(detail.text)})
        assert answer.status_code == 200
        wait_for("the worker's commit", finished, log)
        assert "示范科技公司党支部" in web.get(f"{base}/orgs/").text

        # The scheduler ran every job once and the worker ran its heartbeat task.
        def scheduled():
            with admin_connection(database[0]) as conn:
                runs = conn.execute("SELECT job, outcome, detail FROM core_schedulerrun WHERE outcome <> 'running'").fetchall()
                beats = {name for (name,) in conn.execute("SELECT name FROM core_heartbeat")}
            return (runs, beats) if len(runs) == 5 and {"scheduler", "worker"} <= beats else None

        runs, _beats = wait_for("the scheduler's runs", scheduled, log)
        assert {(job, outcome) for job, outcome, _detail in runs} == {
            ("send_reminders", "succeeded"),
            ("send_meeting_notices", "succeeded"),
            ("send_problem_reminders", "succeeded"),
            ("campaign_daily", "succeeded"),
            ("backup", "succeeded"),
        }, runs
        assert len(list((tmp_path / "backups").glob("qiangji-backup-*.tar.gz"))) == 1
        # With both heartbeats written, monitoring sees a healthy installation.
        health = requests.get(f"{base}/healthz", timeout=10)
        assert (health.status_code, health.json()) == (
            200,
            {"status": "ok", "checks": {"database": "ok", "worker": "ok", "scheduler": "ok"}},
        )

        stack.send_signal(signal.SIGTERM)
        assert stack.wait(timeout=60) == 0, log.read_text()[-4000:]
        assert "已停止。" in log.read_text()
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{base}/healthz", timeout=5)
    finally:
        if stack.poll() is None:
            os.killpg(stack.pid, signal.SIGKILL)
            stack.wait()
