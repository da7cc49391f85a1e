"""/healthz: what the load balancer and monitoring ask, with no login."""

from unittest import mock

from django.db import OperationalError
from django.test import Client


def test_healthz_answers_200_when_the_database_answers(db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_does_not(db):
    with mock.patch("qiangji.core.views.connection") as connection:
        connection.cursor.side_effect = OperationalError("connection refused")
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}
    connection.cursor.assert_called_once_with()


def test_healthz_answers_503_when_the_query_fails(db):
    with mock.patch("qiangji.core.views.connection") as connection:
        connection.cursor.return_value.__enter__.return_value.execute.side_effect = OperationalError("server closed")
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}


def test_healthz_does_not_say_why(db, caplog):
    """The body is public: neither the message (a host name, a user name) nor the driver's error
    class is in it; the log has the cause."""
    with mock.patch("qiangji.core.views.connection") as connection:
        connection.cursor.side_effect = OperationalError('could not connect to server "db.internal" as user "qiangji"')
        response = Client().get("/healthz")
    assert "db.internal" not in response.content.decode() and "OperationalError" not in response.content.decode()
    assert "db.internal" in caplog.text
