from django.apps import AppConfig


class ReserveConfig(AppConfig):
    name = "qiangji.reserve"
    label = "reserve"
    verbose_name = "头雁培优（后备人员库）"
