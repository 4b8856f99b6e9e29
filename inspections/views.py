"""Pages: runs, findings (the region's, a unit's own, one finding with its rectification), countdown, error
reports and messages (the checklist page: checklist_views.py)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from rest_framework.exceptions import ValidationError as DRFValidationError

from accounts.models import Account, FilingKind, Platform
from govmedia.core.paging import BoundedPaginator
from govmedia.core.documents import XLSX_TYPE, name_download
from govmedia.core.exceptions import DomainConflict
from govmedia.core.forms import apply_errors
from govmedia.core.listing import Listing
from organisations import access
from organisations.models import OrganisationKind
from rules import definitions, thresholds
from sites.models import ColumnCategory, Site

from . import api, imports, rectification, rectification_views, selectors, services
from .documents import finding_export_xlsx
from .forms import (
    ErrorReportForm, FindingFilterForm, ImportForm, MessageForm, PolicyForm, ReplyForm, RunForm,
)
from .models import Finding, MessagePolicy


def _threshold(user, code: str, key: str):
    """A threshold in force for the user's own unit today (the national one without a unit), for a page's help text."""
    return thresholds.value(user.home_organisation, code, key, services.local_today())


def _is_supervisor(user) -> bool:
    return access.runs_inspections(user)


# ------------------------------------------------------------------------------------------------- runs


RUN_COUNT_KEYS = ("new", "rectified", "open", "overdue")  # the list's columns


@login_required
def inspection_list(request):
    user = request.user
    managed = access.managed_organisations(user)
    form = None
    if _is_supervisor(user):
        form = RunForm(request.POST or None, organisations=managed, initial={"as_of": services.local_today()})
        if request.method == "POST" and form.is_valid():
            try:
                run = services.inspection_create(as_of=form.cleaned_data["as_of"], organisation=form.cleaned_data["organisation"], user=user)
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error("organisation", str(exc))
            except DomainConflict as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"已提交检查（基准日 {run.as_of:%Y-%m-%d}），完成后本页自动显示结果。")
                return redirect("inspection-detail", pk=run.pk)
    runs = selectors.visible_inspections(user).select_related("organisation", "checklist_version", "created_by")
    page = Paginator(runs, 50).get_page(request.GET.get("page"))
    paths = access.regional_paths(user)
    for run in page.object_list:
        # Totals over a wider region than the user oversees are not theirs to read: shown as "—", not blank.
        run.shown_counts = run.counts if selectors.run_covered(run, paths) else dict.fromkeys(RUN_COUNT_KEYS)
    return render(request, "inspections/inspection_list.html", {"page": page, "form": form})


@login_required
def inspection_detail(request, pk):
    run = get_object_or_404(selectors.visible_inspections(request.user).select_related("organisation", "checklist_version"), pk=pk)
    by_rule = (
        selectors.visible_findings(request.user).filter(inspection=run).order_by().values("rule", "severity")
        .annotate(n=Count("id")).order_by("rule")
    )
    rows = [{"rule": r["rule"], "label": definitions.label(r["rule"]), "severity": r["severity"], "n": r["n"]} for r in by_rule]
    covered = selectors.run_covered(run, access.regional_paths(request.user))
    return render(request, "inspections/inspection_detail.html", {"run": run, "rows": rows, "covered": covered})


# --------------------------------------------------------------------------------------------- findings


FINDING_SORTS = {
    "found_on": ("发现日期", ("found_on",)),
    "due_on": ("整改期限", ("due_on",)),
    "organisation": ("责任单位", ("organisation__path",)),
    "subject": ("对象", ("subject_name",)),
    "status": ("状态", ("status",)),
}


def _finding_search(text: str) -> Q:
    """The search box: the subject's name, the unit, the article cited, or the rule's Chinese name."""
    rules = [code for code, rule_label in definitions.LABELS.items() if text in rule_label]
    return (Q(subject_name__icontains=text) | Q(organisation__name__icontains=text) | Q(source__icontains=text)
            | Q(rule__in=rules))


def _findings_listed(request):
    """The findings list as filtered, searched and sorted by the page's query string (the page and its export)."""
    user = request.user
    form = FindingFilterForm(request.GET, organisations=access.visible_organisations(user))
    listing = Listing(request.GET, sorts=FINDING_SORTS, default="-found_on", search=_finding_search)
    f = form.filters
    qs = selectors.filter_findings(
        selectors.visible_findings(user), as_of=services.local_today(), rule=f.get("rule"), severity=f.get("severity"),
        organisation=f.get("organisation"), status=f.get("status"), overdue={"1": True, "0": False}.get(f.get("overdue")),
        rectification_state=f.get("rectification_state"),
    )
    if f.get("found_from"):
        qs = qs.filter(found_on__gte=f["found_from"])
    if f.get("found_to"):
        qs = qs.filter(found_on__lte=f["found_to"])
    if f.get("rule") != rectification.FOLLOW_UP_RULE:  # follow-ups are shown under the finding they concern
        qs = rectification.with_follow_ups(rectification.hide_follow_ups(qs))
    return form, listing, listing.apply(qs.select_related("organisation"))


