"""The project's URLs plus `loadtest/floor/<list>/?user=ID`: the first page of an API list as plain SQL — the
statements the list's own queryset compiles to, for the same user, filters and order, run on a cursor and
written out as JSON with no ORM, serializer, authentication or count. What the API list may be compared with."""
import json

from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.test import RequestFactory
from django.urls import path
from rest_framework.request import Request

from accounts.api import AccountViewSet
from govmedia.urls import urlpatterns as project_urlpatterns
from inspections.api import FindingViewSet
from organisations.models import User
from reports.dashboard import dashboard_context
from reports.selectors import default_region
from sites.api import ColumnViewSet

PAGE = 50
VIEWSETS = {"accounts": AccountViewSet, "columns": ColumnViewSet, "findings": FindingViewSet}
# Rows an account shows beside its own (the list prefetches them): current team, menus.
ACCOUNT_EXTRAS = {
    "team": "SELECT account_id, name, unit_title, office_phone, mobile FROM accounts_accountteammember "
            "WHERE account_id IN ({ids}) AND left_on IS NULL ORDER BY account_id, position",
    "menus": "SELECT account_id, id, parent_id, name, note FROM accounts_accountmenu "
             "WHERE account_id IN ({ids}) ORDER BY account_id, position",
}
_statements: dict[tuple[str, int], tuple[str, tuple]] = {}


def _statement(name: str, user_id: int) -> tuple[str, tuple]:
    """The SQL of the list's first page, compiled once from the viewset's own queryset (scope, countdown, order)."""
    key = (name, user_id)
    if key not in _statements:
        user = User.objects.get(pk=user_id)
        django_request = RequestFactory().get(f"/api/v1/{name}/")
        django_request.user = user
        request = Request(django_request)
        request.user = user
        view = VIEWSETS[name](request=request, action="list", format_kwarg=None, args=(), kwargs={})
        queryset = view.filter_queryset(view.get_queryset())[:PAGE]
        _statements[key] = queryset.query.sql_with_params()
    return _statements[key]


def floor(request, name):
    if name not in VIEWSETS or not request.GET.get("user", "").isdigit():
        raise Http404
    sql, params = _statement(name, int(request.GET["user"]))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [c[0] for c in cursor.description]
        # A joined table's columns repeat names ("id", "name"): the row's own, selected first, win.
        rows = [dict(reversed(list(zip(columns, row)))) for row in cursor.fetchall()]
        if name == "accounts" and rows:
            ids = ",".join(str(int(row["id"])) for row in rows)
            for field, statement in ACCOUNT_EXTRAS.items():
                cursor.execute(statement.format(ids=ids))
                extra: dict[int, list] = {}
                for values in cursor.fetchall():
                    extra.setdefault(values[0], []).append(values[1:])
                for row in rows:
                    row[field] = extra.get(row["id"], [])
    body = json.dumps({"results": rows}, cls=DjangoJSONEncoder, ensure_ascii=False)
    return HttpResponse(body, content_type="application/json")


@login_required
def dashboard(request):
    """The supervisor's region dashboard alone (the home page adds the 工作台 around it)."""
    region = default_region(request.user)
    return render(request, "reports/_dashboard.html", dashboard_context(request.user, region))


urlpatterns = [path("loadtest/floor/<str:name>/", floor), path("loadtest/dashboard/", dashboard), *project_urlpatterns]
handler404 = "govmedia.views.not_found"
