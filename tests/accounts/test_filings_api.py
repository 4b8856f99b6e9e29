"""The 备案 workflow through the API: drafts, submission, two-stage approval, what approval does, and refusals."""
import datetime as dt
import threading

import pytest
from django.db import connection

from accounts.models import Account, AccountStatus, Filing, FilingDecision, FilingStatus
from govmedia.core.models import AuditEntry
from tests.inspections.conftest import regional_rules

from .builders import full_form, open_and_approve, running_account

pytestmark = pytest.mark.django_db


def create_open(api, user, region, **form_overrides):
    return api.as_user(user).post(
        "/api/v1/filings/",
        {"kind": "open", "event_date": "2024-09-27", "reason": "宣传教育政策", "form": full_form(region, **form_overrides)},
        format="json",
    )


def test_opening_goes_through_the_principal_then_the_supervisor_and_the_account_runs(api, region):
    regional_rules(region)  # filing, backfill and closure periods are qingdao's (§6, §7, §19): in force by the unit's version
    response = create_open(api, region.member, region)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft" and body["stage"] == ""
    # Friday 27 Sep 2024 + 7 working days: Sun 29 Sep and Mon 30 Sep worked, 1–7 Oct off, Sat 12 Oct worked.
    assert body["due_on"] == "2024-10-12"
    account = Account.objects.get(pk=Filing.objects.get(pk=body["id"]).account_id)
    assert account.status == AccountStatus.DRAFT  # not in the register, does not take the platform slot

    submitted = api.as_user(region.member).post(f"/api/v1/filings/{body['id']}/submit/").json()
    assert submitted["status"] == "pending" and submitted["stage"] == "owner_principal"
    account.refresh_from_db()
    assert account.status == AccountStatus.APPLYING

    # The supervisor cannot decide the principal's stage.
    assert api.as_user(region.supervisor).post(f"/api/v1/filings/{body['id']}/approve/").status_code == 403
    first = api.as_user(region.owner).post(f"/api/v1/filings/{body['id']}/approve/", {"comment": "同意开设"}, format="json")
    assert first.json()["stage"] == "supervisor" and first.json()["owner_opinion"] == "同意开设"
    # ...and the principal cannot decide the supervisor's.
    assert api.as_user(region.owner).post(f"/api/v1/filings/{body['id']}/approve/").status_code == 403
    final = api.as_user(region.supervisor).post(f"/api/v1/filings/{body['id']}/approve/", {"comment": "准予备案"}, format="json")
    assert final.status_code == 200
    assert final.json()["status"] == "approved" and final.json()["stage"] == ""

    account.refresh_from_db()
    assert account.status == AccountStatus.RUNNING
    assert account.opened_on == dt.date(2024, 9, 20)  # the registration date on the form
    assert account.verified and account.owner_leader == "李局长" and account.followers == 1200
    assert [m.name for m in account.menus.filter(parent__isnull=True)] == ["教育动态", "办事服务"]
    assert [m.name for m in account.menus.get(name="教育动态").children.all()] == ["通知公告", "招生考试"]
    assert sorted(account.team.values_list("name", flat=True)) == ["张三", "李四"]
    assert list(FilingDecision.objects.values_list("stage", "outcome")) == [
        ("owner_principal", "approved"), ("supervisor", "approved")
    ]
    actions = set(AuditEntry.objects.filter(additional_data__action__isnull=False).values_list("additional_data__action", flat=True))
    assert {"submit", "approve", "filing_open"} <= actions