@login_required
def finding_list(request):
    form, listing, qs = _findings_listed(request)
    page = BoundedPaginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "inspections/finding_list.html", {
        "page": page, "form": form, "filter_form": form, "listing": listing, "today": services.local_today(),
    })


@login_required
def finding_export(request):
    """The findings list as it stands (same filters, search and sort) as xlsx; scoped like the list."""
    _form, _listing, qs = _findings_listed(request)
    response = HttpResponse(finding_export_xlsx(qs, today=services.local_today()), content_type=XLSX_TYPE)
    return name_download(response, f"检查问题-{services.local_today():%Y%m%d}.xlsx")


@login_required
def my_findings(request):
    """A unit's own page: what it must fix and by when, nearest due date first."""
    listing = Listing(request.GET, sorts={k: FINDING_SORTS[k] for k in ("due_on", "found_on", "subject", "organisation")},
                      default="due_on", search=_finding_search)
    qs = listing.apply(rectification.with_follow_ups(selectors.unit_findings(request.user)).select_related("organisation"))
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    return render(request, "inspections/my_findings.html", {"page": page, "listing": listing, "today": services.local_today()})


def _subject_link(finding: Finding) -> str | None:
    names = {"account": "account-detail", "site": "site-detail", "column": "column-detail", "filing": "filing-detail",
             "post": "post-detail", "error_report": "error-report-detail", "message": "message-detail",
             "finding": "finding-detail"}
    name = names.get(finding.subject_type)
    try:
        return reverse(name, args=[finding.subject_id]) if name else None
    except NoReverseMatch:
        return None


DETAIL_LABELS = {
    "site": "网站编号", "category": "栏目类别", "last_updated_on": "最近更新", "judged_from": "起算日期",
    "period": "更新周期", "stale_if_last_before": "早于此日期的更新即超期", "blank": "空白栏目", "days": "期限（天）",
    "days_without_update": "未更新天数", "last_original_on": "最近原创", "days_without_original": "无原创天数",
    "week_start": "所查周起", "week_end": "所查周止", "minimum": "每周至少更新", "platform": "平台", "max_live": "同平台最多账号数",
    "owner_kind": "主办单位类型", "opened_by_individual": "个人名义开设", "province_notice_count": "被省级通报次数",
    "limit": "限值", "password_changed_on": "最近改密日期", "after_departure_since": "人员调离日期（须立即改密）",
    "has_interaction": "提供互动功能", "due_on": "期限", "done_on": "办理日期", "days_late": "逾期天数", "kind": "事项",
    "event_date": "事项发生日期", "received_on": "收到日期", "reply_workdays": "答复时限（工作日）", "made_on": "信息形成日期",
    "account": "账号编号", "closure_notice_on": "关停公告日期", "deregistered_on": "注销日期",
    "earliest_allowed": "最早可注销日期", "workdays": "工作日数", "key_stale": "超期的要闻/公告/政策栏目",
    "any_stale": "超期栏目", "limits": "否决阈值", "broken": "触发的条件", "homepage_updated_on": "首页最近更新",
    "newest_column_update": "栏目最近更新", "homepage_is_navigation": "首页仅为导航页", "probes": "探测次数",
    "failed": "失败或超时次数", "failure_share": "失败比例", "window_days": "统计天数", "from": "自", "to": "至",
    "has_consultation_channel": "设有咨询留言渠道", "message_unanswered_over_limit": "有效留言超 3 个月未答复",
    "months": "月数", "lookback_months": "回溯月数", "finding": "原问题编号", "rule": "原问题规则", "found_on": "发现日期",
    "days_overdue": "逾期天数", "checklist_version": "指标版本编号", "rectify_days": "整改期限（天）",
    "recorded_on": "记录日期",
    # Site scanning's evidence (scanning/services.py, scanning/checks.py).
    "url": "页面或附件", "excerpt": "摘录", "match": "命中文字", "page_hash": "页面内容哈希（SHA-256）",
    "page": "页面记录编号", "scan": "扫描编号", "link": "链接地址", "reason": "原因", "offset": "位置", "count": "出现次数",
    "list": "词表", "word": "词", "suggestion": "建议改为", "label": "类别", "text": "链接文字", "final_url": "最终地址",
    "status": "状态码", "chain": "跳转过程", "error": "错误", "domain": "原域名", "final_domain": "跳转后域名",
    "words": "命中词", "mark": "缺少的标识", "host": "主机", "port": "端口", "not_before": "证书生效",
    "not_after": "证书到期", "issuer": "签发者", "subject": "证书主体", "untrusted": "不受信任的原因",
}


