from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "qiangji.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        from qiangji.accounts import checks  # noqa: F401  (registers the deployment check)
