"""`alongside`: work on its own thread and connection only where that connection sees what the caller's sees."""
import threading

import pytest
from django.db import connection, transaction

from govmedia.core.parallel import alongside
from organisations.models import Organisation


def _where():
    return threading.current_thread() is threading.main_thread(), Organisation.objects.count()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_it_runs_on_another_thread_that_sees_committed_rows():
    Organisation.objects.create(name="甲县人民政府")
    result = alongside(_where)
    assert result() == (False, 1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_its_connection_is_closed_when_it_ends():
    def backends():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
            return cursor.fetchone()[0]

    before = backends()
    assert alongside(backends)() == before + 1  # its own connection beside the caller's
    assert backends() == before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_its_error_is_raised_where_the_result_is_asked_for():
    def failing():
        raise ValueError("找不到单位")

    result = alongside(failing)
    with pytest.raises(ValueError, match="找不到单位"):
        result()


@pytest.mark.django_db
def test_inside_a_transaction_it_runs_in_the_calling_thread_and_sees_uncommitted_rows():
    with transaction.atomic():
        Organisation.objects.create(name="甲县人民政府")
        result = alongside(_where)
        assert result() == (True, 1)
