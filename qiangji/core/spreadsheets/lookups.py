"""Choices loaded once per import, so the row form's ModelChoiceField needs no query per row.

`preloaded(qs)` returns the same queryset (same class, same filters, same scope) whose
`get(pk=…)` is answered from the rows it held when loaded. Any further filter makes it an
ordinary queryset again, so a form that narrows its choices still asks the database.

`preloaded(qs, pks=…)` loads only the rows of `qs` among those pks (an import loads the
organizations its file names, not a city's eighty thousand): `get` answers for those pks from
memory, a pk of the queryset that was not asked for is still found (by a query), and a pk asked
for but not in the queryset raises DoesNotExist without one — exactly what `qs.get` would do.
"""

from collections.abc import Iterable
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import QuerySet


def chunk_size() -> int:
    """How many values one `__in` lookup may carry on this database (SQLite's old limit: 999)."""
    return min(connection.features.max_query_params or 10_000, 10_000) - 99


def chunked(values: Iterable[Any], size: int | None = None) -> Iterable[list[Any]]:
    items, size = list(values), size or chunk_size()
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Preloaded:
    # (the where clause the rows were loaded for, {pk: object}, the pks asked for or None = all)
    _preloaded: tuple[Any, dict[Any, Any], frozenset[Any] | None] | None = None

    def _clone(self):
        clone = super()._clone()  # type: ignore[misc]
        clone._preloaded = self._preloaded
        return clone

    def get(self, *args: Any, **kwargs: Any) -> Any:
        loaded = self._preloaded
        if loaded is not None and not args and list(kwargs) == ["pk"] and self.query.where == loaded[0]:  # type: ignore[attr-defined]
            try:
                key = self.model._meta.pk.to_python(kwargs["pk"])  # type: ignore[attr-defined]
            except ValidationError:
                raise ValueError(kwargs["pk"]) from None
            _, rows, asked = loaded
            if key in rows:
                return rows[key]
            if asked is None or key in asked:
                raise self.model.DoesNotExist(f"{self.model._meta.object_name} {key!r} not among the loaded choices")  # type: ignore[attr-defined]
        return super().get(*args, **kwargs)  # type: ignore[misc]


@cache
def _preloaded_class(cls: type[QuerySet]) -> type[QuerySet]:
    return type(f"Preloaded{cls.__name__}", (_Preloaded, cls), {})


def preloaded(queryset: QuerySet, *, pks: Iterable[Any] | None = None, objects: Iterable[Any] | None = None) -> QuerySet:
    """`objects`: rows of `queryset` the caller already holds (e.g. every organization the file
    names, for `Organization.objects.all()`): used as they are, without a query."""
    base = queryset.all()
    if objects is not None:
        rows = {obj.pk: obj for obj in objects}
        asked = frozenset(rows)
    elif pks is None:
        rows = {obj.pk: obj for obj in base}
        asked = None
    else:
        to_python = base.model._meta.pk.to_python
        asked = frozenset(to_python(pk) for pk in pks)
        rows = {obj.pk: obj for chunk in chunked(sorted(asked)) for obj in base.filter(pk__in=chunk)}
    result = _preloaded_class(type(queryset))(model=base.model, query=base.query.chain(), using=base._db, hints=base._hints)
    result._preloaded = (result.query.where, rows, asked)
    return result
