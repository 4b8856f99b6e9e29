import pytest


@pytest.mark.django_db
def test_calendar_lists_national_day_with_sources(api, region):
    response = api.as_user(region.member).get("/api/v1/calendar/", {"start": "2024-09-28", "end": "2024-10-13"})
    assert response.status_code == 200
    days = {d["date"]: d for d in response.json()["results"]}
    assert days["2024-09-29"]["is_workday"] is True
    assert days["2024-10-01"]["is_workday"] is False
    assert days["2024-10-12"]["is_workday"] is True
    assert days["2024-10-13"]["is_workday"] is False
    assert {d["source"] for d in days.values()} == {"package"}
    assert response.json()["warnings"] == []


@pytest.mark.django_db
def test_add_workdays_endpoint(api, region):
    client = api.as_user(region.member)
    response = client.get("/api/v1/calendar/add-workdays/", {"start": "2024-09-27", "days": 3})
    assert response.json() == {"date": "2024-10-08", "source": "package"}
    response = client.get("/api/v1/calendar/add-workdays/", {"start": "2027-04-30", "days": 1})
    assert response.status_code == 200
    assert response.json()["source"] == "weekday-fallback"
    assert response.json()["date"] == "2027-05-03"
    assert "2027" in response.json()["warnings"][0]


@pytest.mark.django_db
@pytest.mark.parametrize("params, field", [
    ({"start": "2024-13-01", "days": 1}, "start"),
    ({"start": "2024-09-27", "days": 0}, "days"),
    ({"start": "2024-09-27", "days": "three"}, "days"),
    ({"days": 3}, "start"),
])
def test_add_workdays_bad_input_is_400_naming_the_field(api, region, params, field):
    response = api.as_user(region.member).get("/api/v1/calendar/add-workdays/", params)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.django_db
def test_office_enters_a_new_years_schedule(api, region):
    from organisations.models import AdminRole
    from tests.factories import UserFactory

    # National days are the system administrator's (issue 10, 三员分立).
    client = api.as_user(UserFactory(username="sysadmin", admin_role=AdminRole.SYSTEM))
    response = client.post("/api/v1/calendar/", {"date": "2027-02-06", "is_workday": True, "note": "春节调休上班"}, format="json")
    assert response.status_code == 201
    assert response.json() == {"date": "2027-02-06", "is_workday": True, "source": "office", "note": "春节调休上班",
                               "organisation": None, "moved": {"error_reports": 0, "messages": 0, "findings": 0, "filings": 0, "accounts": 0}}
    assert client.get("/api/v1/calendar/2027-02-06/").json()["is_workday"] is True
    assert client.post("/api/v1/calendar/years/", {"year": 2027, "announcement": "国办发明电〔2026〕X号"}, format="json").status_code == 201
    day = client.get("/api/v1/calendar/2027-03-02/").json()
    assert day["source"] == "office"


@pytest.mark.django_db
def test_only_the_top_office_supervisors_edit_the_calendar(api, region):
    response = api.as_user(region.member).post("/api/v1/calendar/", {"date": "2027-02-06", "is_workday": True}, format="json")
    assert response.status_code == 403
    response = api.as_user(region.supervisor).post("/api/v1/calendar/", {"date": "not a date", "is_workday": True}, format="json")
    assert response.status_code == 400 and "date" in response.json()


@pytest.mark.django_db
def test_calendar_requires_authentication(api):
    assert api.get("/api/v1/calendar/").status_code == 401
