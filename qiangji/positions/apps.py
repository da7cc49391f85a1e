from django.apps import AppConfig


class PositionsConfig(AppConfig):
    name = "qiangji.positions"
    label = "positions"
    verbose_name = "党群服务阵地与下沉课程"
