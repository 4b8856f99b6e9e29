"""Tasks travel through the real broker to a real worker: Redis in CI, the filesystem transport locally."""
import datetime as dt

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from govmedia.celery import app
from govmedia.core.tasks import clear_expired_sessions


@pytest.mark.django_db(transaction=True)
def test_a_queued_task_is_run_by_the_worker():
    stale = SessionStore()
    stale.create()
    Session.objects.filter(session_key=stale.session_key).update(expire_date=timezone.now() - dt.timedelta(days=1))
    fresh = SessionStore()
    fresh.create()
    # Tasks that earlier tests queued and nobody ran (their workers were not started) would go first.
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        clear_expired_sessions.delay().get(timeout=30)
    assert list(Session.objects.values_list("session_key", flat=True)) == [fresh.session_key]


@pytest.mark.redis
def test_ci_uses_redis_as_broker():
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=3)
        assert conn.transport.driver_type == "redis"


@pytest.mark.postgres
def test_ci_uses_postgresql(db):
    from django.db import connection

    assert connection.vendor == "postgresql"
    assert connection.pg_version >= 130000
