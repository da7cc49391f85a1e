"""/healthz: what the load balancer and monitoring ask, with no login. It says ok, degraded (a
background process's heartbeat is stale or missing) or down (no database), and nothing else."""

import datetime as dt
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from qiangji.core.models import Heartbeat

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


def beat(name, minutes_ago):
    Heartbeat.objects.update_or_create(
        name=name, defaults={"beat_at": NOW - dt.timedelta(minutes=minutes_ago), "detail": "pid 4242 on db.internal"}
    )


@pytest.fixture
def now():
    with mock.patch.object(timezone, "now", return_value=NOW):
        yield NOW


def test_ok_when_the_database_answers_and_both_processes_beat(db, now):
    beat("scheduler", 1)
    beat("worker", 9)
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "worker": "ok", "scheduler": "ok"}}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("scheduler", "worker", "checks"),
    [
        (11, 1, {"database": "ok", "worker": "ok", "scheduler": "stale"}),
        (1, 60, {"database": "ok", "worker": "stale", "scheduler": "ok"}),
        (None, 1, {"database": "ok", "worker": "ok", "scheduler": "missing"}),
        (None, None, {"database": "ok", "worker": "missing", "scheduler": "missing"}),
    ],
)
def test_degraded_but_200_when_a_heartbeat_is_stale_or_missing(db, now, scheduler, worker, checks):
    if scheduler is not None:
        beat("scheduler", scheduler)
    if worker is not None:
        beat("worker", worker)
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "checks": checks}


def test_the_staleness_limit_is_a_setting(db, now, settings):
    settings.QIANGJI_HEARTBEAT_STALE_MINUTES = 30
    beat("scheduler", 29)
    beat("worker", 31)
    assert Client().get("/healthz").json()["checks"] == {"database": "ok", "worker": "stale", "scheduler": "ok"}


def test_down_and_503_when_the_database_does_not_answer(db):
    with mock.patch("qiangji.core.views.connection") as connection:
        connection.cursor.side_effect = OperationalError("connection refused")
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "down", "checks": {"database": "down", "worker": "unknown", "scheduler": "unknown"}}
    connection.cursor.assert_called_once_with()


def test_down_when_the_query_fails(db):
    with mock.patch("qiangji.core.views.connection") as connection:
        connection.cursor.return_value.__enter__.return_value.execute.side_effect = OperationalError("server closed")
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "down"


def test_down_when_the_heartbeat_table_cannot_be_read(db):
    with mock.patch("qiangji.core.status.Heartbeat.objects.filter", side_effect=OperationalError("relation does not exist")):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "down"


def test_healthz_does_not_say_why(db, caplog):
    """The body is public: neither the message (a host name, a user name) nor the driver's error
    class is in it; the log has the cause."""
    with mock.patch("qiangji.core.views.connection") as connection:
        connection.cursor.side_effect = OperationalError('could not connect to server "db.internal" as user "qiangji"')
        response = Client().get("/healthz")
    assert "db.internal" not in response.content.decode() and "OperationalError" not in response.content.decode()
    assert "db.internal" in caplog.text


def test_the_answer_holds_no_versions_hosts_paths_or_details(db, now):
    """Only the fixed words: a heartbeat's detail (a pid, a host), times, versions never appear."""
    beat("scheduler", 1)
    beat("worker", 50)
    response = Client().get("/healthz")
    body = response.json()
    words = {body["status"], *body["checks"].values()}
    assert set(body) == {"status", "checks"} and set(body["checks"]) == {"database", "worker", "scheduler"}
    assert words <= {"ok", "degraded", "down", "stale", "missing", "unknown"}
