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

# The audit log's triggers refuse to be emptied; the suite's flush between transactional tests may (only here).
AUDIT_ALLOW_FLUSH = True

# Most tests sign people in with force_login and are not about the second factor; the tests of people and
# sessions (tests/organisations/test_people*.py) switch it on.
SECOND_FACTOR_REQUIRED = False

# The generated-client test reads the schema anonymously, as a code generator does; tests/security/test_files*.py
# switch the sign-in requirement back on to show that it holds.
API_DOCS_LOGIN_REQUIRED = False
