from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "qiangji.ledger"
    label = "ledger"
    verbose_name = "问题清单与晋位升级"
