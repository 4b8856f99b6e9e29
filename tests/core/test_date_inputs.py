"""Date pickers show and post back ISO dates (issue 11, data loss).

A browser's <input type=date> accepts only "2024-10-08" as its value; Django would write the locale's first input
format (zh-hans: "2024/10/08"), which the browser shows as empty and posts back empty, so an unchanged save wiped
the date. Every date and datetime-local input comes from govmedia.core.forms, which always writes ISO.
"""
import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from accounts.forms import FactsForm, FilingFieldsForm, RegistrationForm, UpdateRecordForm
from accounts.models import Filing, FilingKind, FilingStatus
from govmedia.core.forms import DateInput, DateTimeInput
from inspections import forms as inspection_forms
from organisations.calendar import CalendarDayForm
from publishing.forms import CoProducerForm, PostForm
from review.forms import RegisterFilterForm
from sites import forms as site_forms
from tests.accounts.builders import running_account

pytestmark = pytest.mark.django_db

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_LOCAL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")


class _Inputs(HTMLParser):
    """The fields of the first form with method=post on a page, as a browser would post them."""

    def __init__(self):
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.dates: dict[str, str] = {}
        self._select = None
        self._option = None
        self._selected = None
        self._textarea = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            value = a.get("value", "on" if kind in ("checkbox", "radio") else "")
            if kind in ("date", "datetime-local"):
                self.dates[name] = value
            self.fields.append((name, value))
        elif tag == "select" and name:
            self._select, self._selected, self._option = name, None, None
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._option is None:
                self._option = value
            if "selected" in a:
                self._selected = value
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            self.fields.append((self._select, self._selected if self._selected is not None else (self._option or "")))
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, self._text.lstrip("\n")))
            self._textarea = None


def parse(html: str) -> _Inputs:
    parser = _Inputs()
    parser.feed(html)
    return parser


def as_post(fields) -> dict:
    data: dict[str, list[str]] = {}
    for name, value in fields:
        if name != "csrfmiddlewaretoken":
            data.setdefault(name, []).append(value)
    return data


def test_every_date_input_of_the_page_forms_writes_iso():
    """Each page form's date and datetime-local widget is the core one and renders an ISO value."""
    day, moment = dt.date(2026, 11, 25), timezone.make_aware(dt.datetime(2026, 11, 25, 9, 30))
    widgets = [
        RegistrationForm.base_fields["registered_on"].widget, RegistrationForm.base_fields["operation_started_on"].widget,
        FilingFieldsForm.base_fields["event_date"].widget, FactsForm.base_fields["password_changed_on"].widget,
        UpdateRecordForm.base_fields["published_at"].widget,
        site_forms.SiteForm.base_fields["launched_on"].widget, site_forms.ColumnForm.base_fields["opened_on"].widget,
        PostForm.base_fields["made_on"].widget, PostForm.base_fields["publish_at"].widget,
        CoProducerForm.base_fields["consent_on"].widget,
        RegisterFilterForm.base_fields["start"].widget, RegisterFilterForm.base_fields["end"].widget,
        inspection_forms.RunForm.base_fields["as_of"].widget, CalendarDayForm.base_fields["date"].widget,
        inspection_forms.ErrorReportForm.base_fields["received_at"].widget,
        inspection_forms.MessageForm.base_fields["received_at"].widget,
        site_forms.ColumnUpdateForm.base_fields["published_at"].widget,
    ]
    for widget in widgets:
        assert isinstance(widget, (DateInput, DateTimeInput)), widget
        if isinstance(widget, DateTimeInput):
            html = widget.render("x", moment)
            assert 'type="datetime-local"' in html and 'value="2026-11-25T09:30"' in html, html
        else:
            html = widget.render("x", day)
            assert 'type="date"' in html and 'value="2026-11-25"' in html, html


