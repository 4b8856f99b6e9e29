"""The 工作台 (govmedia/workbench.py): each count on a person's home page equals the rows of the list its link opens,
for the people of the demo; the principal sees the filings that wait for his approval."""
from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils.html import escape

from govmedia.workbench import ENTRIES, workbench
from organisations.models import User

# People of the demo (organisations/demo.py) with different kinds of work waiting.
PEOPLE = ["edu_principal", "edu_editor", "edu_section", "office_zhang", "office_li", "office_wang", "town_editor",
          "vendor_ops", "cac_audit"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, seeded once for the module inside a transaction that is rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo")
        yield
        transaction.set_rollback(True)


def listed(response, key: str) -> int:
    """The rows the opened list shows: the filing queue's 待我审批 table, else the paginated list."""
    assert response.status_code == 200
    if key == "filings":
        return len(response.context["waiting"])
    return response.context["page"].paginator.count


def workbench_of(client, username):
    client.force_login(User.objects.get(username=username))
    response = client.get("/")
    assert response.status_code == 200
    return response, response.context["workbench"]


@pytest.mark.django_db
@pytest.mark.parametrize("username", PEOPLE)
def test_each_count_equals_the_rows_of_the_list_it_opens(demo, client, username):
    response, bench = workbench_of(client, username)
    html = response.content.decode()
    for item in bench["waiting"] + bench["overdue"]:
        # The page shows the count inside the link to the list.
        link = f'<a href="{escape(item["url"])}" data-todo="{item["key"]}"><strong>{item["count"]}</strong>'
        assert link in html, item
        assert listed(client.get(item["url"]), item["key"]) == item["count"], (username, item)


@pytest.mark.django_db
def test_the_principal_sees_the_filing_that_waits_for_his_approval(demo, client):
    response, bench = workbench_of(client, "edu_principal")
    filings = next(i for i in bench["waiting"] if i["key"] == "filings")
    assert filings["count"] >= 1
    assert "个备案待我审批" in response.content.decode()
    queue = client.get(filings["url"])
    waiting_table = queue.content.decode().split("待我审批", 1)[1].split("</table>", 1)[0]
    assert waiting_table.count("<tr>") - 1 == filings["count"]  # the header row aside


@pytest.mark.django_db
def test_the_supervisor_has_filings_to_approve_and_no_review_steps(demo, client):
    _, bench = workbench_of(client, "office_zhang")
    keys = {i["key"]: i["count"] for i in bench["waiting"]}
    assert keys["filings"] >= 1
    assert "review" not in keys  # the office supervises; it decides no post's stage


@pytest.mark.django_db
def test_work_that_someone_only_oversees_is_not_on_their_workbench(demo, client):
    """The auditor (协同监管) answers no finding and no message; the administrators have no business work."""
    _, bench = workbench_of(client, "cac_audit")
    assert {i["key"] for i in bench["waiting"]} == set()
    for admin in ("sys_admin", "audit_admin"):
        _, bench = workbench_of(client, admin)
        assert bench["waiting"] == [] and bench["overdue"] == []


@pytest.mark.django_db
def test_every_entry_appears_for_someone_of_the_demo(demo, client):
    """No entry is dead code: each kind of work waits for somebody in the demo, with a count above zero."""
    seen = set()
    for username in PEOPLE:
        _, bench = workbench_of(client, username)
        seen |= {i["key"] for i in bench["waiting"] if i["count"]}
    assert {e.key for e in ENTRIES if not e.overdue} <= seen


@pytest.mark.django_db
def test_the_demo_has_overdue_replies_on_someones_workbench(demo, client):
    """The 已逾期 entries for messages and error reports count something in the demo (their filter is exercised)."""
    seen = set()
    for username in PEOPLE:
        _, bench = workbench_of(client, username)
        seen |= {i["key"] for i in bench["overdue"] if i["count"]}
    assert {"messages-overdue", "error-reports-overdue"} <= seen


@pytest.mark.django_db
# office_zhang (a supervisor) also counts the answers waiting for his review: one count and its scope.
@pytest.mark.parametrize("username, most", [("edu_principal", 23), ("office_zhang", 19), ("sys_admin", 0)])
def test_the_workbench_costs_a_fixed_number_of_queries(demo, django_assert_max_num_queries, username, most):
    """One count per entry, plus the scope each list asks of organisations.access, however much waits."""
    user = User.objects.get(username=username)
    with django_assert_max_num_queries(most):
        workbench(user)


@pytest.mark.django_db
@pytest.mark.parametrize("kind, page_key", [("messages", "message-list"), ("error-reports", "error-report-list")])
def test_overdue_replies_are_the_unanswered_ones_past_their_due_date(demo, client, kind, page_key):
    """留言/找错逾期未答复: fewer than those waiting (the demo has some received today, not yet due), and the list it
    opens shows only rows with the 逾期未答复 badge; the API's ?overdue=true lists the same rows."""
    _, bench = workbench_of(client, "office_zhang")
    waiting = next(i for i in bench["waiting"] if i["key"] == kind)
    overdue = next(i for i in bench["overdue"] if i["key"] == f"{kind}-overdue")
    assert 0 < overdue["count"] < waiting["count"]
    response = client.get(overdue["url"])
    html = response.content.decode()
    assert html.count("逾期未答复</span>") == overdue["count"] and "待答复</span>" not in html
    assert 'data-filter="overdue" aria-current="page">只看逾期未答复' in html
    api = client.get(f"/api/v1/{kind}/?overdue=true&page_size=100").json()
    api_ids = {row["id"] for row in (api["results"] if isinstance(api, dict) else api)}
    assert api_ids == {row.pk for row in response.context["page"].object_list}
