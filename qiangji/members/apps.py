from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "qiangji.members"
    label = "members"
    verbose_name = "党员"
