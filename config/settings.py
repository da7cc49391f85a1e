"""One settings file, driven by the environment (12-factor).

Every knob a deployment turns is an environment variable with a development default; nothing
else differs between a laptop, CI and a town's intranet server.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    return env(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


# Fail closed: a server started with no configuration is a production server. The development
# conveniences (debug pages, the public keys below) need two explicit switches, which `make run`,
# `make demo` and the test settings (config/settings_test.py) turn on; docs/security.md.
DEBUG = env_bool("DJANGO_DEBUG", False)
DEMO = env_bool("QIANGJI_DEMO", False)

# Published in this repository, so worthless as secrets: accepted only on a development or demo
# machine (DJANGO_DEBUG=1 and QIANGJI_DEMO=1), refused everywhere else.
DEV_SECRET_KEY = "dev-insecure-qiangji-secret-key-change-me-in-production"
DEV_FIELD_KEY = "ZGV2LW9ubHktZmllbGQta2V5LTMyLWJ5dGVzLWxvbmch"
DEV_HASH_KEY = "dev-only-hash-key"
DEV_KEYS_ALLOWED = DEBUG and DEMO


def secret_env(name: str, dev_value: str) -> str:
    """A key from the environment; only a development machine may fall back on the public value."""
    value = env(name).strip()
    if DEV_KEYS_ALLOWED:
        return value or dev_value
    if not value:
        raise ImproperlyConfigured(
            f"生产环境必须设置环境变量 {name}（见 README“生产部署与安全”）；"
            "本机开发或演示请同时设置 DJANGO_DEBUG=1 与 QIANGJI_DEMO=1。"
        )
    if value == dev_value:
        raise ImproperlyConfigured(f"环境变量 {name} 用的是代码库中公开的开发密钥，生产环境不能使用，请换成自己生成的密钥。")
    return value


# SECRET_KEY signs sessions and password-reset links.
SECRET_KEY = secret_env("DJANGO_SECRET_KEY", DEV_SECRET_KEY)
# Personal-data keys (RULES.md): one for AES-GCM encryption at rest, one for the keyed lookup
# hash. Kept apart from SECRET_KEY so that rotating sessions never touches stored data.
FIELD_ENCRYPTION_KEY = secret_env("QIANGJI_FIELD_KEY", DEV_FIELD_KEY)
FIELD_HASH_KEY = secret_env("QIANGJI_HASH_KEY", DEV_HASH_KEY)
# During a key rotation (docs/operations.md): the previous keys, comma-separated, still read
# until `manage.py rotate_keys` has moved every value to the current key.
FIELD_ENCRYPTION_KEYS_OLD = env_list("QIANGJI_FIELD_KEYS_OLD")
FIELD_HASH_KEYS_OLD = env_list("QIANGJI_HASH_KEYS_OLD")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# HTTPS (docs/security.md). Secure by default once DEBUG is off; a server that really has no TLS
# in front of it must say so variable by variable.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(env("DJANGO_HSTS_SECONDS", "0" if DEBUG else str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
# Only a reverse proxy that sets (and strips from clients) this header may vouch for HTTPS,
# e.g. DJANGO_SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto; empty: the connection itself decides.
_proxy_ssl_header = env("DJANGO_SECURE_PROXY_SSL_HEADER").strip()
SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https") if _proxy_ssl_header else None
# Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR networks, comma-separated):
# the client address of audit rows, login attempts and public rate limits (core.clientip).
QIANGJI_TRUSTED_PROXIES = env_list("QIANGJI_TRUSTED_PROXIES")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "ninja",
    "qiangji.core",
    "qiangji.accounts",
    "qiangji.orgs",
    "qiangji.members",
    "qiangji.notifications",
    "qiangji.plans",
    "qiangji.orglife",
    "qiangji.trainings",
    "qiangji.liaison",
    "qiangji.ledger",
    "qiangji.campaign",
    "qiangji.reserve",
    "qiangji.council",
    "qiangji.mediation",
    "qiangji.positions",
    "qiangji.redculture",
    "qiangji.briefs",
    "qiangji.home",
    "qiangji.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "qiangji.core.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "qiangji.accounts.middleware.AccountGateMiddleware",
    # Last, so the 400 page has what every page has (user, CSP nonce); still before any
    # process_view, where CSRF reads the form body.
    "qiangji.core.middleware.BadRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "qiangji.core.context_processors.navigation",
                "qiangji.notifications.context_processors.inbox",
            ],
        },
    }
]

DATABASES = {"default": dj_database_url.parse(env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the task worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["qiangji.accounts.backends.LockoutModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:index"
LOGOUT_REDIRECT_URL = "accounts:login"

# Classified protection level 3 asks for length, complexity and periodic change (see
# docs/decisions.md for the deviation from OWASP ASVS on periodic change).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "qiangji.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "qiangji.accounts.validators.ComplexityValidator"},
]
PASSWORD_MAX_AGE_DAYS = int(env("QIANGJI_PASSWORD_MAX_AGE_DAYS", "90"))
# RULES.md: a second factor (TOTP) for town admins. Off only for the public demo (Makefile).
QIANGJI_ADMIN_2FA = env_bool("QIANGJI_ADMIN_2FA", True)
LOGIN_MAX_FAILURES = int(env("QIANGJI_LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_MINUTES = int(env("QIANGJI_LOGIN_LOCKOUT_MINUTES", "15"))
# A session ends 8 hours after login whatever happens (the absolute limit), and sooner after
# QIANGJI_SESSION_IDLE_MINUTES without a request (core.middleware.SessionTimeoutMiddleware).
SESSION_COOKIE_AGE = int(env("QIANGJI_SESSION_HOURS", "8")) * 3600
SESSION_IDLE_MINUTES = int(env("QIANGJI_SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# API tokens die this many days after they were issued (and at once with a password change or a
# deactivated account).
API_TOKEN_DAYS = int(env("QIANGJI_API_TOKEN_DAYS", "90"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Development: WhiteNoise serves straight from the finders, so `make run` needs no collectstatic
# step. Production (`make serve`, deploy/): collectstatic writes compressed files with the hash of
# their content in the name, which browsers may then cache for ever.
WHITENOISE_USE_FINDERS = DEBUG
if not DEBUG:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "qiangji.core.staticfiles.StaticFilesStorage"},
    }
MEDIA_ROOT = Path(env("QIANGJI_MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
# Uploaded spreadsheets are capped before they are opened (ENGINEERING.md: zip bombs).
IMPORT_MAX_UPLOAD_BYTES = int(env("QIANGJI_IMPORT_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
IMPORT_MAX_UNCOMPRESSED_BYTES = int(env("QIANGJI_IMPORT_MAX_UNCOMPRESSED_BYTES", str(400 * 1024 * 1024)))
# Hostile files (docs/security.md): a sheet is refused before it is read when any of its cells
# (or its declared <dimension>) lies past these; a zip whose parts are too many, too big once
# inflated (measured, not as declared) or compressed more than a spreadsheet ever is, likewise.
IMPORT_MAX_ROWS = int(env("QIANGJI_IMPORT_MAX_ROWS", "200000"))
IMPORT_MAX_COLUMNS = int(env("QIANGJI_IMPORT_MAX_COLUMNS", "100"))
IMPORT_MAX_ZIP_ENTRIES = int(env("QIANGJI_IMPORT_MAX_ZIP_ENTRIES", "2000"))
IMPORT_MAX_ENTRY_BYTES = int(env("QIANGJI_IMPORT_MAX_ENTRY_BYTES", str(300 * 1024 * 1024)))
IMPORT_MAX_COMPRESSION_RATIO = int(env("QIANGJI_IMPORT_MAX_COMPRESSION_RATIO", "100"))
# A spreadsheet is read in a child process whose address space may grow by this many MB; a
# file that still needs more kills that child only, and is refused ("读取时超出内存限制").
# 0 reads in the calling process with no limit.
IMPORT_READ_MEMORY_MB = int(env("QIANGJI_IMPORT_READ_MEMORY_MB", "1536"))
# ... and may use this many seconds of CPU (SIGXCPU ends it: "读取文件超时").
IMPORT_READ_CPU_SECONDS = int(env("QIANGJI_IMPORT_READ_CPU_SECONDS", "120"))
# Files with more data rows than this are analysed and committed by the task worker.
IMPORT_BACKGROUND_ROWS = int(env("QIANGJI_IMPORT_BACKGROUND_ROWS", "2000"))
# A batch whose worker has shown no heartbeat for this long can be re-queued by its uploader.
IMPORT_STALLED_MINUTES = int(env("QIANGJI_IMPORT_STALLED_MINUTES", "10"))
# A full district list that would mark more than this share of the active register 疑似注销 is
# committed only once the uploader confirms the number (a 7-row sheet is not the district's list).
IMPORT_GONE_CONFIRM_SHARE = float(env("QIANGJI_IMPORT_GONE_CONFIRM_SHARE", "0.2"))

# Overdue problems: days past the deadline at which the owner, then the liaison group, then the
# town are told (RULES.md "Problem ledger").
LEDGER_ESCALATION_DAYS = tuple(int(d) for d in env("QIANGJI_LEDGER_ESCALATION_DAYS", "1,3,7").split(","))

# The emerging-sector campaign (新连心): days a team has for a visit task, and how often an
# entity is visited again (三送三问) once registered.
CAMPAIGN_TASK_DAYS = int(env("QIANGJI_CAMPAIGN_TASK_DAYS", "7"))
CAMPAIGN_CARE_INTERVAL_DAYS = int(env("QIANGJI_CAMPAIGN_CARE_INTERVAL_DAYS", "90"))
# Opinions on the consultation hall's public bulletins, per client and hour.
COUNCIL_OPINIONS_PER_HOUR = int(env("QIANGJI_COUNCIL_OPINIONS_PER_HOUR", "5"))
# Messages one client (an address, or a signed-in user) may leave on the voice channel per hour.
CAMPAIGN_VOICE_PER_HOUR = int(env("QIANGJI_CAMPAIGN_VOICE_PER_HOUR", "5"))
LEDGER_PUBLIC_REPORTS_PER_HOUR = int(env("QIANGJI_LEDGER_PUBLIC_REPORTS_PER_HOUR", "5"))
# Receipt-number look-ups on the public status pages, per address and page.
PUBLIC_LOOKUPS_PER_HOUR = int(env("QIANGJI_PUBLIC_LOOKUPS_PER_HOUR", "20"))

# The scheduler (`manage.py run_scheduler`, qiangji/core/scheduler.py): when each periodic job is
# due, in Asia/Shanghai time: "hourly :MM", "daily HH:MM", "weekly mon HH:MM" or "off". Every job
# is idempotent, so a due time missed during downtime is run once at the next start.
# QIANGJI_SCHEDULE overrides some of them: "backup=daily 03:00,campaign_daily=hourly :30".
QIANGJI_SCHEDULE = {
    "send_reminders": "hourly :05",
    "send_meeting_notices": "hourly :10",
    "send_problem_reminders": "hourly :15",
    "campaign_daily": "hourly :20",
    "backup": "daily 02:30",
}
for _item in env_list("QIANGJI_SCHEDULE"):
    _job, _sep, _spec = _item.partition("=")
    if not _sep or not _job.strip():
        raise ImproperlyConfigured(f"环境变量 QIANGJI_SCHEDULE 的“{_item}”应写成“任务名=时间”，例如 backup=daily 03:00。")
    QIANGJI_SCHEDULE[_job.strip()] = _spec.strip()
# The nightly backup's directory (the 系统状态 page shows the newest archive there), and how many
# of its newest archives are kept.
QIANGJI_BACKUP_DIR = Path(env("QIANGJI_BACKUP_DIR", str(BASE_DIR / "backups")))
QIANGJI_BACKUP_KEEP = int(env("QIANGJI_BACKUP_KEEP", "14"))

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# The scheduler and the worker beat every minute or so; older than this, /healthz and the 系统状态
# page call the process stopped.
QIANGJI_HEARTBEAT_STALE_MINUTES = int(env("QIANGJI_HEARTBEAT_STALE_MINUTES", "10"))

TASKS = {
    "default": {
        "BACKEND": env("QIANGJI_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Strict CSP: everything is served from this host (the platform must run on an intranet).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Django's own CSRF page explains the mechanism in English; ours says what to do, in Chinese.
CSRF_FAILURE_VIEW = "qiangji.core.error_views.csrf_failure"
SECURE_REFERRER_POLICY = "same-origin"

# Notifications are e-mailed too only when a mail host is configured (DJANGO_EMAIL_HOST).
EMAIL_HOST = env("DJANGO_EMAIL_HOST")
EMAIL_PORT = int(env("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("DJANGO_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("DJANGO_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS")
EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", "qiangji@localhost")

# Where users reach the platform (https://qiangji.example.gov.cn): links in e-mails and group
# robot messages are made absolute with it; without it they carry no link.
QIANGJI_SITE_URL = env("QIANGJI_SITE_URL")
# Group robots (WeCom, DingTalk) are posted to only at these hosts: a webhook elsewhere (an
# internal address) is refused when it is saved. An intranet relay may be added here.
QIANGJI_ROBOT_HOSTS = env_list("QIANGJI_ROBOT_HOSTS") or ["qyapi.weixin.qq.com", "oapi.dingtalk.com"]
QIANGJI_ROBOT_TIMEOUT = int(env("QIANGJI_ROBOT_TIMEOUT", "10"))
QIANGJI_ROBOT_MAX_ATTEMPTS = int(env("QIANGJI_ROBOT_MAX_ATTEMPTS", "5"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every handler masks mobiles and ID numbers in what it writes (qiangji.core.logfilters).
    "filters": {"personal_data": {"()": "qiangji.core.logfilters.MaskPersonalData"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["personal_data"]}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", "WARNING")},
}
