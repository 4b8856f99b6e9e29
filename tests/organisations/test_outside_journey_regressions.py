"""Defects found by trying the API from outside the suite, as a newcomer would: each answered 500 or English."""
import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path, params, field", [
    ("/api/v1/calendar/add-workdays/", {"start": "9999-12-30", "days": 5}, "start"),
    ("/api/v1/calendar/", {"start": "9999-12-20"}, "start"),
    ("/api/v1/calendar/", {"start": "2024-09-28", "end": "9999-12-31"}, "end"),
    ("/api/v1/calendar/", {"date": "2024-02-30"}, "date"),
])
def test_calendar_dates_beyond_its_range_are_400_naming_the_field(api, region, path, params, field):
    response = api.as_user(region.member).get(path, params)
    assert response.status_code == 400
    assert field in response.json()


def test_calendar_refuses_to_record_or_show_a_day_beyond_its_range(api, region):
    client = api.as_user(region.supervisor)
    assert client.get("/api/v1/calendar/9999-12-31/").status_code == 400
    response = client.post("/api/v1/calendar/", {"date": "9999-12-31", "is_workday": False}, format="json")
    assert response.status_code == 400 and "date" in response.json()


def test_calendar_answers_one_date_asked_as_a_query_parameter(api, region):
    response = api.as_user(region.member).get("/api/v1/calendar/", {"date": "2024-10-12"})
    assert response.status_code == 200
    assert response.json()["results"] == [
        {"date": "2024-10-12", "is_workday": True, "source": "package", "note": ""}
    ]


@pytest.mark.parametrize("body, field", [
    ({"username": ["editor"], "password": "x"}, "username"),
    ({"username": "editor", "password": 12345678}, "password"),
])
def test_token_with_wrong_types_is_400_naming_the_field(api, region, body, field):
    response = api.post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
