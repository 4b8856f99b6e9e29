"""Pages for websites, their column trees, update records, imports and monitoring."""
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from govmedia.core.documents import name_download
from govmedia.core.exceptions import DomainConflict
from govmedia.core.forms import apply_errors
from govmedia.core.paging import BoundedPaginator
from organisations import access

from . import services
from .forms import ColumnForm, ColumnImportForm, ColumnUpdateForm, SiteForm
from .importing import ImportRefused, import_columns
from .models import ColumnCategory, Probe, Site, SiteStatus, UpdateSource
from .selectors import column_tree, get_column_for, get_site_for, site_availability


def _owners(user):
    """Units whose sites `user` may register: those they supervise, and those whose principal they are."""
    return access.directed_organisations(user).order_by("path")


def _saved(form, write):
    """Run a page form's service call (`write`) in one transaction: what it returns, or None when it refused the
    input, whose ValidationError then shows on the form."""
    try:
        with transaction.atomic():
            return write()
    except ValidationError as exc:
        apply_errors(form, exc)
        return None


def _site_form(user, data=None, instance=None):
    return SiteForm(
        data, instance=instance, owners=_owners(user),
        operators=access.visible_organisations(user).order_by("path"),
        supervisors=access.supervising_organisations(user).order_by("path"),
    )


