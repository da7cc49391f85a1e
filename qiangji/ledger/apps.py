from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "qiangji.ledger"
    label = "ledger"
    verbose_name = "问题清单与晋位升级"

    def ready(self) -> None:
        from qiangji.core.spreadsheets import register
        from qiangji.ledger.importers import ProblemImporter

        register(ProblemImporter())
