from django.apps import AppConfig


class CampaignConfig(AppConfig):
    name = "qiangji.campaign"
    label = "campaign"
    verbose_name = "新兴领域攻坚（新连心）"

    def ready(self) -> None:
        from qiangji.campaign.importers import EntityImporter
        from qiangji.core.spreadsheets import register

        register(EntityImporter())
