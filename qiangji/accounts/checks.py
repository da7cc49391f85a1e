"""Deployment check (`manage.py check --deploy`): a production server with the town admins'
second factor switched off is almost certainly a demo setting carried over by mistake."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

from qiangji.accounts import second_factor


@register(Tags.security, deploy=True)
def admin_second_factor(app_configs, **kwargs):
    if settings.DEBUG or second_factor.enabled():
        return []
    return [
        Warning(
            "镇党委管理员的双因素认证已关闭（QIANGJI_ADMIN_2FA=0）。",
            hint="生产环境请删除该环境变量或设为 1；关闭只用于本机演示。",
            id="qiangji.W001",
        )
    ]
