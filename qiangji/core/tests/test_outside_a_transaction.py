"""Rules that only show outside the test's own transaction, each test on a committed database.

Kept apart from their modules (test_append_only, test_clientip): a transactional test flushes the
database when it ends, so under xdist every module is either wholly transactional or not at all
(the root conftest runs the transactional ones last on each worker)."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from qiangji.core.errors import RateLimited, refuse_over_hourly_limit
from qiangji.core.models import append_only_maintenance
from qiangji.ledger.models import PublicReport
from qiangji.ledger.services.public import public_report_submit

TEXT = "村口路灯坏了一个多月，晚上行走很不方便。"


def test_maintenance_needs_a_transaction(transactional_db):
    with pytest.raises(RuntimeError), append_only_maintenance():
        pass


def test_the_rate_rule_refuses_to_count_outside_a_transaction(transactional_db):
    with pytest.raises(RuntimeError):
        refuse_over_hourly_limit(PublicReport.objects.none(), client_key="k", now=timezone.now(), limit=1, message="x")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serializes every writing transaction at BEGIN")
def test_concurrent_submissions_are_counted_atomically(transactional_db, settings):
    """A submission that has counted but not yet inserted holds the next one back: with a limit
    of 1, two at once give one report, not two."""
    settings.LEDGER_PUBLIC_REPORTS_PER_HOUR = 1
    counted, outcome = threading.Event(), {}

    def slow_first():
        try:
            with transaction.atomic():
                refuse_over_hourly_limit(
                    PublicReport.objects.filter(client_hash="h"), client_key="h", now=timezone.now(), limit=1, message="x"
                )
                counted.set()
                time.sleep(0.5)
                PublicReport.objects.create(description=TEXT, client_hash="h", reference="A")
        finally:
            connection.close()

    def second():
        counted.wait(5)
        try:
            public_report_submit(data={"description": TEXT}, client_hash="h")
            outcome["second"] = "sent"
        except RateLimited:
            outcome["second"] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=slow_first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    assert outcome == {"second": "refused"}
    assert PublicReport.objects.count() == 1
