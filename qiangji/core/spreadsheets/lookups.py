"""Choices loaded once per import, so the row form's ModelChoiceField needs no query per row.

`preloaded(qs)` returns the same queryset (same class, same filters, same scope) whose
`get(pk=…)` is answered from the rows it held when loaded. Any further filter makes it an
ordinary queryset again, so a form that narrows its choices still asks the database.
"""

from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet


class _Preloaded:
    _preloaded: tuple[Any, dict[Any, Any]] | None = None

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
            try:
                return loaded[1][key]
            except KeyError:
                raise self.model.DoesNotExist(f"{self.model._meta.object_name} {key!r} not among the loaded choices") from None  # type: ignore[attr-defined]
        return super().get(*args, **kwargs)  # type: ignore[misc]


@cache
def _preloaded_class(cls: type[QuerySet]) -> type[QuerySet]:
    return type(f"Preloaded{cls.__name__}", (_Preloaded, cls), {})


def preloaded(queryset: QuerySet) -> QuerySet:
    base = queryset.all()
    rows = {obj.pk: obj for obj in base}
    result = _preloaded_class(type(queryset))(model=base.model, query=base.query.chain(), using=base._db, hints=base._hints)
    result._preloaded = (result.query.where, rows)
    return result
