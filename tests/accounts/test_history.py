"""History for a past as_of (issue 10, item 4): an account's status and its password change dates are kept, so
an inspection of a past day judges what was true that day."""
import datetime as dt
from unittest import mock

import pytest

from accounts.models import AccountStatus, AccountStatusChange, CredentialChange
from accounts.services import account_update_facts
from inspections.models import Finding
from inspections.services import inspect
from tests.factories import AccountFactory


def run(day):
    with mock.patch("django.utils.timezone.localdate", return_value=day):
        return inspect(as_of=day)


@pytest.mark.django_db
def test_a_password_changed_after_a_past_day_does_not_hide_its_age_then(region):
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 3, 2)):
        account = AccountFactory(owner=region.bureau, opened_on=dt.date(2025, 1, 6), password_changed_on=dt.date(2026, 3, 2))
    # Changed again on 18 Sep 2026 (recorded that day); on 30 Sep the change is 12 days old.
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 9, 18)):
        account_update_facts(account=account, user=region.owner, password_changed_on=dt.date(2026, 9, 18))
    assert list(CredentialChange.objects.filter(account=account).values_list("changed_on", flat=True)) == [
        dt.date(2026, 3, 2), dt.date(2026, 9, 18)]
    # A run for 19 Jun 2026 made later: the password was 109 days old then (over the 90 of credential_rotation).
    run(dt.date(2026, 6, 19))
    finding = Finding.objects.get(rule="credential_rotation", subject_id=account.pk)
    assert finding.detail["password_changed_on"] == "2026-03-02"
    run(dt.date(2026, 9, 30))
    assert not Finding.objects.filter(rule="credential_rotation", subject_id=account.pk, status__in=["open", "overdue"]).exists()


@pytest.mark.django_db
def test_a_past_day_is_judged_by_the_status_the_account_had_then(region):
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 1, 5)):
        account = AccountFactory(owner=region.bureau, opened_on=dt.date(2026, 1, 5))  # never updated
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 10, 12)):
        account.status = AccountStatus.DEREGISTERED
        account.save()
    assert list(AccountStatusChange.objects.filter(account=account).values_list("status", "effective_on")) == [
        ("running", dt.date(2026, 1, 5)), ("deregistered", dt.date(2026, 10, 12))]
    # Running (and silent) on 30 Sep: stale then, although deregistered now.
    run(dt.date(2026, 9, 30))
    assert Finding.objects.filter(rule="account_stale", subject_id=account.pk).exists()
    run(dt.date(2026, 10, 19))
    assert not Finding.objects.filter(rule="account_stale", subject_id=account.pk, status__in=["open", "overdue"]).exists()