# Codes stored in a finding's evidence, as a reader says them: rule codes, column categories, platforms,
# filing kinds and unit kinds (their labels are defined with their models and rules; nothing is restated).
CODE_LABELS = {
    **{code: rule.label for code, rule in definitions.RULES.items()},
    **dict(ColumnCategory.choices), **dict(Platform.choices), **dict(FilingKind.choices),
    **dict(OrganisationKind.choices),
}


def _detail_value(value):
    if value is None:
        return "—"
    if isinstance(value, str) and value in CODE_LABELS:
        return CODE_LABELS[value]
    if value is True or value is False:
        return "是" if value else "否"
    if isinstance(value, dict) and set(value) <= {"days", "months"}:
        return f"{value['months']} 个月" if "months" in value else f"{value['days']} 天"
    if isinstance(value, dict):
        return "；".join(f"{DETAIL_LABELS.get(k, k)} {_detail_value(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "、".join(DETAIL_LABELS.get(v) or CODE_LABELS.get(v, v) if isinstance(v, str) else str(_detail_value(v))
                        for v in value)
    return value


@login_required
def finding_detail(request, pk):
    finding = selectors.get_finding_for(request.user, pk)
    # The unit's answer and the supervisors' decision on it (rectification_views.py).
    panel = rectification_views.finding_panel(request, finding)
    if not isinstance(panel, dict):
        return panel
    detail_rows = [(DETAIL_LABELS.get(key, key), _detail_value(value)) for key, value in finding.detail.items()]
    return render(request, "inspections/finding_detail.html", {
        "finding": finding, "detail_rows": detail_rows, "subject_url": _subject_link(finding), **panel,
    })


# -------------------------------------------------------------------------------------------- countdown


@login_required
def countdown_page(request):
    user = request.user
    kind = request.GET.get("kind") if request.GET.get("kind") in ("column", "account") else "account"
    try:
        within = int(request.GET.get("within", "7"))
    except ValueError:
        within = 7
    organisation = request.GET.get("organisation") or None
    organisations = access.visible_organisations(user)
    error = None
    try:
        qs = api.countdown_queryset(user, kind=kind, organisation=int(organisation) if organisation else None, within=within)
    except (ValueError, DRFValidationError):  # a bad or foreign organisation id: show everything, and say so
        error = "所选单位不存在或不在您的查看范围内。"
        organisation = None
        qs = api.countdown_queryset(user, kind=kind, within=within)
    page = BoundedPaginator(qs, 100).get_page(request.GET.get("page"))
    rows = [api._countdown_row(kind, obj) for obj in page.object_list]
    for row in rows:
        if "category" in row:
            row["category_label"] = CODE_LABELS.get(row["category"], row["category"])
    return render(request, "inspections/countdown.html", {
        "page": page, "rows": rows, "kind": kind, "within": within, "organisations": organisations[:500],
        "organisation": organisation, "error": error,
    })


# ------------------------------------------------------------------------------ error reports and messages


def _targets(user):
    sites = Site.objects.for_user(user).order_by("name")
    accounts = Account.objects.for_user(user).filter(status__in=["applying", "running", "closing"]).order_by("name")
    return sites, accounts


@login_required
def error_report_list(request):
    user = request.user
    sites, _accounts = _targets(user)
    form = ErrorReportForm(request.POST if "new-site" in request.POST else None, sites=sites, prefix="new")
    import_form = ImportForm(request.POST or None, request.FILES or None, prefix="csv") if "csv-file" in request.FILES else ImportForm(prefix="csv")
    if request.method == "POST":
        if "csv-file" in request.FILES and import_form.is_valid():
            result = imports.import_error_reports(user=user, file=import_form.cleaned_data["file"])
            _import_messages(request, result)
            return redirect("error-report-list")
        if "new-site" in request.POST and form.is_valid():
            data = form.cleaned_data
            if not access.can_act_for_unit(user, data["site"].owner):
                form.add_error("site", "您不能为该网站登记找错。")
            else:
                try:
                    services.error_report_create(**data)
                except ValidationError as exc:
                    apply_errors(form, exc)
                else:
                    messages.success(request, "找错已登记。")
                    return redirect("error-report-list")
    qs = _replies_filtered(request, selectors.visible_error_reports(user).select_related("site"))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "inspections/error_report_list.html", {
        "page": page, "form": form, "import_form": import_form, "today": services.local_today(),
        "headings": imports.ERROR_REPORT_HEADINGS, "reply_workdays": _threshold(user, "error_report_late", "workdays"),
    })


