from django.apps import AppConfig


class CouncilConfig(AppConfig):
    name = "qiangji.council"
    label = "council"
    verbose_name = "试点项目与议事厅"
