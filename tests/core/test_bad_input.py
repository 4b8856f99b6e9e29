"""The API base refuses bad bodies and bad path ids in one place (issue 12, item 6): the JSON parser, the router
and the 404 for paths under /api/."""
import io

import pytest
from rest_framework.exceptions import ParseError

from govmedia.core.api import Router
from govmedia.core.parsers import JSONParser


class View:
    pass


class ListView:
    json_body_checked_by_view = True


def parse(body: str, view=None):
    return JSONParser().parse(io.BytesIO(body.encode()), "application/json", {"view": view or View()})


@pytest.mark.parametrize("body", ["null", "1", "true", '"s"', "[]", "[{}]"])
def test_only_an_object_is_a_body(body):
    with pytest.raises(ParseError, match="JSON 对象"):
        parse(body)


def test_any_json_where_the_view_checks_the_type_itself():
    assert parse('[{"a": 1}]', ListView()) == [{"a": 1}]
    assert parse("null", ListView()) is None


def test_nesting_is_limited_whatever_the_depth():
    assert parse('{"a": ' * 31 + "1" + "}" * 31)
    for body in ['{"a": ' * 33 + "1" + "}" * 33, "[" * 100000, '{"a": [' * 50000]:
        with pytest.raises(ParseError, match="嵌套过深"):
            parse(body, ListView())


def test_ids_in_router_paths_are_whole_numbers_unless_the_viewset_says_otherwise():
    class Plain:
        pass

    class ByDate:
        lookup_field = "date"
        lookup_value_regex = r"\d{4}-\d{2}-\d{2}"

    assert Router().get_lookup_regex(Plain) == "(?P<pk>[0-9]+)"
    assert Router().get_lookup_regex(ByDate) == r"(?P<date>\d{4}-\d{2}-\d{2})"


@pytest.mark.django_db
def test_an_unknown_api_path_is_the_apis_404_and_a_page_stays_a_page(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404 and response.json() == {"detail": "未找到。"}
    assert client.get("/no-such-page/").status_code == 404
    assert "html" in client.get("/no-such-page/")["Content-Type"]
