from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "qiangji.core"
    label = "core"
    verbose_name = "公共机制"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from qiangji.core.middleware import session_started

        # The session's clocks start with the login itself, not with the next request.
        user_logged_in.connect(session_started, dispatch_uid="qiangji.core.session_started")

        # Before any URL conf is loaded: every app's patterns use `<id:…>`.
        from qiangji.core import converters

        converters.register()

        # Every form names the blank required field ("姓名未填写"), not Django's "这个字段是必填项。".
        from qiangji.core import forms

        forms.install()
