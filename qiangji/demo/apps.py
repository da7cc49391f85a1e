from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The synthetic demo town and the benchmark data generator; it owns no models."""

    name = "qiangji.demo"
    label = "demo"
    verbose_name = "演示数据"
