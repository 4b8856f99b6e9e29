"""The rectification loop (issue 11 item 7): a unit answers a finding, its supervisors accept the answer (the finding
closes at once) or return it with a comment (the unit sees it and answers again); badges follow at once, and a
`rectification_overdue` finding is shown under the finding it concerns, not as a row of its own."""
import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from govmedia.core.exceptions import DomainConflict
from govmedia.core.models import AuditEntry
from inspections import rectification, selectors, services
from inspections.models import Finding, FindingStatus, Rectification, RectificationOutcome, RectificationState
from notifications.models import Notification
from organisations.models import Role
from tests.factories import UserFactory, person
from webhooks.models import Delivery, Webhook

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2024, 10, 15)


@pytest.fixture(autouse=True)
def fixed_today():
    # Every date the loop writes (rectified_on, overdue or not) is "today": a fixed one.
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        yield


def finding(region, build, *, status=FindingStatus.OVERDUE, due_on=D(2024, 10, 8), **fields):
    account = build.account(updates=[D(2024, 9, 1)])
    return Finding.objects.create(
        rule="account_stale", severity="veto", subject_type="account", subject_id=account.pk, subject_name=account.name,
        organisation=region.bureau, found_on=D(2024, 9, 30), due_on=due_on, status=status, period_key="2024-09-01",
        **fields,
    )


def follow_up_of(parent):
    return Finding.objects.create(
        rule="rectification_overdue", severity="warning", subject_type="finding", subject_id=parent.pk,
        subject_name=f"账号内容不更新 · {parent.subject_name}", organisation=parent.organisation, found_on=D(2024, 10, 9),
        due_on=D(2024, 10, 16), period_key="2024-10-09",
        detail={"finding": parent.pk, "rule": parent.rule, "days_overdue": 1},
    )


def texts(user):
    return list(Notification.objects.filter(user=user).values_list("text", flat=True))


# ------------------------------------------------------------------------------------------------ services


def test_answer_takes_an_overdue_finding_to_review_and_tells_the_supervisors(region, build):
    f = finding(region, build)
    rectification.finding_rectify(finding=f, user=region.member, comment="已恢复更新")
    f.refresh_from_db()
    assert f.status == FindingStatus.OPEN and f.rectification_state == RectificationState.SUBMITTED
    assert f.awaiting_review
    # Not overdue any more, in the list's filter either, though past its due date.
    assert not selectors.filter_findings(Finding.objects.all(), overdue=True, as_of=TODAY).filter(pk=f.pk).exists()
    assert selectors.filter_findings(Finding.objects.all(), overdue=False, as_of=TODAY).filter(pk=f.pk).exists()
    assert any("请审核" in t for t in texts(region.supervisor))
    # A second answer waits for the decision on the first.
    with pytest.raises(DomainConflict):
        rectification.finding_rectify(finding=f, user=region.owner, comment="再报一次")


def test_reject_needs_a_comment_returns_to_the_unit_and_it_answers_again(region, build):
    f = finding(region, build)
    first = rectification.finding_rectify(finding=f, user=region.member, comment="已恢复更新")
    with pytest.raises(ValidationError):
        rectification.rectification_reject(finding=f, user=region.supervisor, comment="  ")
    rectification.rectification_reject(finding=f, user=region.supervisor, comment="近两周仍无推送，请附截图")
    f.refresh_from_db()
    first.refresh_from_db()
    # Past its due date: overdue again, and marked returned.
    assert f.status == FindingStatus.OVERDUE and f.rectification_state == RectificationState.RETURNED
    assert first.outcome == RectificationOutcome.REJECTED and first.reviewed_by == region.supervisor
    assert first.review_comment == "近两周仍无推送，请附截图"
    assert any("近两周仍无推送" in t for t in texts(region.member))
    assert any("近两周仍无推送" in t for t in texts(region.owner))  # the unit's staff, not only who answered
    entry = AuditEntry.objects.filter(workflow_action="rectify_reject").get()
    assert entry.object_pk == str(f.pk) and entry.actor == region.supervisor
    # Answered again: waiting for review once more.
    rectification.finding_rectify(finding=f, user=region.member, comment="已补发并附截图")
    f.refresh_from_db()
    assert f.rectification_state == RectificationState.SUBMITTED and f.status == FindingStatus.OPEN


def test_reject_before_the_due_date_leaves_it_open(region, build):
    f = finding(region, build, status=FindingStatus.OPEN, due_on=D(2024, 10, 22))
    rectification.finding_rectify(finding=f, user=region.member, comment="已恢复更新")
    rectification.rectification_reject(finding=f, user=region.supervisor, comment="请附佐证")
    f.refresh_from_db()
    assert f.status == FindingStatus.OPEN and f.rectification_state == RectificationState.RETURNED


