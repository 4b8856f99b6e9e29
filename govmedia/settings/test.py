"""The test suite: PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set, SQLite and files otherwise."""
from .base import *  # noqa: F401,F403
from .base import REDIS_URL, STORAGES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests decide which addresses may be probed; the local test servers listen on 127.0.0.1.
ALLOWED_HOSTS = ["*"]
# Static files come from the finders (no collectstatic before tests); the live server serves them.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

# Without Redis the tests get a broker folder of their own, apart from a running `make run`.
if not REDIS_URL:
    import tempfile as _tempfile

    _broker = _tempfile.mkdtemp(prefix="govmedia-test-broker-")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": _broker,
        "data_folder_out": _broker,
        "control_folder": _tempfile.mkdtemp(prefix="govmedia-test-control-"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = "file://" + _tempfile.mkdtemp(prefix="govmedia-test-results-")
