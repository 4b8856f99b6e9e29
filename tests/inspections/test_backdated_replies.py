"""A reply whose time is more than a day before it was entered is flagged as backdated (issue 10, item 4):
in the API's register of messages and 找错 reports and on their pages."""
import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from inspections import services
from tests.factories import SiteFactory

SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.django_db
def test_a_backdated_reply_is_flagged_in_the_register_and_on_the_page(api, client, region):
    site = SiteFactory(owner=region.bureau)
    received = dt.datetime(2026, 9, 29, 9, tzinfo=SH)
    entered = dt.datetime(2026, 10, 12, 10, tzinfo=SH)
    with mock.patch("django.utils.timezone.now", return_value=received + dt.timedelta(hours=1)):
        honest = services.message_create(received_at=received, content="咨询一", site=site)
        backdated = services.message_create(received_at=received, content="咨询二", site=site)
        report = services.error_report_create(site=site, received_at=received, content="错字")
    with mock.patch("django.utils.timezone.now", return_value=entered):
        # Entered on 12 Oct: one reply given that day, one claimed for 30 Sep (before the deadline), one for 11 Oct
        # 10:30 (less than a day before: not flagged).
        services.message_reply(message=honest, user=region.member, reply="已答复", replied_at=entered)
        services.message_reply(message=backdated, user=region.member, reply="已答复", replied_at=received + dt.timedelta(days=1))
        services.error_report_reply(report=report, user=region.member, reply="已改", replied_at=entered - dt.timedelta(hours=23, minutes=30))
    rows = {r["id"]: r for r in api.as_user(region.member).get("/api/v1/messages/").json()["results"]}
    assert rows[backdated.pk]["reply_backdated"] is True and rows[honest.pk]["reply_backdated"] is False
    assert rows[backdated.pk]["late"] is False  # on its own claim it was on time: the flag is what shows the doubt
    assert api.as_user(region.member).get(f"/api/v1/error-reports/{report.pk}/").json()["reply_backdated"] is False
    client.force_login(region.member, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get("/messages/").content.decode()
    assert page.count('data-backdated="1"') == 1
    assert 'data-backdated="1"' in client.get(f"/messages/{backdated.pk}/").content.decode()