def test_accept_closes_the_finding_and_its_follow_up_at_once(region, build):
    f = finding(region, build)
    overdue = follow_up_of(f)
    Webhook.objects.create(organisation=region.county, url="https://hooks.example.cn/govmedia", secret="s" * 32,
                           events=["finding.closed"])
    answer = rectification.finding_rectify(finding=f, user=region.member, comment="已恢复更新")
    rectification.rectification_accept(finding=f, user=region.supervisor, comment="核实已更新")
    f.refresh_from_db()
    overdue.refresh_from_db()
    answer.refresh_from_db()
    assert (f.status, f.rectified_on, f.rectification_state) == (FindingStatus.RECTIFIED, TODAY, RectificationState.ACCEPTED)
    assert (overdue.status, overdue.rectified_on) == (FindingStatus.RECTIFIED, TODAY)
    assert answer.outcome == RectificationOutcome.ACCEPTED and answer.reviewed_by == region.supervisor
    assert sorted(Delivery.objects.filter(event="finding.closed").values_list("payload__finding", flat=True)) == sorted([f.pk, overdue.pk])
    assert any("审核通过" in t for t in texts(region.member))
    assert AuditEntry.objects.filter(workflow_action="rectify_accept", object_pk=str(f.pk)).exists()
    with pytest.raises(DomainConflict):  # nothing waits any more
        rectification.rectification_accept(finding=f, user=region.supervisor)


def test_who_decides(region, build):
    f = finding(region, build)
    with pytest.raises(DomainConflict):  # nothing answered yet
        rectification.rectification_accept(finding=f, user=region.supervisor)
    rectification.finding_rectify(finding=f, user=region.member, comment="已恢复更新")
    for user in (region.member, region.owner, region.auditor, region.outsider, region.neighbour):
        with pytest.raises(PermissionDenied):
            rectification.rectification_accept(finding=f, user=user)
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    with pytest.raises(PermissionDenied):  # 三员分立: no administrator decides a workflow
        rectification.rectification_accept(finding=f, user=admin)
    # A supervisor who answered on the unit's behalf does not decide their own answer; a colleague does.
    f2 = finding(region, build)
    rectification.finding_rectify(finding=f2, user=region.supervisor, comment="代为反馈")
    with pytest.raises(PermissionDenied, match="本人"):
        rectification.rectification_accept(finding=f2, user=region.supervisor)
    colleague = person("colleague", region.county, Role.SUPERVISOR)
    rectification.rectification_accept(finding=f2, user=colleague)
    assert Finding.objects.get(pk=f2.pk).status == FindingStatus.RECTIFIED


def test_a_follow_up_is_not_answered_on_its_own(region, build):
    f = finding(region, build)
    overdue = follow_up_of(f)
    with pytest.raises(DomainConflict, match="随原问题"):
        rectification.finding_rectify(finding=overdue, user=region.member, comment="已整改")


def test_awaiting_review_lists_what_waits_for_a_supervisor(region, build):
    f = finding(region, build)
    rectification.finding_rectify(finding=f, user=region.member, comment="已恢复更新")
    assert list(rectification.awaiting_review(region.supervisor)) == [f]
    assert not rectification.awaiting_review(region.outsider).exists()
    assert not rectification.awaiting_review(region.member).exists()
    assert f not in rectification.awaiting_answer(Finding.objects.all())


def test_a_returned_finding_becomes_overdue_at_the_next_run(region, build):
    """A run marks overdue what is past due and not awaiting review: a returned answer no longer shields it."""
    f = finding(region, build, status=FindingStatus.OPEN, due_on=D(2024, 10, 10))
    rectification.finding_rectify(finding=f, user=region.member, comment="已恢复更新")
    with mock.patch("django.utils.timezone.localdate", return_value=D(2024, 10, 9)):
        rectification.rectification_reject(finding=f, user=region.supervisor, comment="仍未更新")
    assert Finding.objects.get(pk=f.pk).status == FindingStatus.OPEN
    run = services.inspect(as_of=TODAY)
    assert run.status == "finished", run.error
    assert Finding.objects.get(pk=f.pk).status == FindingStatus.OVERDUE
    assert Finding.objects.filter(rule="rectification_overdue", subject_id=f.pk).exists()


# ------------------------------------------------------------------------------------------------- the API


