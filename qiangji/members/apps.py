from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "qiangji.members"
    label = "members"
    verbose_name = "党员"

    def ready(self) -> None:
        from qiangji.core.spreadsheets import register
        from qiangji.members.importers import MemberImporter

        register(MemberImporter())