def _replies_filtered(request, qs):
    # ?open=1 待答复, ?overdue=1 逾期未答复: the 工作台 counts these very queries (govmedia/workbench.py).
    return selectors.filter_replies(qs, open=request.GET.get("open") == "1", overdue=request.GET.get("overdue") == "1",
                                    as_of=services.local_today())


def _import_messages(request, result):
    if result["errors"]:
        messages.error(request, "导入未完成，请改正后重新导入：" + "；".join(
            f"第 {e['line']} 行 {imports.FIELD_HEADINGS.get(e['field'], e['field'])}：{e['error']}"
            for e in result["errors"][:20]))
    else:
        messages.success(request, f"已导入 {result['created']} 条，跳过已登记的 {result['skipped']} 条。")


def _reply_page(request, obj, owner, service, template, back, subject_type):
    form = ReplyForm(request.POST or None)
    can = access.can_act_for_unit(request.user, owner) and obj.replied_at is None
    if request.method == "POST":
        if not can:
            raise PermissionDenied("您不能答复。")
        if form.is_valid():
            try:
                service(obj, user=request.user, reply=form.cleaned_data["reply"])
            except ValidationError as exc:
                apply_errors(form, exc)
            except DomainConflict as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "已答复。")
                return redirect(back, pk=obj.pk)
    findings = selectors.visible_findings(request.user).filter(subject_type=subject_type, subject_id=obj.pk)
    return render(request, template, {"obj": obj, "form": form if can else None, "late": services.is_late(obj),
                                      "findings": findings})


@login_required
def error_report_detail(request, pk):
    report = get_object_or_404(selectors.visible_error_reports(request.user).select_related("site"), pk=pk)
    return _reply_page(request, report, report.site.owner,
                       lambda o, **kw: services.error_report_reply(report=o, **kw),
                       "inspections/error_report_detail.html", "error-report-detail", "error_report")


@login_required
def message_list(request):
    user = request.user
    sites, accounts = _targets(user)
    form = MessageForm(request.POST if "new-content" in request.POST else None, sites=sites, accounts=accounts, prefix="new")
    import_form = ImportForm(request.POST or None, request.FILES or None, prefix="csv") if "csv-file" in request.FILES else ImportForm(prefix="csv")
    policy_orgs = access.directed_organisations(user)
    policy_form = PolicyForm(request.POST if "policy-organisation" in request.POST else None, organisations=policy_orgs, prefix="policy")
    if request.method == "POST":
        if "csv-file" in request.FILES and import_form.is_valid():
            _import_messages(request, imports.import_messages(user=user, file=import_form.cleaned_data["file"]))
            return redirect("message-list")
        if "policy-organisation" in request.POST and policy_form.is_valid():
            try:
                services.message_policy_set(user=user, **policy_form.cleaned_data)
            except PermissionDenied as exc:
                policy_form.add_error("organisation", str(exc))
            else:
                messages.success(request, "留言答复时限已保存（对此后收到的留言生效）。")
                return redirect("message-list")
        if "new-content" in request.POST and form.is_valid():
            data = form.cleaned_data
            target = data["site"] or data["account"]
            if not access.can_act_for_unit(user, target.owner):
                form.add_error(None, "您不能为该网站或账号登记留言。")
            else:
                try:
                    services.message_create(**data)
                except ValidationError as exc:
                    apply_errors(form, exc)
                else:
                    messages.success(request, "留言已登记。")
                    return redirect("message-list")
    qs = _replies_filtered(request, selectors.visible_messages(user).select_related("site", "account"))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    policies = MessagePolicy.objects.filter(organisation__in=access.organisation_ids_for(user)).select_related("organisation")
    return render(request, "inspections/message_list.html", {
        "page": page, "form": form, "import_form": import_form, "policy_form": policy_form if policy_orgs.exists() else None,
        "policies": policies, "today": services.local_today(), "headings": imports.MESSAGE_HEADINGS,
        "default_reply_workdays": _threshold(user, "message_late", "default_workdays"),
    })


@login_required
def message_detail(request, pk):
    message = get_object_or_404(selectors.visible_messages(request.user).select_related("site", "account"), pk=pk)
    return _reply_page(request, message, message.owner,
                       lambda o, **kw: services.message_reply(message=o, **kw),
                       "inspections/message_detail.html", "message-detail", "message")