def test_api_accept_and_reject(region, build, api):
    f = finding(region, build)
    url = f"/api/v1/findings/{f.pk}/"
    assert api.as_user(region.member).post(url + "rectify/", {"comment": "已恢复更新"}, format="json").status_code == 201
    body = api.as_user(region.member).get(url).json()
    assert body["rectification_state"] == "submitted" and body["status"] == "open"
    assert api.as_user(region.member).post(url + "accept/", {}, format="json").status_code == 403
    assert api.as_user(region.outsider).post(url + "accept/", {}, format="json").status_code == 404
    answer = api.as_user(region.supervisor).post(url + "reject/", {}, format="json")
    assert answer.status_code == 400 and "退回意见" in str(answer.json())
    answer = api.as_user(region.supervisor).post(url + "reject/", {"comment": "请附截图"}, format="json")
    assert answer.status_code == 200
    assert answer.json()["rectification_state"] == "returned" and answer.json()["status"] == "overdue"
    assert answer.json()["rectifications"][0]["review_comment"] == "请附截图"
    assert api.as_user(region.supervisor).post(url + "accept/", {}, format="json").status_code == 409
    assert api.as_user(region.member).post(url + "rectify/", {"comment": "已附截图"}, format="json").status_code == 201
    listed = api.as_user(region.supervisor).get("/api/v1/findings/?rectification_state=submitted").json()
    assert [row["id"] for row in listed["results"]] == [f.pk]
    answer = api.as_user(region.supervisor).post(url + "accept/", {"comment": "可以"}, format="json")
    assert answer.status_code == 200
    assert answer.json()["status"] == "rectified" and answer.json()["rectified_on"] == TODAY.isoformat()


# ----------------------------------------------------------------------------------------------- the pages


def sign_in(client, user):
    client.force_login(user)
    return client


def test_pages_answer_reject_answer_accept(region, build, client):
    f = finding(region, build)
    page = f"/findings/{f.pk}/"
    sign_in(client, region.member)
    html = client.get(page).content.decode()
    assert "逾期未整改" in html and "提交整改情况" in html
    response = client.post(page, {"comment": "已恢复更新"})
    assert response.status_code == 302
    html = client.get(page).content.decode()
    # The badge follows at once; the empty form is gone; the unit is told what happens next.
    assert "已反馈待审核" in html and "逾期未整改" not in html and "提交整改情况" not in html
    assert "等待主管单位审核" in html and "审核整改情况" not in html

    sign_in(client, region.supervisor)
    html = client.get(page).content.decode()
    assert "审核整改情况" in html
    response = client.post(page, {"decision": "reject", "comment": ""})
    assert response.status_code == 200 and "请填写退回意见" in response.content.decode()
    assert client.post(page, {"decision": "reject", "comment": "请附更新截图"}).status_code == 302

    sign_in(client, region.member)
    html = client.get(page).content.decode()
    assert "请附更新截图" in html and "整改被退回" in html and "重新反馈整改情况" in html
    assert client.post(page, {"comment": "已附截图"}).status_code == 302

    sign_in(client, region.supervisor)
    assert client.post(page, {"decision": "accept", "comment": ""}).status_code == 302
    html = client.get(page).content.decode()
    assert "已整改" in html and "审核整改情况" not in html and "提交整改情况" not in html


def test_the_unit_cannot_post_a_decision(region, build, client):
    f = finding(region, build)
    rectification.finding_rectify(finding=f, user=region.member, comment="已恢复更新")
    sign_in(client, region.member)
    assert client.post(f"/findings/{f.pk}/", {"decision": "accept"}).status_code == 403
    assert Finding.objects.get(pk=f.pk).status == FindingStatus.OPEN


def test_follow_ups_are_shown_under_the_finding_they_concern(region, build, client):
    f = finding(region, build)
    overdue = follow_up_of(f)
    sign_in(client, region.supervisor)
    html = client.get("/findings/").content.decode()
    assert f"/findings/{f.pk}/" in html and "已记逾期未整改（2024-10-09）" in html
    assert html.count(f'href="/findings/{overdue.pk}/"') == 1  # the note's link, not a row of its own
    assert f'<a href="/findings/{overdue.pk}/">逾期未整改</a>' not in html
    # Asked for by its rule, the follow-ups are the rows.
    html = client.get("/findings/?rule=rectification_overdue").content.decode()
    assert f'href="/findings/{overdue.pk}/"' in html and f'href="/findings/{f.pk}/"' not in html
    # The finding's own page lists it; the unit's page shows it under the finding too.
    assert "逾期记录" in client.get(f"/findings/{f.pk}/").content.decode()
    sign_in(client, region.member)
    html = client.get("/findings/mine/").content.decode()
    assert "已记逾期未整改" in html and f'href="/findings/{overdue.pk}/">查看' not in html


def test_the_dashboard_tile_counts_what_the_list_shows(region, build):
    f = finding(region, build)
    follow_up_of(f)
    def tile(name):
        return list(selectors.finding_tile(region.supervisor, region.county, name, as_of=TODAY))

    assert tile("overdue") == [f] and tile("open") == []
    rectification.finding_rectify(finding=f, user=region.member, comment="已恢复更新")
    assert tile("overdue") == [] and tile("open") == [f]


