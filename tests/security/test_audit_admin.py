"""What the superuser does in /admin is audited, and he cannot edit or delete the audit log there (issue 12:
"In /admin the superuser deleted a finding and all login records without an audit entry")."""
import pytest
from axes.models import AccessAttempt, AccessLog
from django.db.models import ProtectedError
from django.utils import timezone

from govmedia.core import audit
from govmedia.core.models import AuditEntry
from inspections.models import Finding
from tests.factories import FindingFactory, UserFactory


@pytest.fixture
def superuser(db, client):
    user = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(user)
    return user


def delete_selected(client, model_path, pks):
    return client.post(f"/admin/{model_path}/", {"action": "delete_selected", "_selected_action": pks, "post": "yes"})


def test_deleting_a_finding_in_admin_leaves_an_entry_with_the_superuser(client, superuser):
    finding = FindingFactory()
    response = client.post(f"/admin/inspections/finding/{finding.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Finding.objects.filter(pk=finding.pk).exists()
    entry = AuditEntry.objects.get(content_type__model="finding", object_pk=str(finding.pk), action=AuditEntry.Action.DELETE)
    assert entry.actor == superuser and entry.remote_addr == "127.0.0.1"


def test_bulk_deleting_findings_in_admin_leaves_one_entry_each(client, superuser):
    findings = [FindingFactory(), FindingFactory()]
    assert delete_selected(client, "inspections/finding", [f.pk for f in findings]).status_code == 302
    assert not Finding.objects.exists()
    deleted = AuditEntry.objects.filter(content_type__model="finding", action=AuditEntry.Action.DELETE)
    assert sorted(int(e.object_pk) for e in deleted) == sorted(f.pk for f in findings)
    assert {e.actor for e in deleted} == {superuser}


def test_bulk_deleting_login_records_in_admin_is_audited(client, superuser):
    now = timezone.now()
    logs = [AccessLog.objects.create(username=f"user{i}", ip_address="10.0.0.9", user_agent="x", attempt_time=now,
                                     path_info="/login/", http_accept="*/*") for i in range(3)]
    attempt = AccessAttempt.objects.create(username="admin", ip_address="10.0.0.9", user_agent="x", attempt_time=now,
                                           path_info="/login/", http_accept="*/*", get_data="", post_data="",
                                           failures_since_start=5)
    assert delete_selected(client, "axes/accesslog", [log.pk for log in logs]).status_code == 302
    assert delete_selected(client, "axes/accessattempt", [attempt.pk]).status_code == 302
    assert not AccessLog.objects.filter(pk__in=[log.pk for log in logs]).exists()
    assert not AccessAttempt.objects.filter(pk=attempt.pk).exists()
    deleted = AuditEntry.objects.filter(action=AuditEntry.Action.DELETE, actor=superuser)
    assert sorted((e.content_type.model, e.object_pk) for e in deleted) == sorted(
        [("accesslog", str(log.pk)) for log in logs] + [("accessattempt", str(attempt.pk))]
    )


def test_the_audit_log_is_read_only_in_admin_even_for_the_superuser(client, superuser):
    entry = audit.record_security_event("login", actor=superuser)
    count = AuditEntry.objects.count()
    assert client.get("/admin/core/auditentry/").status_code == 200
    assert client.get(f"/admin/core/auditentry/{entry.pk}/change/").status_code == 200  # a view page
    assert client.post(f"/admin/core/auditentry/{entry.pk}/change/", {"object_repr": "改"}).status_code == 403
    assert client.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    delete_selected(client, "core/auditentry", [entry.pk])
    assert client.get("/admin/core/auditentry/add/").status_code == 403
    assert AuditEntry.objects.count() == count and AuditEntry.objects.get(pk=entry.pk).object_repr == entry.object_repr


def test_a_user_who_acted_cannot_be_deleted_and_erase_the_actor(client, superuser):
    # auditlog would set the actor to NULL (an UPDATE of the log); the log keeps it, so the deletion is refused.
    with pytest.raises(ProtectedError):
        superuser.delete()