def test_a_draft_may_be_incomplete_but_submission_names_every_missing_field(api, region):
    response = api.as_user(region.member).post(
        "/api/v1/filings/", {"kind": "open", "event_date": "2024-09-27", "form": {"owner": region.bureau.pk, "name": "草稿号"}},
        format="json",
    )
    assert response.status_code == 201
    refused = api.as_user(region.member).post(f"/api/v1/filings/{response.json()['id']}/submit/")
    assert refused.status_code == 400
    errors = refused.json()
    for field in ("platform", "platform_id", "owner_leader", "supervisor", "team", "reason"):
        assert field in errors, field
    # Resume the draft: the missing parts are patched in, then it submits.
    patched = api.as_user(region.member).patch(
        f"/api/v1/filings/{response.json()['id']}/", {"reason": "开设", "form": full_form(region)}, format="json"
    )
    assert patched.status_code == 200, patched.json()
    assert api.as_user(region.member).post(f"/api/v1/filings/{response.json()['id']}/submit/").status_code == 200


def test_menus_deeper_than_three_levels_are_refused(api, region):
    deep = [{"name": "一", "children": [{"name": "二", "children": [{"name": "三", "children": [{"name": "四"}]}]}]}]
    response = create_open(api, region.member, region, menus=deep)
    assert response.status_code == 400
    assert "最多三级" in response.json()["menus"][0]


def test_second_live_account_on_a_platform_is_refused_naming_the_existing_one(api, region):
    existing = running_account(region, name="甲县教育", platform="wechat")
    response = create_open(api, region.member, region)
    filing_id = response.json()["id"]
    refused = api.as_user(region.member).post(f"/api/v1/filings/{filing_id}/submit/")
    assert refused.status_code == 400
    assert "甲县教育" in refused.json()["platform"][0] and str(existing.pk) in refused.json()["platform"][0]
    # A supervisor records an exemption with its reason on the new account; then it may go ahead.
    new_account = Filing.objects.get(pk=filing_id).account
    assert api.as_user(region.member).patch(
        f"/api/v1/accounts/{new_account.pk}/", {"exemption_reason": "应急专用"}, format="json"
    ).status_code == 403
    exempted = api.as_user(region.supervisor).patch(
        f"/api/v1/accounts/{new_account.pk}/", {"exemption_reason": "应急信息发布专用号，经县政府办同意保留"}, format="json"
    )
    assert exempted.status_code == 200, exempted.json()
    assert api.as_user(region.member).post(f"/api/v1/filings/{filing_id}/submit/").status_code == 200


def test_the_database_also_refuses_a_second_live_account(region):
    from django.db import IntegrityError, transaction

    running_account(region, name="甲", platform="douyin")
    with pytest.raises(IntegrityError), transaction.atomic():
        running_account(region, name="乙", platform="douyin", team=())


def test_an_internal_section_may_not_own_an_account(api, region):
    response = create_open(api, region.member, region, owner=region.section.pk)
    assert response.status_code == 400
    assert "内设机构" in response.json()["owner"][0]
    direct = api.as_user(region.supervisor).post("/api/v1/accounts/", full_form(region, owner=region.section.pk), format="json")
    assert direct.status_code == 400 and "owner" in direct.json()


def test_nobody_opens_an_account_in_the_name_of_a_unit_they_do_not_belong_to(api, region):
    # The auditor sees the bureau but files nothing in its name; the neighbour (another bureau) cannot even name it.
    response = create_open(api, region.auditor, region)
    assert response.status_code == 400
    assert "不能以该单位名义" in response.json()["owner"][0]
    response = create_open(api, region.neighbour, region)
    assert response.status_code == 400 and "owner" in response.json()["form"]
    assert not Account.objects.exists()


