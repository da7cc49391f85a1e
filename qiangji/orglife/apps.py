from django.apps import AppConfig


class OrglifeConfig(AppConfig):
    """Organizational life (组织生活): meetings, their attendance and compliance with the rules."""

    name = "qiangji.orglife"
    label = "orglife"
    verbose_name = "组织生活"

    def ready(self) -> None:
        from qiangji.core.spreadsheets import register
        from qiangji.orglife.importers import MeetingImporter

        register(MeetingImporter())
