from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "qiangji.plans"
    label = "plans"
    verbose_name = "工作计划与届期提醒"
