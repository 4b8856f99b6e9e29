"""The office keeps units, people and roles in the browser; out-of-scope pages are 404; the working-day calendar
page and the home page's warning of a year it does not cover."""
import pytest

from organisations.models import Membership, Organisation, Role, User


@pytest.mark.django_db
def test_supervisor_creates_a_unit_adds_a_person_and_assigns_and_withdraws_a_role(client, region):
    client.force_login(region.supervisor)
    response = client.post("/organisations/", {"name": "甲县统计局", "kind": "department", "parent": region.county.pk})
    unit = Organisation.objects.get(name="甲县统计局")
    assert response.status_code == 302 and response.url == f"/organisations/{unit.pk}/"
    response = client.post(f"/organisations/{unit.pk}/people/", {
        "username": "tongji", "display_name": "统计员", "password": "Renyuan#2026x", "role": "editor",
    })
    assert response.status_code == 302
    person = User.objects.get(username="tongji")
    assert person.home_organisation == unit and person.check_password("Renyuan#2026x")
    client.post(f"/organisations/{unit.pk}/roles/", {"user": person.pk, "role": "section_head"})
    page = client.get(f"/organisations/{unit.pk}/").content.decode()
    assert "统计员" in page and "股室负责人" in page and "信息员" in page
    membership = Membership.objects.get(user=person, role=Role.SECTION_HEAD)
    client.post(f"/roles/{membership.pk}/withdraw/")
    assert not Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.django_db
def test_weak_password_on_the_page_is_explained_and_nothing_is_created(client, region):
    client.force_login(region.supervisor)
    response = client.post(f"/organisations/{region.bureau.pk}/people/", {
        "username": "weak", "display_name": "弱", "password": "password", "role": "editor",
    })
    assert response.status_code == 400
    assert "至少3类" in response.content.decode()
    assert not User.objects.filter(username="weak").exists()


@pytest.mark.django_db
def test_out_of_scope_pages_are_404_and_member_pages_are_read_only(client, region):
    client.force_login(region.outsider)
    assert client.get(f"/organisations/{region.bureau.pk}/").status_code == 404
    assert client.get(f"/people/{region.member.pk}/").status_code == 404
    assert client.post(f"/organisations/{region.bureau.pk}/people/", {"username": "x"}).status_code == 404
    client.force_login(region.member)
    page = client.get(f"/organisations/{region.bureau.pk}/").content.decode()
    assert "甲县教育局" in page and "添加人员" not in page
    assert client.post(f"/organisations/{region.bureau.pk}/roles/", {"user": region.member.pk, "role": "principal"}).status_code == 403
    assert "甲县卫生健康局" not in client.get("/organisations/").content.decode()


@pytest.mark.django_db
def test_calendar_page_shows_make_up_days_and_warns_of_an_uncovered_year(client, region):
    client.force_login(region.supervisor)
    page = client.get("/calendar/", {"month": "2024-10"}).content.decode()
    assert 'data-date="2024-10-12" data-workday="1" data-source="package"' in page
    assert 'data-date="2024-10-01" data-workday="0"' in page
    page = client.get("/calendar/", {"month": "2027-01"}).content.decode()
    assert "2027年的法定节假日安排尚未录入" in page
    # National days are the system administrator's (issue 10): a supervisor's national entry is refused.
    assert client.post("/calendar/?month=2027-01", {"date": "2027-01-01", "is_workday": "0", "note": "元旦"}).status_code == 403
    from organisations.models import AdminRole
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="sysadmin", admin_role=AdminRole.SYSTEM),
                       backend="django.contrib.auth.backends.ModelBackend")
    response = client.post("/calendar/?month=2027-01", {"date": "2027-01-01", "is_workday": "0", "note": "元旦"})
    assert response.status_code == 302
    page = client.get("/calendar/", {"month": "2027-01"}).content.decode()
    assert 'data-date="2027-01-01" data-workday="0" data-source="office"' in page


@pytest.mark.django_db
def test_home_warns_supervisors_when_next_year_is_not_covered(client, region, settings):
    import datetime as dt
    from unittest import mock

    # 2026-11-21: the package covers 2026 but not 2027, which starts in six weeks.
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 11, 21)):
        client.force_login(region.supervisor)
        assert "2027年的法定节假日安排尚未录入" in client.get("/").content.decode()
        client.force_login(region.member)
        assert "尚未录入" not in client.get("/").content.decode()
