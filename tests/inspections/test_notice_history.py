"""Provincial notice counts keep history (issue 10, dates of findings): a run for a past `as_of` judges the count
of that day, not the one entered since."""
import datetime as dt
from unittest import mock

import pytest

from accounts.history import notice_count_as_of
from accounts.models import Account, ProvinceNoticeChange
from inspections import services
from inspections.models import Finding

from .conftest import regional_rules

pytestmark = pytest.mark.django_db
D = dt.date


def inspect(as_of, today):
    with mock.patch("django.utils.timezone.localdate", return_value=today):
        run = services.inspect(as_of=as_of)
    assert run.status == "finished", run.error
    return run


def set_count(account, count, on):
    with mock.patch("django.utils.timezone.localdate", return_value=on):
        account.province_notice_count = count
        account.save()


def counts(as_of):
    return dict(Account.objects.annotate(n=notice_count_as_of(as_of)).values_list("name", "n"))


def test_a_past_as_of_reads_the_count_then(build, region):
    regional_rules(region)  # repeat_notified (three provincial notices → closure) is 安岳's (§9)
    account = build.account(province_notice_count=2, updates=[D(2024, 10, 1)])
    other = build.account(province_notice_count=1, updates=[D(2024, 10, 1)])
    # Entered with 2: its baseline, no history yet.
    assert not ProvinceNoticeChange.objects.exists()
    assert counts(D(2024, 9, 1))[account.name] == 2
    set_count(account, 3, D(2024, 10, 10))
    set_count(other, 2, D(2024, 10, 5))
    set_count(other, 3, D(2024, 10, 20))
    change = ProvinceNoticeChange.objects.get(account=account)
    assert (change.previous, change.count, change.effective_on) == (2, 3, D(2024, 10, 10))

    then = counts(D(2024, 10, 8))
    assert then[account.name] == 2 and then[other.name] == 2
    assert counts(D(2024, 10, 12)) == {account.name: 3, other.name: 2}
    assert counts(D(2024, 10, 1))[other.name] == 1
    assert counts(D(2024, 11, 1)) == {account.name: 3, other.name: 3}

    # The run for 8 Oct, made on 25 Oct, finds nobody notified three times then.
    inspect(D(2024, 10, 8), today=D(2024, 10, 25))
    assert not Finding.objects.filter(rule="repeat_notified").exists()
    inspect(D(2024, 10, 12), today=D(2024, 10, 25))
    found = Finding.objects.get(rule="repeat_notified")
    assert found.subject_id == account.pk and found.detail["province_notice_count"] == 3
