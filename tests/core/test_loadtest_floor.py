"""`make loadtest` compares each API list with a plain-SQL floor: the floor must return the very rows of the list's
first page (same user scope, order and countdown), or the comparison means nothing."""
import pytest

from tools.loadtest.seed import seed

pytestmark = pytest.mark.django_db

SIZE = {"counties": 2, "units": 6, "accounts": 60, "columns": 70, "findings": 55, "posts": 4}


@pytest.fixture
def province(settings):
    settings.ROOT_URLCONF = "tools.loadtest.urls"
    settings.SECOND_FACTOR_REQUIRED = False
    return seed(SIZE)


@pytest.mark.parametrize("name", ["accounts", "columns", "findings"])
@pytest.mark.parametrize("who", ["province", "county"])
def test_the_floor_returns_the_rows_of_the_lists_first_page(client, province, name, who):
    person = province[who]
    listed = client.get(f"/api/v1/{name}/", HTTP_AUTHORIZATION=f"Token {person['token']}").json()
    floor = client.get(f"/loadtest/floor/{name}/?user={person['user']}").json()["results"]
    assert len(listed["results"]) == min(listed["count"], 50) > 0
    assert [row["id"] for row in floor] == [row["id"] for row in listed["results"]]
    if name != "findings":
        assert [row["days_left"] for row in floor] == [row["days_left"] for row in listed["results"]]
    if name == "accounts":
        assert [[m[0] for m in row["team"]] for row in floor] == [[m["name"] for m in row["team"]] for row in listed["results"]]


def test_the_dashboard_alone_is_served_to_the_signed_in_supervisor(client, province):
    client.cookies["sessionid"] = province["province"]["session"]
    page = client.get("/loadtest/dashboard/")
    assert page.status_code == 200 and "概览" in page.content.decode()
