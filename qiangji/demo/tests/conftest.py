"""The demo town built once per test module, not once per test.

Building it (a year of organizational life and of the ledger) costs seconds on SQLite and more
on PostgreSQL; two dozen tests read the same town. `demo_once` builds it inside a transaction
that is rolled back when the module ends, and each test's own transaction (the `db` fixture)
nests inside it as a savepoint: a test that changes or rebuilds the town changes it for itself
only. Tests that need an empty database live in test_seed_variants.py, where no town is built.
"""

import pytest
from django.db import transaction
from django.test.utils import override_settings

TEST_SETTINGS = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}},
}


@pytest.fixture(scope="module")
def demo_once(request, django_db_setup, django_db_blocker):
    """The output of the module's own `seed()`, with the town it built in the database."""
    with override_settings(**TEST_SETTINGS), django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            output = request.module.seed()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield output
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def demo(demo_once, db):
    return demo_once