def test_rejection_needs_a_comment_returns_to_the_filer_and_frees_the_slot(api, region):
    filing_id = create_open(api, region.member, region).json()["id"]
    api.as_user(region.member).post(f"/api/v1/filings/{filing_id}/submit/")
    assert api.as_user(region.owner).post(f"/api/v1/filings/{filing_id}/reject/", {}, format="json").status_code == 400
    rejected = api.as_user(region.owner).post(f"/api/v1/filings/{filing_id}/reject/", {"comment": "名称不规范"}, format="json")
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected" and rejected.json()["rejection_comment"] == "名称不规范"
    assert Filing.objects.get(pk=filing_id).account.status == AccountStatus.DRAFT
    # Approving a rejected filing is a state clash.
    assert api.as_user(region.owner).post(f"/api/v1/filings/{filing_id}/approve/").status_code == 409
    # Corrected and resubmitted, it starts again with the principal.
    api.as_user(region.member).patch(f"/api/v1/filings/{filing_id}/", {"form": {"name": "甲县教育局发布"}}, format="json")
    again = api.as_user(region.member).post(f"/api/v1/filings/{filing_id}/submit/")
    assert again.json()["stage"] == "owner_principal"


def test_decided_filings_cannot_be_edited_resubmitted_or_deleted(api, region):
    filing = open_and_approve(api, region)
    client = api.as_user(region.member)
    assert client.patch(f"/api/v1/filings/{filing['id']}/", {"reason": "改"}, format="json").status_code == 409
    assert client.post(f"/api/v1/filings/{filing['id']}/submit/").status_code == 409
    assert client.delete(f"/api/v1/filings/{filing['id']}/").status_code == 409
    assert api.as_user(region.supervisor).post(f"/api/v1/filings/{filing['id']}/approve/").status_code == 409


def test_scope_outsider_sees_nothing_and_auditor_cannot_decide(api, region):
    filing_id = create_open(api, region.member, region).json()["id"]
    api.as_user(region.member).post(f"/api/v1/filings/{filing_id}/submit/")
    assert api.as_user(region.outsider).get(f"/api/v1/filings/{filing_id}/").status_code == 404
    assert api.as_user(region.outsider).post(f"/api/v1/filings/{filing_id}/approve/").status_code == 404
    assert api.as_user(region.outsider).get("/api/v1/filings/").json()["count"] == 0
    assert api.as_user(region.auditor).get(f"/api/v1/filings/{filing_id}/").status_code == 200
    assert api.as_user(region.auditor).post(f"/api/v1/filings/{filing_id}/approve/").status_code == 403
    assert api.as_user(region.member).post(f"/api/v1/filings/{filing_id}/approve/").status_code == 403


def test_actionable_lists_what_each_approver_may_decide_now(api, region):
    filing_id = create_open(api, region.member, region).json()["id"]
    api.as_user(region.member).post(f"/api/v1/filings/{filing_id}/submit/")
    ids = lambda user: [f["id"] for f in api.as_user(user).get("/api/v1/filings/?actionable=true").json()["results"]]  # noqa: E731
    assert ids(region.owner) == [filing_id] and ids(region.supervisor) == []
    api.as_user(region.owner).post(f"/api/v1/filings/{filing_id}/approve/")
    assert ids(region.owner) == [] and ids(region.supervisor) == [filing_id]


