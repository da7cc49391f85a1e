from django.apps import AppConfig


class MediationConfig(AppConfig):
    name = "qiangji.mediation"
    label = "mediation"
    verbose_name = "老娘舅调解工作室"
