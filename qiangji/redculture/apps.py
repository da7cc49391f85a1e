from django.apps import AppConfig


class RedcultureConfig(AppConfig):
    name = "qiangji.redculture"
    label = "redculture"
    verbose_name = "红色文化阵地"
