from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "qiangji.core"
    label = "core"
    verbose_name = "公共机制"

    def ready(self) -> None:
        # Before any URL conf is loaded: every app's patterns use `<id:…>`.
        from qiangji.core import converters

        converters.register()
