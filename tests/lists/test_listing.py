"""The shared list helper (govmedia/core/listing.py): whitelisted sorts, heading links that keep the filters,
and filter forms that report a bad value without losing the rest."""
import datetime as dt

from django import forms
from django.http import QueryDict

from govmedia.core.forms import DateInput
from govmedia.core.listing import ListFilterForm, Listing, query_string

SORTS = {"found_on": ("发现日期", ("found_on",)), "name": ("名称", ("subject_name", "-found_on"))}


def listing(query):
    return Listing(QueryDict(query), sorts=SORTS, default="-found_on", search=("subject_name",))


def test_only_whitelisted_sorts_are_used():
    assert listing("sort=name").sort == "name"
    assert listing("sort=-name").sort == "-name"
    for bad in ("password", "--name", "organisation__users__password", "-", "name,id", ""):
        assert listing(f"sort={bad}").sort == "-found_on", bad


def test_descending_reverses_every_field_and_ends_on_the_key():
    class QS:
        def order_by(self, *fields):
            return fields

    assert listing("sort=-name").order(QS()) == ("-subject_name", "found_on", "-pk")
    assert listing("sort=found_on").order(QS()) == ("found_on", "pk")


def test_headings_keep_filters_drop_the_page_and_toggle_direction():
    headers = listing("status=open&q=%E5%B1%80&page=3&sort=found_on").headers
    found = QueryDict(headers["found_on"].url[1:])
    assert found["sort"] == "-found_on" and found["status"] == "open" and found["q"] == "局" and "page" not in found
    assert headers["found_on"].arrow == "▲" and headers["name"].arrow == ""
    assert QueryDict(headers["name"].url[1:])["sort"] == "name"


def test_query_string_keeps_repeated_values_and_drops_empty_ones():
    params = QueryDict("task=1&task=2&q=&page=4&status=open")
    assert QueryDict(query_string(params)).getlist("task") == ["1", "2"]
    assert "q=" not in query_string(params) and "page" not in query_string(params)


def test_search_text_is_trimmed_and_capped():
    assert listing("q=%20%20abc%20").q == "abc"
    assert len(listing("q=" + "x" * 500).q) == 100


class Dates(ListFilterForm):
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), ("open", "待整改")])
    day_from = forms.DateField(label="日期自", required=False, widget=DateInput())
    day_to = forms.DateField(label="日期至", required=False, widget=DateInput())


def test_a_bad_date_is_reported_and_the_other_filters_still_apply():
    form = Dates(QueryDict("status=open&day_from=2026-13-45"))
    assert form.filters == {"status": "open"}
    assert "日期自" in form.error_text


def test_an_end_before_the_start_is_reported():
    form = Dates(QueryDict("day_from=2026-11-25&day_to=2026-11-01"))
    assert form.filters == {"day_from": dt.date(2026, 11, 25)}
    assert "结束日期不能早于开始日期" in form.error_text


def test_the_date_a_browser_posts_is_accepted():
    assert Dates(QueryDict("day_from=2026-11-25")).filters == {"day_from": dt.date(2026, 11, 25)}