def test_a_change_applies_new_data_and_a_departure_marks_the_password_due(api, region):
    regional_rules(region)  # filing, backfill and closure periods are qingdao's (§6, §7, §19): in force by the unit's version
    account = running_account(region, name="甲县教育发布", platform="wechat", password_changed_on=dt.date(2024, 8, 1))
    form = full_form(region, team=[{"name": "张三", "mobile": "13800000001"}, {"name": "王五", "mobile": "13900000000"}],
                     followers=5000)
    created = api.as_user(region.member).post(
        "/api/v1/filings/", {"kind": "change", "account": account.pk, "event_date": "2024-10-08", "reason": "人员调整",
                             "form": form}, format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["due_on"] == "2024-10-16"  # Tue 8 Oct + 7 working days, Sat 12 Oct counted
    filing_id = created.json()["id"]
    api.as_user(region.member).post(f"/api/v1/filings/{filing_id}/submit/")
    account.refresh_from_db()
    assert account.followers is None  # nothing changes before approval
    api.as_user(region.owner).post(f"/api/v1/filings/{filing_id}/approve/")
    api.as_user(region.supervisor).post(f"/api/v1/filings/{filing_id}/approve/")
    account.refresh_from_db()
    assert account.followers == 5000
    assert account.credential_change_due_since == dt.date(2024, 10, 8)
    assert account.team.get(name="李四").left_on == dt.date(2024, 10, 8)
    assert account.team.get(name="王五").left_on is None
    shown = api.as_user(region.member).get(f"/api/v1/accounts/{account.pk}/").json()
    assert sorted(m["name"] for m in shown["team"]) == ["张三", "王五"]
    # Recording the password change (the date, never the password) clears the mark.
    changed = api.as_user(region.member).patch(f"/api/v1/accounts/{account.pk}/", {"password_changed_on": "2024-10-09"}, format="json")
    assert changed.status_code == 200 and changed.json()["credential_change_due_since"] is None


def test_closure_then_deregistration_only_after_fifteen_working_days(api, region):
    regional_rules(region)  # filing, backfill and closure periods are qingdao's (§6, §7, §19): in force by the unit's version
    account = running_account(region)
    close = api.as_user(region.member).post(
        "/api/v1/filings/", {"kind": "close", "account": account.pk, "event_date": "2024-09-20", "reason": "整合"}, format="json"
    ).json()
    # Deregistering a running account (no notice yet) is a state clash.
    early = api.as_user(region.member).post(
        "/api/v1/filings/", {"kind": "deregister", "account": account.pk, "event_date": "2024-09-20", "reason": "注销"}, format="json"
    )
    assert early.status_code == 409
    api.as_user(region.member).post(f"/api/v1/filings/{close['id']}/submit/")
    api.as_user(region.owner).post(f"/api/v1/filings/{close['id']}/approve/")
    api.as_user(region.supervisor).post(f"/api/v1/filings/{close['id']}/approve/")
    account.refresh_from_db()
    assert account.status == AccountStatus.CLOSING and account.closure_notice_on is not None
    # Put the notice on a fixed date: Fri 20 Sep 2024. The 15th working day after it, across National Day, is 16 Oct.
    Account.objects.filter(pk=account.pk).update(closure_notice_on=dt.date(2024, 9, 20))
    too_soon = api.as_user(region.member).post(
        "/api/v1/filings/", {"kind": "deregister", "account": account.pk, "event_date": "2024-10-15", "reason": "注销"}, format="json"
    )
    assert too_soon.status_code == 409
    assert "2024-10-16" in too_soon.json()["detail"] and too_soon.json()["first_allowed_on"] == "2024-10-16"
    ok = api.as_user(region.member).post(
        "/api/v1/filings/", {"kind": "deregister", "account": account.pk, "event_date": "2024-10-16", "reason": "注销"}, format="json"
    )
    assert ok.status_code == 201
    assert ok.json()["first_deregister_on"] == "2024-10-16"
    api.as_user(region.member).post(f"/api/v1/filings/{ok.json()['id']}/submit/")
    api.as_user(region.owner).post(f"/api/v1/filings/{ok.json()['id']}/approve/")
    api.as_user(region.supervisor).post(f"/api/v1/filings/{ok.json()['id']}/approve/")
    account.refresh_from_db()
    assert account.status == AccountStatus.DEREGISTERED


def test_one_open_filing_per_account(api, region):
    account = running_account(region)
    payload = {"kind": "change", "account": account.pk, "event_date": "2024-10-08", "reason": "改"}
    assert api.as_user(region.member).post("/api/v1/filings/", payload, format="json").status_code == 201
    second = api.as_user(region.member).post("/api/v1/filings/", payload, format="json")
    assert second.status_code == 409 and "未办结" in second.json()["detail"]


def test_an_existing_account_brought_in_directly_owes_a_backfill(api, region, settings):
    regional_rules(region)  # filing, backfill and closure periods are qingdao's (§6, §7, §19): in force by the unit's version
    settings.GOVMEDIA_RULES_EFFECTIVE_ON = "2025-01-20"
    response = api.as_user(region.member).post("/api/v1/accounts/", full_form(region, platform="douyin"), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "running"
    # Mon 20 Jan 2025 + 20 working days across Spring Festival (28 Jan–4 Feb off, Sun 26 Jan and Sat 8 Feb worked).
    assert body["backfill_due_on"] == "2025-02-21"
    backfill = api.as_user(region.member).post(
        "/api/v1/filings/", {"kind": "backfill", "account": body["id"], "event_date": "2025-02-10"}, format="json"
    )
    assert backfill.status_code == 201 and backfill.json()["due_on"] == "2025-02-21"


def test_references_of_approvals_above_are_recorded_by_the_supervisor(api, region):
    filing = open_and_approve(api, region)
    payload = {"city_reference": "市政办备〔2024〕12号", "province_reference": "鲁备2024-0031", "national_reference": "GW370000123"}
    assert api.as_user(region.member).post(f"/api/v1/filings/{filing['id']}/references/", payload, format="json").status_code == 403
    recorded = api.as_user(region.supervisor).post(f"/api/v1/filings/{filing['id']}/references/", payload, format="json")
    assert recorded.status_code == 200 and recorded.json()["national_reference"] == "GW370000123"
    account = Filing.objects.get(pk=filing["id"]).account
    assert account.national_reference == "GW370000123"


def test_event_date_in_the_future_and_bad_kinds_are_400(api, region):
    bad = api.as_user(region.member).post(
        "/api/v1/filings/", {"kind": "open", "event_date": "2999-01-01", "form": full_form(region)}, format="json"
    )
    assert bad.status_code == 400 and "event_date" in bad.json()
    assert api.as_user(region.member).post("/api/v1/filings/", {"kind": "merge"}, format="json").status_code == 400
    assert api.as_user(region.member).post("/api/v1/filings/", {"kind": "change"}, format="json").json() == {"account": ["请指定账号。"]}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_supervisors_approving_at_once_exactly_one_wins(api, region):
    from rest_framework.test import APIClient

    from tests.factories import person

    second_supervisor = person("supervisor2", region.county, "supervisor")
    filing_id = create_open(api, region.member, region).json()["id"]
    api.as_user(region.member).post(f"/api/v1/filings/{filing_id}/submit/")
    api.as_user(region.owner).post(f"/api/v1/filings/{filing_id}/approve/")
    results, barrier = [], threading.Barrier(2)

    def approve(user):
        from tests.factories import token_for

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
        barrier.wait()
        results.append(client.post(f"/api/v1/filings/{filing_id}/approve/").status_code)
        connection.close()

    threads = [threading.Thread(target=approve, args=(u,)) for u in (region.supervisor, second_supervisor)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 409]
    assert FilingDecision.objects.filter(filing_id=filing_id, stage="supervisor").count() == 1
    assert Filing.objects.get(pk=filing_id).status == FilingStatus.APPROVED


def test_the_second_approver_acting_on_a_stale_page_gets_409(api, region):
    from accounts import filing_services
    from govmedia.core.exceptions import DomainConflict
    from tests.factories import person

    second_supervisor = person("supervisor2", region.county, "supervisor")
    filing_id = create_open(api, region.member, region).json()["id"]
    api.as_user(region.member).post(f"/api/v1/filings/{filing_id}/submit/")
    api.as_user(region.owner).post(f"/api/v1/filings/{filing_id}/approve/")
    stale = Filing.objects.get(pk=filing_id)  # both supervisors opened the page now
    filing_services.filing_approve(filing=stale, user=region.supervisor)
    with pytest.raises(DomainConflict):
        filing_services.filing_reject(filing=stale, user=second_supervisor, comment="不同意")
    assert FilingDecision.objects.filter(filing_id=filing_id, stage="supervisor").count() == 1
