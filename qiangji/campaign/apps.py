from django.apps import AppConfig


class CampaignConfig(AppConfig):
    name = "qiangji.campaign"
    label = "campaign"
    verbose_name = "新兴领域攻坚（新连心）"