# --------------------------------------------------------------------------------------------- in a browser


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_answer_reject_answer_accept(live_server, region, build):
    from playwright.sync_api import expect

    from tests.browser_helpers import in_browser
    from tests.factories import PASSWORD

    f = finding(region, build)
    page_url = f"{live_server.url}/findings/{f.pk}/"

    def sign_in(page, user):
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("用户名").fill(user.username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()

    def answer(comment, returned=False):
        def journey(page):
            sign_in(page, region.member)
            page.goto(page_url)
            if returned:  # the supervisors' comment is in front of the unit, with the form to answer again
                expect(page.locator(".review-decision")).to_contain_text("请附更新截图")
                expect(page.get_by_role("heading", name="重新反馈整改情况")).to_be_visible()
            else:
                expect(page.locator("h1")).to_contain_text("逾期未整改")
            page.get_by_label("整改情况").fill(comment)
            page.get_by_role("button", name="提交整改情况").click()
            expect(page.get_by_text("整改情况已提交")).to_be_visible()
            # At once: the badge says it waits for review, and the empty form is gone.
            expect(page.locator("h1")).to_contain_text("已反馈待审核")
            expect(page.locator("h1")).not_to_contain_text("逾期未整改")
            expect(page.get_by_role("button", name="提交整改情况")).to_have_count(0)
        in_browser(journey, viewport={"width": 390, "height": 844})

    def decide(button, comment=""):
        def journey(page):
            sign_in(page, region.supervisor)
            page.goto(page_url)
            if button == "退回重新整改":
                page.get_by_role("button", name=button).click()  # without a comment: said why, nothing changes
                expect(page.get_by_text("请填写退回意见")).to_be_visible()
            page.get_by_label("审核意见").fill(comment)
            page.get_by_role("button", name=button).click()
            expect(page.locator(".messages")).to_be_visible()
        in_browser(journey)

    answer("已恢复更新")
    decide("退回重新整改", "请附更新截图")
    assert Finding.objects.get(pk=f.pk).rectification_state == RectificationState.RETURNED
    answer("已附截图", returned=True)
    decide("审核通过", "核实已更新")
    f.refresh_from_db()
    assert f.status == FindingStatus.RECTIFIED and f.rectified_on == TODAY
    assert list(Rectification.objects.filter(finding=f).order_by("pk").values_list("outcome", flat=True)) == [
        RectificationOutcome.REJECTED, RectificationOutcome.ACCEPTED]

    def closed(page):
        sign_in(page, region.member)
        page.goto(page_url)
        expect(page.locator("h1 .badge.ok")).to_have_text("已整改")
        expect(page.get_by_text("核实已更新")).to_be_visible()
    in_browser(closed)


def test_the_supervisors_workbench_counts_the_answers_its_link_lists(region, build, client):
    from govmedia.workbench import workbench

    f = finding(region, build)
    finding(region, build)  # not answered: not waiting for a decision
    rectification.finding_rectify(finding=f, user=region.member, comment="已恢复更新")
    entry = next(e for e in workbench(region.supervisor)["waiting"] if e["key"] == "rectifications")
    assert entry["count"] == 1 and entry["url"] == "/findings/?rectification_state=submitted"
    client.force_login(region.supervisor)
    html = client.get(entry["url"]).content.decode()
    assert html.count('<td data-label="问题">') == 1 and f"/findings/{f.pk}/" in html
    # Not the unit's work, nor the auditor's.
    assert all(e["key"] != "rectifications" for e in workbench(region.member)["waiting"])
    assert all(e["key"] != "rectifications" for e in workbench(region.auditor)["waiting"])
    rectification.rectification_accept(finding=f, user=region.supervisor)
    entry = next(e for e in workbench(region.supervisor)["waiting"] if e["key"] == "rectifications")
    assert entry["count"] == 0


def test_the_export_says_what_the_badge_says_for_an_answer_waiting_for_review(region, build, client):
    import io

    from openpyxl import load_workbook

    f = finding(region, build)
    rectification.finding_rectify(finding=f, user=region.member, comment="已恢复更新")
    client.force_login(region.supervisor)
    page = client.get(f"/findings/{f.pk}/").content.decode()
    assert "已反馈待审核" in page and "逾期未整改" not in page
    sheet = load_workbook(io.BytesIO(client.get("/findings/export.xlsx").content)).active
    rows = [row for row in sheet.iter_rows(values_only=True) if row[0] == f.pk]
    header = next(sheet.iter_rows(values_only=True))
    assert rows and rows[0][header.index("状态")] == "已反馈待审核"
    assert rows[0][header.index("逾期天数")] is None  # answered: not counted as overdue