@login_required
def site_list(request):
    user = request.user
    sites = Site.objects.for_user(user).select_related("owner").annotate(
        column_count=Count("columns", distinct=True),
        blank_count=Count("columns", filter=Q(columns__last_updated_on__isnull=True), distinct=True),
        open_broken=Count("broken_links", filter=Q(broken_links__fixed_at__isnull=True), distinct=True),
    ).order_by("name", "id")
    query = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if query:
        sites = sites.filter(Q(name__icontains=query) | Q(url__icontains=query) | Q(owner__name__icontains=query))
    if status in SiteStatus.values:
        sites = sites.filter(status=status)
    page = Paginator(sites, 50).get_page(request.GET.get("page"))
    availability = site_availability(Site.objects.filter(pk__in=[s.pk for s in page.object_list]))
    for site in page.object_list:
        site.availability = availability.get(site.pk)
    return render(request, "sites/site_list.html", {
        "page": page, "query": query, "status": status, "statuses": SiteStatus.choices,
        "can_create": _owners(user).exists(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def site_create(request):
    if not _owners(request.user).exists():
        raise PermissionDenied("只有单位主要负责人或主管单位可以登记网站。")
    form = _site_form(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        site = _saved(form, lambda: services.site_create(**form.cleaned_data))
        if site is not None:
            messages.success(request, f"已登记网站“{site.name}”。")
            return redirect("site-detail", pk=site.pk)
    return render(request, "sites/site_form.html", {"form": form, "site": None},
                  status=400 if form.is_bound and form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def site_edit(request, pk):
    site = get_site_for(request.user, pk)
    if not access.can_manage_site(request.user, site):
        raise PermissionDenied("您没有管理该网站的权限。")
    form = _site_form(request.user, request.POST or None, instance=site)
    if request.method == "POST" and form.is_valid():
        saved = _saved(form, lambda: services.site_update(site=get_site_for(request.user, pk), **form.cleaned_data))
        if saved is not None:
            messages.success(request, "网站信息已保存。")
            return redirect("site-detail", pk=site.pk)
    return render(request, "sites/site_form.html", {"form": form, "site": site},
                  status=400 if form.is_bound and form.errors else 200)


@login_required
def site_detail(request, pk):
    site = get_site_for(request.user, pk)
    columns = column_tree(site)
    counts = {value: 0 for value in ColumnCategory.values}
    today = timezone.localdate()
    for column in columns:
        counts[column.category] = counts.get(column.category, 0) + 1
        column.days_since = (today - column.last_updated_on).days if column.last_updated_on else None
    availability = site_availability(Site.objects.filter(pk=site.pk)).get(site.pk)
    return render(request, "sites/site_detail.html", {
        "site": site, "columns": columns, "can_manage": access.can_manage_site(request.user, site),
        "availability": availability,
        "category_counts": [(value, label, counts[value]) for value, label in ColumnCategory.choices],
        "blank_count": sum(1 for c in columns if c.last_updated_on is None),
        "open_broken": site.broken_links.filter(fixed_at__isnull=True).count(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def site_monitoring(request, pk):
    site = get_site_for(request.user, pk)
    can_manage = access.can_manage_site(request.user, site)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("您没有管理该网站的权限。")
        from .tasks import check_site_links

        site_id = site.pk
        transaction.on_commit(lambda: check_site_links.delay(site_id), robust=True)  # the nightly check covers a lost send
        messages.success(request, "已加入错链检测队列，稍后刷新本页查看结果。")
        return redirect("site-monitoring", pk=site.pk)
    availability = site_availability(Site.objects.filter(pk=site.pk)).get(site.pk)
    show_fixed = request.GET.get("fixed") == "1"
    links = site.broken_links.order_by("-last_seen_at", "-id")
    links = links.filter(fixed_at__isnull=False) if show_fixed else links.filter(fixed_at__isnull=True)
    return render(request, "sites/site_monitoring.html", {
        "site": site, "can_manage": can_manage, "availability": availability,
        "probes": Probe.objects.filter(site=site).order_by("-checked_at")[:96],
        "links": Paginator(links, 100).get_page(request.GET.get("page")), "show_fixed": show_fixed,
        "checks": site.link_checks.all()[:10],
    })


def _units_for_columns(user):
    return access.visible_organisations(user).order_by("path")


def _managed_site(request, pk) -> Site:
    site = get_site_for(request.user, pk)
    if not access.can_manage_site(request.user, site):
        raise PermissionDenied("只有网站主办单位的主要负责人或其主管单位可以维护栏目。")
    return site


@login_required
@require_http_methods(["GET", "POST"])
def column_create(request, pk):
    site = _managed_site(request, pk)
    initial = {"parent": request.GET.get("parent")} if request.GET.get("parent") else None
    form = ColumnForm(request.POST or None, initial=initial, site=site, units=_units_for_columns(request.user))
    if request.method == "POST" and form.is_valid():
        column = _saved(form, lambda: services.column_create(site=site, **form.cleaned_data))
        if column is not None:
            messages.success(request, f"已添加栏目“{column.name}”。")
            if "add_another" in request.POST:
                return redirect("column-create", pk=site.pk)
            return redirect("site-detail", pk=site.pk)
    return render(request, "sites/column_form.html", {"form": form, "site": site, "column": None},
                  status=400 if form.is_bound and form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def column_edit(request, pk):
    column = get_column_for(request.user, pk)
    site = _managed_site(request, column.site_id)
    form = ColumnForm(request.POST or None, instance=column, site=site, units=_units_for_columns(request.user))
    if request.method == "POST" and "delete" in request.POST:
        try:
            with transaction.atomic():
                services.column_delete(column=column)
        except DomainConflict as exc:
            messages.error(request, exc.message)
            return redirect("column-edit", pk=column.pk)
        messages.success(request, f"已删除栏目“{column.name}”。")
        return redirect("site-detail", pk=site.pk)
    if request.method == "POST" and form.is_valid():
        saved = _saved(form, lambda: services.column_update(column=get_column_for(request.user, pk),
                                                            **form.cleaned_data))
        if saved is not None:
            messages.success(request, "栏目已保存。")
            return redirect("column-detail", pk=column.pk)
    return render(request, "sites/column_form.html", {"form": form, "site": site, "column": column},
                  status=400 if form.is_bound and form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def column_detail(request, pk):
    column = get_column_for(request.user, pk)
    can_record = access.can_record_update(request.user, column)
    form = ColumnUpdateForm(request.POST or None) if can_record else None
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied("只有网站主办、承办单位或栏目内容保障单位的工作人员可以登记更新。")
        if form.is_valid() and _saved(
            form, lambda: services.column_record_update(column=column, source=UpdateSource.MANUAL, **form.cleaned_data)
        ) is not None:
            messages.success(request, "更新记录已登记。")
            return redirect("column-detail", pk=column.pk)
    updates = BoundedPaginator(column.updates.order_by("-published_at", "-id"), 50).get_page(request.GET.get("page"))
    return render(request, "sites/column_detail.html", {
        "column": column, "site": column.site, "form": form, "updates": updates,
        "can_manage": access.can_manage_site(request.user, column.site),
        "path": _column_path(column),
    }, status=400 if form is not None and form.is_bound and form.errors else 200)


def _column_path(column) -> list:
    path, node, guard = [], column.parent, 0
    while node is not None and guard < 20:
        path.append(node)
        node, guard = node.parent, guard + 1
    return list(reversed(path))


@login_required
@require_http_methods(["GET", "POST"])
def column_import(request, pk):
    site = _managed_site(request, pk)
    form = ColumnImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                created = import_columns(site=site, user=request.user, upload=form.cleaned_data["file"])
        except ImportRefused as exc:
            report = exc.errors
            status = 400
        else:
            messages.success(request, f"已导入 {len(created)} 个栏目。")
            return redirect("site-detail", pk=site.pk)
    elif form.is_bound:
        status = 400
    return render(request, "sites/column_import.html", {
        "site": site, "form": form, "report": report, "categories": ColumnCategory.choices,
    }, status=status)


@login_required
def column_import_template(request, pk):
    site = get_site_for(request.user, pk)
    header = ["栏目名称", "上级栏目", "更新类别", "内容保障单位", "栏目地址", "RSS地址", "开设日期"]
    sample = ["政务动态", "", "动态要闻", site.owner.name, "", "", dt.date(2024, 10, 8).isoformat()]
    body = "\ufeff" + ",".join(header) + "\r\n" + ",".join(sample) + "\r\n"
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    return name_download(response, "栏目导入模板.csv")