def test_filing_draft_shows_iso_dates_and_an_unchanged_save_keeps_them(client, region):
    from tests.accounts.test_pages import form_post

    client.force_login(region.member)
    response = client.post("/filings/new/", form_post(region, registered_on="2024-10-08",
                                                      operation_started_on="2024-10-09", action="save"))
    assert response.status_code == 302
    filing = Filing.objects.get()
    before = dict(filing.form)
    assert before["registered_on"] == "2024-10-08" and before["operation_started_on"] == "2024-10-09"

    page = client.get(f"/filings/{filing.pk}/edit/").content.decode()
    inputs = parse(page)
    assert 'value="2024-10-08"' in page and 'value="2024-10-09"' in page
    assert inputs.dates["registered_on"] == "2024-10-08"
    assert inputs.dates["operation_started_on"] == "2024-10-09"
    assert inputs.dates["event_date"] == "2024-09-27"
    assert "2024/10/08" not in page

    # Post the page back as a browser would, unchanged: nothing is lost.
    data = as_post(inputs.fields)
    data["action"] = ["save"]
    response = client.post(f"/filings/{filing.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    filing.refresh_from_db()
    assert filing.status == FilingStatus.DRAFT
    assert filing.form["registered_on"] == "2024-10-08"
    assert filing.form["operation_started_on"] == "2024-10-09"
    assert filing.event_date == dt.date(2024, 9, 27)
    assert filing.form == before


def test_close_filing_form_shows_its_date_in_iso(client, region):
    account = running_account(region)
    client.force_login(region.member)
    response = client.post(f"/accounts/{account.pk}/filings/new/", {"kind": FilingKind.CLOSE})
    assert response.status_code == 302
    filing = Filing.objects.get(account=account)
    filing.event_date = dt.date(2026, 11, 25)
    filing.save(update_fields=["event_date"])
    page = client.get(f"/filings/{filing.pk}/edit/").content.decode()
    assert parse(page).dates["event_date"] == "2026-11-25"
    assert "2026/11/25" not in page


def test_inspections_run_form_shows_the_day_in_iso(client, region):
    client.force_login(region.supervisor)
    page = client.get("/inspections/").content.decode()
    as_of = parse(page).dates["as_of"]
    assert ISO_DATE.match(as_of), as_of


def test_register_filters_show_iso_dates(client, region):
    client.force_login(region.supervisor)
    dates = parse(client.get("/register/").content.decode()).dates
    assert ISO_DATE.match(dates["start"]) and ISO_DATE.match(dates["end"]), dates
    dates = parse(client.get("/register/?start=2025-01-01&end=2025-02-10").content.decode()).dates
    assert dates == {"start": "2025-01-01", "end": "2025-02-10"}


def test_datetime_local_renders_in_local_time():
    moment = dt.datetime(2026, 11, 25, 1, 30, tzinfo=dt.UTC)  # 09:30 in Shanghai
    form = UpdateRecordForm(initial={"published_at": moment})
    value = re.search(r'name="published_at" value="([^"]*)"', str(form["published_at"])).group(1)
    assert ISO_LOCAL.match(value) and value == "2026-11-25T09:30"


def test_no_page_form_uses_a_date_widget_other_than_the_core_ones():
    """A guard for forms added later: every date or date-time field of a project form uses the ISO widgets."""
    import importlib

    from django import forms as django_forms

    for module in ("accounts.forms", "sites.forms", "publishing.forms", "review.forms", "inspections.forms",
                   "organisations.calendar", "organisations.forms", "organisations.service_accounts",
                   "webhooks.forms", "reports.selfcheck"):
        importlib.import_module(module)
    apps = ("accounts", "sites", "publishing", "review", "inspections", "organisations", "webhooks", "reports",
            "notifications", "rules", "govmedia")
    seen, todo, checked = set(), [django_forms.BaseForm], 0
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    for cls in seen:
        if not cls.__module__.split(".")[0] in apps:
            continue
        for name, field in getattr(cls, "base_fields", {}).items():
            if isinstance(field, django_forms.DateTimeField):
                assert isinstance(field.widget, DateTimeInput), f"{cls.__module__}.{cls.__name__}.{name}"
                checked += 1
            elif isinstance(field, django_forms.DateField):
                assert isinstance(field.widget, DateInput), f"{cls.__module__}.{cls.__name__}.{name}"
                checked += 1
    assert checked >= 15
