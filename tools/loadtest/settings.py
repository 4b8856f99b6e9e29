"""`make loadtest`'s settings: the benchmark database (govmedia.settings.bench), served by gunicorn with DEBUG off,
plus the raw-SQL floor endpoints (tools/loadtest/urls.py), which exist only here."""
from govmedia.settings.bench import *

ROOT_URLCONF = "tools.loadtest.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
# The load test's supervisors sign in with a prepared session: no TOTP step, no per-token rate limit.
SECOND_FACTOR_REQUIRED = False
USER_TOKEN_RATE = None
# Persistent connections, as production runs (one connection per gunicorn worker).
DATABASES["default"]["CONN_MAX_AGE"] = 600
# Plain HTTP on 127.0.0.1.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
