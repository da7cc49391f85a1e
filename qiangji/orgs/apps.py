from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "qiangji.orgs"
    label = "orgs"
    verbose_name = "组织体系"

    def ready(self) -> None:
        from qiangji.core.spreadsheets import register
        from qiangji.orgs.importers import OrganizationImporter

        register(OrganizationImporter())
