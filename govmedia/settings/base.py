"""Settings shared by every environment, read from the environment with safe local defaults."""
import os
from datetime import date, timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Everything a local run writes (SQLite database, embedded broker, uploads) lives under var/.
VAR_DIR = Path(os.environ.get("GOVMEDIA_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = env_str("SECRET_KEY", "insecure-local-development-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "auditlog",
    "django_celery_beat",
    "csp",
    "govmedia.core",
    "organisations",
    "notifications",
    "webhooks",
    "rules",
    "accounts",
    "sites",
    "publishing",
    "review",
    "inspections",
    "scanning",
    "reports",
    "govmedia",
]

GOVMEDIA_TECHNICAL_ERRORS = env_bool("GOVMEDIA_TECHNICAL_ERRORS", False)

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The Chinese 404/500 pages even with DEBUG on (the demo); GOVMEDIA_TECHNICAL_ERRORS=1 shows Django's own.
    "govmedia.views.ChineseErrorPagesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The second factor (django-otp) marks a session verified; ours then sends an unverified administrator or
    # supervisor to the code page and an expired password to the change page (organisations.middleware).
    "django_otp.middleware.OTPMiddleware",
    "organisations.middleware.SignInStepsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy on every answer (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "govmedia.core.audit.AuditMiddleware",
    # Idempotency-Key on API POSTs: after authentication (session) and inside everything that adds headers.
    "govmedia.core.idempotency.IdempotencyMiddleware",
    # Axes must come last so that it sees the outcome of every authentication attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "govmedia.urls"
WSGI_APPLICATION = "govmedia.wsgi.application"

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
                "govmedia.navigation.navigation",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "govmedia.sqlite3",
            # web, worker and beat share one file: wait for locks and take them up front.
            "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE"},
        }
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "organisations.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "organisations.lockout.AddressThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    # Django's rules with their messages in Chinese whatever the request's language (organisations.passwords).
    {"NAME": "organisations.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "organisations.passwords.CommonPasswordValidator"},
    {"NAME": "organisations.passwords.NumericPasswordValidator"},
    {"NAME": "organisations.passwords.PatternPasswordValidator"},
    {"NAME": "organisations.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "organisations.passwords.NotUsernameValidator"},
]
FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6's default, today
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Idle timeout: every request pushes the expiry forward, so the session ends after this much inactivity.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Lockout (django-axes): five failures for one username from one address lock that pair for 30 minutes.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
# Lock the (username, address) pair, not the username: five wrong passwords from elsewhere cannot lock a person
# out of their own office. Guessing from one address at many names is throttled apart (ADDRESS_FAILURE_LIMIT).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
ADDRESS_FAILURE_LIMIT = env_int("ADDRESS_FAILURE_LIMIT", 30)
# Axes and the audit log see the same caller address (X-Forwarded-For only behind our own proxies).
AXES_CLIENT_IP_CALLABLE = "govmedia.core.audit.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "organisations.lockout.lockout_response"
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Uploads and stored reports: on disk under MEDIA_ROOT, or, for several servers, in an S3-compatible store
# (django-storages) when FILE_STORAGE=s3. Never served from a public URL: only through the scoped views
# (govmedia.core.files), so the bucket stays private and no signed URL is handed out.
FILE_STORAGE = env_str("FILE_STORAGE", "disk").strip().lower()
if FILE_STORAGE not in ("disk", "s3") or (FILE_STORAGE == "s3" and not env_str("S3_BUCKET")):
    raise ImproperlyConfigured("FILE_STORAGE must be 'disk' (MEDIA_ROOT) or 's3' (with S3_BUCKET and S3_* set).")
if FILE_STORAGE == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET"),
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "region_name": env_str("S3_REGION") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
            "location": env_str("S3_PREFIX", ""),
            "addressing_style": env_str("S3_ADDRESSING_STYLE", "path") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "verify": env_bool("S3_VERIFY_TLS", True),
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Rectification evidence (整改佐证材料): images, PDF and Office files up to this many megabytes (govmedia.core.files).
EVIDENCE_MAX_MB = env_int("EVIDENCE_MAX_MB", 20)
# Imported csv/xlsx files (columns, account posts, error reports, messages): the cap on one upload.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 5 * 1024 * 1024)
# Request bodies Django reads whole: forms, and API bodies sent with an Idempotency-Key (compared with the first
# request's). A bulk push of 1,000 update records must fit (at most ~4.5 MB with \u-escaped titles), which Django's
# default of 2.5 MB does not.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)

# API tokens (API.md "Security", "Service accounts"). A person's token ends after this many hours without use;
# a service account's does not expire but is limited to SERVICE_TOKEN_RATE requests per token ("600/min").
# A person's token is not rate-limited unless USER_TOKEN_RATE is set: people work through the pages, their
# tokens come from a password sign-in that the lockout guards and expire when idle, and a rate nobody reaches
# would cost a cache round trip on every request.
TOKEN_IDLE_HOURS = env_int("TOKEN_IDLE_HOURS", 8)
# Passwords expire after this many days (0: never); the change page follows the next sign-in.
PASSWORD_EXPIRY_DAYS = env_int("PASSWORD_EXPIRY_DAYS", 90)
# Administrators (三员 and the superuser) and supervisors sign in with a TOTP code (django-otp).
SECOND_FACTOR_REQUIRED = env_bool("SECOND_FACTOR_REQUIRED", True)
OTP_TOTP_ISSUER = "政务新媒体监管平台"
SERVICE_TOKEN_RATE = env_str("SERVICE_TOKEN_RATE", "600/min")
USER_TOKEN_RATE = env_str("USER_TOKEN_RATE", "") or None

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "organisations.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Per token: a service account's at SERVICE_TOKEN_RATE, a person's at USER_TOKEN_RATE (none by default).
    "DEFAULT_THROTTLE_CLASSES": ["organisations.authentication.TokenRateThrottle"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON in (API.md); the upload endpoints name MultiPartParser themselves. One body type per operation is
    # what lets generated clients (openapi-python-client, openapi-typescript) work.
    "DEFAULT_PARSER_CLASSES": ["govmedia.core.parsers.JSONParser"],  # DRF's, but objects only and depth-limited
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PAGINATION_CLASS": "govmedia.core.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "govmedia.core.api.FilterBackend",  # django-filter's, skipped when no filter is named
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "govmedia.core.api.exception_handler",
    "DATETIME_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "govmedia API",
    "DESCRIPTION": "政府网站与政务新媒体管理平台接口",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Government intranets have no internet: the docs' assets are served from our own static files.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "govmedia.core.schema.whole_number_path_ids",  # ids in paths are integers (core.api.Router)
    ],
}

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport, which needs no server
# and lets separate worker and beat processes share one queue through a folder.
REDIS_URL = env_str("REDIS_URL")
BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = "file://" + str(BROKER_DIR / "results")
    (BROKER_DIR / "results").mkdir(parents=True, exist_ok=True)
