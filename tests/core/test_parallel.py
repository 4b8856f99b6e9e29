"""`alongside`: work on its own thread and connection only where that connection sees what the caller's sees.
`ahead`: work in Python alone (building statements) on one thread, in order, never querying the database."""
import threading
import time

import pytest
from django.db import connection, connections, transaction

from govmedia.core.parallel import Ahead, alongside
from organisations.models import Organisation


def backends(*, settling_to=None):
    """The clients connected to the test database; with `settling_to`, waiting up to two seconds for that many (a
    server process ends a moment after its client has closed the connection)."""
    for _ in range(40):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND backend_type = 'client backend'")
            count = cursor.fetchone()[0]
        if settling_to is None or count == settling_to:
            return count
        time.sleep(0.05)
    return count


def gone(pid) -> bool:
    """Whether the server process `pid` has ended (waiting up to two seconds: it ends after its client closes)."""
    for _ in range(40):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
            if not cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False


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
    before = backends()
    assert alongside(backends)() == before + 1  # its own connection beside the caller's
    assert backends(settling_to=before) == before


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



def _build(name, database, order):
    def job():
        order.append(name)
        query = Organisation.objects.filter(name=name).values("pk").query
        # Compiled for the caller's connection, as an inspection run does: no query is sent.
        return threading.current_thread() is threading.main_thread(), query.get_compiler(connection=database).as_sql()[1]
    return job


@pytest.mark.django_db
def test_ahead_asked_before_it_starts_works_the_first_out_here_and_the_rest_on_one_thread_in_order():
    order = []
    database = connections["default"]
    work = Ahead([_build(name, database, order) for name in ("甲县人民政府", "乙县人民政府", "丙县人民政府")])
    assert work.result(0) == (True, ("甲县人民政府",))  # nothing started yet: built here, at once
    work.start()
    assert work.result(2) == (False, ("丙县人民政府",))
    assert work.result(1) == (False, ("乙县人民政府",))
    assert order == ["甲县人民政府", "乙县人民政府", "丙县人民政府"]


@pytest.mark.django_db
def test_ahead_raises_a_jobs_error_where_its_result_is_asked_for_and_still_does_the_next():
    def failing():
        raise ValueError("规则无法生成")

    work = Ahead([failing, lambda: "下一条"])
    work.start()
    with pytest.raises(ValueError, match="规则无法生成"):
        work.result(0)
    assert work.result(1) == "下一条"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_job_ahead_that_queries_the_database_fails_and_leaves_no_connection_behind():
    pids = []

    def querying():
        with connection.cursor() as cursor:  # the thread's own connection, opened by asking
            cursor.execute("SELECT pg_backend_pid()")
            pids.append(cursor.fetchone()[0])

    work = Ahead([querying])
    work.start()
    with pytest.raises(RuntimeError, match="queried the database"):
        work.result(0)
    assert pids and gone(pids[0])


@pytest.mark.django_db
def test_without_a_thread_every_result_is_worked_out_when_asked_for(monkeypatch):
    def no_thread(self):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", no_thread)
    work = Ahead([threading.current_thread, threading.current_thread])
    work.start()
    assert work.result(1) is threading.main_thread() and work.result(0) is threading.main_thread()


@pytest.mark.django_db
def test_jobs_ahead_see_the_callers_time_zone():
    from django.utils import timezone

    with timezone.override("Asia/Urumqi"):
        work = Ahead([lambda: timezone.get_current_timezone_name()])
    work.start()
    assert work.result(0) == "Asia/Urumqi"
