"""Fail closed (docs/security.md): a server started without configuration is a production server,
and a production server refuses to start without its own keys.

Each case imports the settings in a fresh interpreter with an environment built from nothing,
since the suite itself runs on the development switches (config/settings_test.py).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
KEYS = {
    "DJANGO_SECRET_KEY": "prod-4f8Qz1kL9xT2vB7nM3cR6wY0pJ5sH8dA1eG4uK7iO2lZ9qW",
    "QIANGJI_FIELD_KEY": "prod-field-key-7Hc2Lm9Qx4Tz1Vb8Nk3Rw6Yp0Js5Dg",
    "QIANGJI_HASH_KEY": "prod-hash-key-3Fq8Wz1Lm6Tx9Vb2Nk5Rc0Yp7Js4Dh",
}
DEV_VALUES = {
    "DJANGO_SECRET_KEY": "dev-insecure-qiangji-secret-key-change-me-in-production",
    "QIANGJI_FIELD_KEY": "ZGV2LW9ubHktZmllbGQta2V5LTMyLWJ5dGVzLWxvbmch",
    "QIANGJI_HASH_KEY": "dev-only-hash-key",
}
# What README "生产部署与安全" tells an operator to set, beside the three keys.
PRODUCTION = {
    **KEYS,
    "DJANGO_ALLOWED_HOSTS": "dangjian.example.gov.cn",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://dangjian.example.gov.cn",
    "DJANGO_SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    "QIANGJI_TRUSTED_PROXIES": "10.0.0.2",
}
PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({k: getattr(settings, k) for k in "
    "('DEBUG', 'SECRET_KEY', 'FIELD_ENCRYPTION_KEY', 'FIELD_HASH_KEY', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', "
    "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_PROXY_SSL_HEADER', 'ALLOWED_HOSTS')}))"
)


def run(args, env, tmp_path):
    clean = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **env,
    }
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)


def settings_of(env, tmp_path):
    return run(["-c", PROBE], env, tmp_path)


def test_no_configuration_is_production_and_refuses_to_start(tmp_path):
    result = settings_of({}, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "生产环境必须设置环境变量 DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize("missing", sorted(KEYS))
def test_each_missing_key_is_named(tmp_path, missing):
    env = {k: v for k, v in KEYS.items() if k != missing}
    result = settings_of(env, tmp_path)
    assert result.returncode != 0
    assert f"生产环境必须设置环境变量 {missing}" in result.stderr


@pytest.mark.parametrize("name", sorted(KEYS))
@pytest.mark.parametrize("debug", [{}, {"DJANGO_DEBUG": "0"}, {"DJANGO_DEBUG": "1"}, {"QIANGJI_DEMO": "1"}])
def test_public_development_value_is_refused_outside_a_demo_machine(tmp_path, name, debug):
    result = settings_of({**KEYS, name: DEV_VALUES[name], **debug}, tmp_path)
    assert result.returncode != 0
    assert f"环境变量 {name} 用的是代码库中公开的开发密钥" in result.stderr


def test_real_keys_start_a_production_server(tmp_path):
    import json

    result = settings_of(KEYS, tmp_path)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values == {
        "DEBUG": False,
        "SECRET_KEY": KEYS["DJANGO_SECRET_KEY"],
        "FIELD_ENCRYPTION_KEY": KEYS["QIANGJI_FIELD_KEY"],
        "FIELD_HASH_KEY": KEYS["QIANGJI_HASH_KEY"],
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_PROXY_SSL_HEADER": None,
        "ALLOWED_HOSTS": [],
    }


def test_https_settings_come_from_the_environment(tmp_path):
    import json

    env = {
        **PRODUCTION,
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_HSTS_SECONDS": "600",
        "DJANGO_SECURE_COOKIES": "0",
    }
    values = json.loads(settings_of(env, tmp_path).stdout)
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 600
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["CSRF_COOKIE_SECURE"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["ALLOWED_HOSTS"] == ["dangjian.example.gov.cn"]


def test_demo_machine_is_explicit(tmp_path):
    import json

    result = settings_of({"DJANGO_DEBUG": "1", "QIANGJI_DEMO": "1"}, tmp_path)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["DEBUG"] is True
    assert values["SECRET_KEY"] == DEV_VALUES["DJANGO_SECRET_KEY"]
    assert values["FIELD_HASH_KEY"] == DEV_VALUES["QIANGJI_HASH_KEY"]


def test_check_deploy_is_clean_for_the_documented_production_settings(tmp_path):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