# The cache (per-token rate counters): Redis when REDIS_URL is set, so that every web process counts together;
# otherwise each process's memory.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                          "KEY_PREFIX": "govmedia"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that is down must not hold a request: sending gives up within seconds and the row stays `queued`
# until the sweeper sends it again (govmedia/core/queue.py). Redis's result backend would retry for ~20 s.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.5,
                                                             "interval_max": 0.5}}
# The sweeper (inspections, exports): a row left `queued` this many minutes is sent again; a `running` one whose
# worker stopped reporting for its lease is taken back (at most QUEUE_MAX_ATTEMPTS runs, then `failed`).
GOVMEDIA_REQUEUE_MINUTES = env_int("GOVMEDIA_REQUEUE_MINUTES", 5)
# The date the new-media rules took effect, for a backfill_late item whose pack names none (ISO, e.g. 2020-09-10;
# empty: the day an account is brought into the register). A value that is not a date stops the start.
GOVMEDIA_RULES_EFFECTIVE_ON = env_str("GOVMEDIA_RULES_EFFECTIVE_ON") or None
if GOVMEDIA_RULES_EFFECTIVE_ON:
    try:
        date.fromisoformat(GOVMEDIA_RULES_EFFECTIVE_ON)
    except ValueError:
        raise ValueError(f"GOVMEDIA_RULES_EFFECTIVE_ON 须为日期（如 2020-09-10），现为 {GOVMEDIA_RULES_EFFECTIVE_ON!r}") from None

