"""The demo town built once for all the modules of this package, not once per module.

Building it (a year of organizational life, the ledger and the campaign) costs many seconds on
SQLite and more on PostgreSQL, and every module here reads the same town: `seed_demo --members 200
--seed 7 --today 2026-11-25`. `demo_once` builds it inside a transaction that is rolled back when
the package's last test ends, and each test's own transaction (the `db` fixture) nests inside it
as a savepoint: a test that changes or rebuilds the town changes it for itself only. Under xdist
the package is one unit of work (root conftest.py), so one worker builds it once. Tests that need an empty
database live one folder up, where no town is built.
"""

import datetime as dt
import os

import pytest
import time_machine

from qiangji.demo.tests.town.seeding import seed
from qiangji.testing import DEMO_BUILD_SETTINGS, built_once


@pytest.fixture(scope="package")
def demo_once(django_db_setup, django_db_blocker):
    """What seed_demo printed, with the town it built in the database."""
    # The town is built before any test's own clock is set: QIANGJI_TEST_TODAY (root conftest.py)
    # must reach the build too, or a run "as if on that day" would only read a town built today.
    day = os.environ.get("QIANGJI_TEST_TODAY")
    clock = time_machine.travel(dt.datetime.fromisoformat(day + "T10:00:00+08:00"), tick=True) if day else None
    yield from built_once(django_db_blocker, seed, settings=DEMO_BUILD_SETTINGS, clock=clock)


@pytest.fixture
def demo(demo_once, db):
    return demo_once
