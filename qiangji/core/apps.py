from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "qiangji.core"
    label = "core"
    verbose_name = "公共机制"