INSPECTION_LEASE_MINUTES = env_int("INSPECTION_LEASE_MINUTES", 60)
EXPORT_LEASE_MINUTES = env_int("EXPORT_LEASE_MINUTES", 10)
QUEUE_MAX_ATTEMPTS = env_int("QUEUE_MAX_ATTEMPTS", 3)

# The periodic work run by celery beat, written into django-celery-beat's tables by `setup_schedule`. Each
# entry: name, task, crontab fields (Asia/Shanghai). The office can change times and switch entries off in the
# admin; `setup_schedule` adds what is missing and never overwrites what the office changed.
GOVMEDIA_SCHEDULE = [
    {"name": "清理过期会话", "task": "govmedia.core.tasks.clear_expired_sessions", "crontab": {"minute": "30", "hour": "3"}},
    {"name": "清理过期接口令牌", "task": "organisations.tasks.purge_old_tokens", "crontab": {"minute": "50", "hour": "3"}},
    {"name": "清理过期幂等记录", "task": "govmedia.core.tasks.purge_idempotency_records", "crontab": {"minute": "40", "hour": "3"}},
    # Monthly: audit entries past AUDIT_RETENTION_DAYS are written to files, then leave the table (never purged).
    {"name": "审计日志归档", "task": "govmedia.core.tasks.archive_audit_log",
     "crontab": {"minute": "10", "hour": "2", "day_of_month": "2"}},
    {"name": "审计日志校验", "task": "govmedia.core.tasks.verify_audit_log", "crontab": {"minute": "20", "hour": "2"}},
    # Probes every 30 minutes: 48 a day, comfortably above the checklist's 20 even when a few runs are missed.
    {"name": "网站首页可用性检测", "task": "sites.tasks.probe_sites", "crontab": {"minute": "*/30"}},
    {"name": "网站错链检测", "task": "sites.tasks.check_links", "crontab": {"minute": "0", "hour": "1"}},
    {"name": "栏目与账号 RSS 抓取", "task": "sites.tasks.poll_feeds", "crontab": {"minute": "15", "hour": "*/2"}},
    {"name": "栏目页最新信息读取", "task": "sites.tasks.crawl_column_pages", "crontab": {"minute": "40", "hour": "0"}},
    {"name": "定时发布稿件", "task": "publishing.tasks.publish_due_posts", "crontab": {"minute": "*"}},
    # Webhook deliveries whose next attempt is due (retries, and any whose task was lost with the broker).
    {"name": "接口推送重试", "task": "webhooks.tasks.retry_webhook_deliveries", "crontab": {"minute": "*"}},
    {"name": "审校环节超期提醒", "task": "review.tasks.notify_overdue_review_tasks", "crontab": {"minute": "0", "hour": "8"}},
    # Early in the morning, after the night's feeds and probes: "周巡查、月整改" (tongliao §19) done daily.
    {"name": "每日检查（全部规则）", "task": "inspections.tasks.daily_inspection", "crontab": {"minute": "30", "hour": "5"}},
    # Site scanning, off-peak: each half hour from 00:00 to 05:30 queues the sites of its slot (one task per
    # site); incremental on weekdays and Saturday, a full sweep on Sunday.
    {"name": "网站每日增量扫描", "task": "scanning.tasks.scan_due_sites",
     "crontab": {"minute": "0,30", "hour": "0-5", "day_of_week": "1-6"}},
    {"name": "网站每周全量扫描", "task": "scanning.tasks.scan_due_sites",
     "crontab": {"minute": "0,30", "hour": "0-5", "day_of_week": "0"}, "kwargs": '{"full": true}'},
    # Early on the first of the month, after the nightly inspection run, so last month's findings are complete.
    # Work left behind by a broker outage or a dead worker: the rows are the queue's truth (govmedia/core/queue.py).
    {"name": "检查任务补发与回收", "task": "inspections.tasks.sweep_inspections", "crontab": {"minute": "*/2"}},
    {"name": "报告导出补发与回收", "task": "reports.tasks.sweep_exports", "crontab": {"minute": "*/2"}},
    {"name": "月度监测报告生成", "task": "reports.tasks.generate_monthly_reports",
     "crontab": {"minute": "30", "hour": "4", "day_of_month": "1"}},
]

