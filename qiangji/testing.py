"""Helpers shared by test modules (never imported by app code)."""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from typing import Any, TypeVar

from django.db import transaction
from django.test.utils import override_settings

T = TypeVar("T")

# What a build of the demo town needs in tests: fast password hashes and tasks run at once.
DEMO_BUILD_SETTINGS: dict[str, Any] = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}},
}


def built_once(
    django_db_blocker, build: Callable[[], T], *, settings: dict[str, Any], clock: AbstractContextManager | None = None
) -> Iterator[T]:
    """For a module- or package-scoped fixture: `yield from built_once(...)`.

    `build()` runs inside a transaction that stays open until the fixture ends and is then rolled
    back; each test's own transaction (the `db` fixture) nests inside it as a savepoint, so the
    built rows are shared by every test of the scope and a test's own changes stay its own.
    """
    with clock or nullcontext(), override_settings(**settings), django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            output = build()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield output
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)
