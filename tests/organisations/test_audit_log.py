"""Every change and workflow action is logged with its actor; supervisors read their scope's entries."""
import re

import pytest

from govmedia.core.models import AuditEntry


@pytest.mark.django_db
def test_api_changes_are_logged_with_the_token_user_and_the_change(api, region):
    client = api.as_user(region.supervisor)
    client.patch(f"/api/v1/organisations/{region.bureau.pk}/", {"contact_phone": "0832-1234567"}, format="json")
    entry = AuditEntry.objects.filter(object_pk=str(region.bureau.pk), content_type__model="organisation").latest("timestamp")
    assert entry.actor == region.supervisor
    assert entry.changes["contact_phone"] == ["", "0832-1234567"]
    assert entry.organisation_id == region.bureau.pk


@pytest.mark.django_db
def test_role_grant_and_withdrawal_are_workflow_entries(api, region):
    client = api.as_user(region.supervisor)
    membership = client.post("/api/v1/memberships/", {"user": region.member.pk, "organisation": region.bureau.pk, "role": "section_head"}, format="json").json()
    client.delete(f"/api/v1/memberships/{membership['id']}/")
    actions = list(AuditEntry.objects.exclude(workflow_action="").values_list("workflow_action", "actor__username"))
    assert ("role_grant", "supervisor") in actions and ("role_revoke", "supervisor") in actions


@pytest.mark.django_db
def test_supervisor_reads_and_filters_their_scope_only(api, region):
    api.as_user(region.supervisor).patch(f"/api/v1/organisations/{region.bureau.pk}/", {"short_name": "教育局"}, format="json")
    api.as_user(region.outsider).patch(f"/api/v1/organisations/{region.other_county_bureau.pk}/", {"short_name": "乙教育局"}, format="json")
    response = api.as_user(region.supervisor).get("/api/v1/audit-log/", {"actor": "supervisor", "action": "update"})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert rows and all(r["actor"] == "supervisor" for r in rows)
    everything = api.as_user(region.supervisor).get("/api/v1/audit-log/", {"page_size": 500}).json()["results"]
    assert region.other_county_bureau.pk not in {r["organisation"] for r in everything}
    assert region.bureau.pk in {r["organisation"] for r in everything}


@pytest.mark.django_db
def test_editors_cannot_read_the_audit_log(api, client, region):
    assert api.as_user(region.member).get("/api/v1/audit-log/").status_code == 403
    client.force_login(region.member)
    assert client.get("/audit/").status_code == 403


@pytest.mark.django_db
def test_entries_are_append_only(api, region):
    api.as_user(region.supervisor).patch(f"/api/v1/organisations/{region.bureau.pk}/", {"short_name": "教育局"}, format="json")
    entry = AuditEntry.objects.latest("timestamp")
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()
    assert api.as_user(region.supervisor).delete(f"/api/v1/audit-log/{entry.pk}/").status_code == 405


@pytest.mark.django_db
def test_audit_page_for_supervisor(client, region, api):
    api.as_user(region.supervisor).patch(f"/api/v1/organisations/{region.bureau.pk}/", {"short_name": "教育局"}, format="json")
    client.force_login(region.supervisor)
    page = client.get("/audit/", {"object_type": "organisation"}).content.decode()
    # The change reads as office staff say it: the field's label and the new value, not the field's code name.
    assert "审计日志" in page and "甲县教育局" in page and "简称" in page and "short_name" not in page


def test_a_stored_self_inspection_prefill_reads_in_chinese_in_the_log():
    # The 自查 submission's 系统预填依据 showed "indicators：…known：否" and "检查指标版本：ID：7，单位名称：…".
    from govmedia.core import audit

    prefill = {
        "indicators": {"content_weekly": {"result": "", "note": "说明", "known": True, "rules": ["account_weekly"]}},
        "own_accounts": [{"name": "清源教育", "type": "微信"}], "sub_accounts": [{"name": "甲", "type": "微博", "unit": "乙"}],
        "report_period": {"key": "2026-10", "label": "2026年10月", "start": "2026-10-01", "end": "2026-10-31",
                          "as_of": "2026-10-31", "complete": True},
        "checklist_version": {"id": 7, "name": "清源县检查指标", "year": 2020},
    }
    text = audit._readable(prefill)
    assert not re.search(r"[A-Za-z]{2,}", text), text
    assert "检查指标版本：编号：7，名称：清源县检查指标" in text and "幂等键" not in text