# Webhooks (接口推送): seconds a receiver has to answer one delivery; due deliveries the sweeper queues per run.
WEBHOOK_TIMEOUT = float(env_str("WEBHOOK_TIMEOUT", "10"))
WEBHOOK_SWEEP_BATCH = env_int("WEBHOOK_SWEEP_BATCH", 2000)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "govmedia@localhost")

AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False
# How many reverse proxies of our own stand in front of the app: only their X-Forwarded-For entries are believed
# for the caller's address in the audit log (govmedia.core.audit.client_address); 0 = use the socket's address.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Audit entries stay in the database this many days (the 2024 规定 asks for at least a year of logs; never below
# 180, see govmedia/core/auditchain.py), then `archive_audit` writes them to AUDIT_ARCHIVE_DIR and removes them.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 365)
AUDIT_ARCHIVE_DIR = Path(env_str("AUDIT_ARCHIVE_DIR", str(VAR_DIR / "audit-archive")))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
AUDITLOG_LOGENTRY_MODEL = "core.AuditEntry"
# Axes locks the (username, address) pair (AXES_LOCKOUT_PARAMETERS above), never a whole address: offices sit
# behind one NAT address, and locking by address would lock a whole office out after one person's typos.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# --- Publishing and review (三审三校) ---
# Notification emails go out only when the deployment asks for them (mail configured); the bell always works.
NOTIFICATION_EMAIL = env_bool("NOTIFICATION_EMAIL", bool(os.environ.get("EMAIL_HOST")))
# The address people reach the site at, for links in notification emails.
SITE_URL = env_str("SITE_URL", "")
# Attachments on posts: size limit in megabytes and the allowed file name endings.
POST_ATTACHMENT_MAX_MB = env_int("POST_ATTACHMENT_MAX_MB", 20)
POST_ATTACHMENT_EXTENSIONS = env_list(
    "POST_ATTACHMENT_EXTENSIONS", "pdf,doc,docx,xls,xlsx,ppt,pptx,wps,ofd,txt,jpg,jpeg,png,gif,zip"
)
# Images in post bodies may come only from our own site or from these hosts (and their subdomains): a content
# check refuses any other on submission, and the Content-Security-Policy below lets browsers load only these.
POST_IMAGE_HOSTS = env_list("POST_IMAGE_HOSTS", "")
# django-guardian: no anonymous user row; review permissions are per post through direct FK tables.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# --- sites: monitoring of websites (homepage probes, link checker, column pages, feeds) ---
# Checklist 站点无法访问: a probe slower than 15 s counts as failed; ≥ 5 % failed over 7 days with ≥ 20 a day.
SITES_PROBE_TIMEOUT = float(env_str("SITES_PROBE_TIMEOUT", "15"))
SITES_PROBES_PER_DAY_REQUIRED = env_int("SITES_PROBES_PER_DAY_REQUIRED", 20)
SITES_UNREACHABLE_PERCENT = env_int("SITES_UNREACHABLE_PERCENT", 5)
# A rerun of the probe task within this many minutes probes nothing twice.
SITES_PROBE_MIN_INTERVAL_MINUTES = env_int("SITES_PROBE_MIN_INTERVAL_MINUTES", 10)
SITES_PROBE_CONCURRENCY = env_int("SITES_PROBE_CONCURRENCY", 16)
# Any other request (feeds, column pages, link checks): its own timeout, and a cap on what is read.
SITES_FETCH_TIMEOUT = float(env_str("SITES_FETCH_TIMEOUT", "15"))
SITES_FETCH_MAX_BYTES = env_int("SITES_FETCH_MAX_BYTES", 5 * 1024 * 1024)
SITES_USER_AGENT = env_str("SITES_USER_AGENT", "govmedia-monitor/1.0 (+government website inspection)")
SITES_LINKCHECK_MAX_DEPTH = env_int("SITES_LINKCHECK_MAX_DEPTH", 3)
SITES_LINKCHECK_MAX_PAGES = env_int("SITES_LINKCHECK_MAX_PAGES", 200)
SITES_LINKCHECK_MAX_LINKS = env_int("SITES_LINKCHECK_MAX_LINKS", 2000)
# Seconds between two requests to the same site: polite to small government servers.
SITES_LINKCHECK_DELAY = float(env_str("SITES_LINKCHECK_DELAY", "0.5"))
SITES_LINKCHECK_EXTERNAL = env_bool("SITES_LINKCHECK_EXTERNAL", True)
SITES_IMPORT_MAX_ROWS = env_int("SITES_IMPORT_MAX_ROWS", 5000)
# Site scanning (docs/scanning.md): a site's own limits are scanning.ScanLimits; these bound every scan.
SCANNING_MAX_SECONDS = env_int("SCANNING_MAX_SECONDS", 3 * 3600)
SCANNING_MAX_OUTBOUND = env_int("SCANNING_MAX_OUTBOUND", 500)
SCANNING_FEED_ARTICLES = env_int("SCANNING_FEED_ARTICLES", 30)
# A scan still "running" after this long lost its worker: the next schedule marks it failed and starts afresh.
SCANNING_STALE_HOURS = env_int("SCANNING_STALE_HOURS", 6)
# Half-hour slots between 00:00 and 06:00 that the nightly scans are spread over (site id modulo the slots).
SCANNING_SLOTS = 12
# Names for the publishing and review choice sets in the API schema (their field names recur elsewhere).
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update({
    "PostKindEnum": "publishing.models.PostKind",
    "PostStatusEnum": "publishing.models.PostStatus",
    "PostStageEnum": "publishing.models.Stage",
    "ReviewTaskStatusEnum": "review.models.TaskStatus",
    "WordListKindEnum": "publishing.models.WordListKind",
})
# Names for the sites area's choice sets in the OpenAPI schema ("status" and "kind" recur across areas).
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    **SPECTACULAR_SETTINGS.get("ENUM_NAME_OVERRIDES", {}),
    "SiteStatusEnum": "sites.models.SiteStatus",
    "ColumnCategoryEnum": "sites.models.ColumnCategory",
    "UpdateSourceEnum": "sites.models.UpdateSource",
    "LinkKindEnum": "sites.models.LinkKind",
}
# Names for the inspections area's choice sets in the OpenAPI schema ("status" and "kind" recur across areas).
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    **SPECTACULAR_SETTINGS.get("ENUM_NAME_OVERRIDES", {}),
    "SeverityEnum": "inspections.models.Severity",
    "InspectionStatusEnum": "inspections.models.InspectionStatus",
    "FindingStatusEnum": "inspections.models.FindingStatus",
    "FindingSubjectTypeEnum": "rules.models.SubjectType",
    "RectificationOutcomeEnum": "inspections.models.RectificationOutcome",
}

# --- Security headers (issue 12) ---
# Content-Security-Policy (django-csp 4): our own origin only. No inline script anywhere (handlers live in
# static/js/app.js); the few <style> blocks carry the request's nonce; `style` attributes (indentation by depth,
# widths) stay allowed, since they run nothing. Images: ours, data: URIs (the API docs) and POST_IMAGE_HOSTS.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", NONCE],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"] + [f"https://{h}" for h in POST_IMAGE_HOSTS] + [f"http://{h}" for h in POST_IMAGE_HOSTS],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# The OpenAPI schema and the API docs page answer only signed-in callers (session or token) unless this is off
# (the test settings turn it off for the generated-client test, which reads the schema like a code generator).
API_DOCS_LOGIN_REQUIRED = env_bool("API_DOCS_LOGIN_REQUIRED", True)
