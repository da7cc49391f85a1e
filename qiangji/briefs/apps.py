from django.apps import AppConfig


class BriefsConfig(AppConfig):
    name = "qiangji.briefs"
    label = "briefs"
    verbose_name = "工作简报"
