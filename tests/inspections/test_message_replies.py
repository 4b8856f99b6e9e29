"""A message's page opens and takes a reply, on a site and on an account, in the page and through the API."""
import datetime as dt

import pytest
from django.utils import timezone

from inspections.services import message_create

pytestmark = pytest.mark.django_db


def received(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, 10))


@pytest.fixture
def messages(region, build):
    site_message = message_create(site=build.site(), received_at=received(dt.date(2025, 1, 24)), content="咨询开学时间")
    account_message = message_create(account=build.account(), received_at=received(dt.date(2025, 1, 24)),
                                     content="咨询招生政策")
    return site_message, account_message


def test_the_owner_opens_a_message_and_replies_on_the_page(client, region, messages):
    client.force_login(region.member)
    for message in messages:
        page = client.get(f"/messages/{message.pk}/")
        assert page.status_code == 200
        assert message.content in page.content.decode()
        assert client.post(f"/messages/{message.pk}/", {"reply": "已答复"}).status_code == 302
        message.refresh_from_db()
        assert message.reply == "已答复" and message.replied_by == region.member


def test_the_owner_replies_through_the_api_and_an_outsider_gets_404(api, region, messages):
    site_message, account_message = messages
    api.force_authenticate(region.member)
    for message in messages:
        response = api.post(f"/api/v1/messages/{message.pk}/reply/", {"reply": "已答复"}, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["reply"] == "已答复"
    api.force_authenticate(region.outsider)
    assert api.get(f"/api/v1/messages/{site_message.pk}/").status_code == 404
