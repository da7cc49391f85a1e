"""Which imports exist. Core imports no app: each app registers its importer from
AppConfig.ready(), and the pages, tasks and commands look it up here by kind."""

from typing import Any

from qiangji.core.spreadsheets.importer import Importer

_importers: dict[str, Importer] = {}


def register(importer: Importer) -> Importer:
    if not importer.kind or not importer.columns:
        raise ValueError("an importer needs a kind and its columns")
    _importers[importer.kind] = importer
    return importer


def get_importer(kind: str) -> Importer | None:
    return _importers.get(kind)


def all_importers() -> list[Importer]:
    return list(_importers.values())


def importers_for(user: Any) -> list[Importer]:
    """The imports this user may run, in registration order."""
    return [importer for importer in _importers.values() if importer.may_import(user)]
