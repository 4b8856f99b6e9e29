"""Pages of the account register and the 备案 workflow."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from govmedia.core.paging import BoundedPaginator
from govmedia.core.audit import describe, entries_for_object
from govmedia.core.documents import XLSX_TYPE, name_download
from govmedia.core.exceptions import DomainConflict
from govmedia.core.forms import DateInput
from govmedia.core.listing import Listing, ListFilterForm
from govmedia.core.models import AuditEntry
from accounts.services import account_add_update
from rules.countdown import accounts_with_countdown

from accounts import documents, filing_services, imports, services
from accounts import filings as form_rules
from accounts.models import Account, AccountStatus, Filing, FilingKind, FilingStatus, Platform
from accounts.forms import (
    DecisionForm,
    ExemptionForm,
    FactsForm,
    FilingFieldsForm,
    ImportForm,
    ReferencesForm,
    RegistrationForm,
    UpdateRecordForm,
)
from accounts.selectors import accounts_for, counts_by, filter_accounts, reference_date, register_queryset
from organisations import access


def _error_text(exc) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return getattr(exc, "message", str(exc))


def _get_account(user, pk) -> Account:
    return get_object_or_404(accounts_for(user), pk=pk)


def _get_filing(user, pk) -> Filing:
    return get_object_or_404(Filing.objects.for_user(user).select_related("account", "account__owner", "created_by"), pk=pk)


def _filtered_accounts(request):
    return filter_accounts(request.user, request.GET, today=timezone.localdate())


ACCOUNT_SORTS = {
    "owner": ("主办单位", ("owner__path", "platform", "name")),
    "name": ("账号名称", ("name",)),
    "platform": ("平台", ("platform", "name")),
    "status": ("状态", ("status", "name")),
    "last_updated_on": ("最近更新", ("last_updated_on",)),
    "days_left": ("距更新时限", ("days_left",)),
}


class AccountFilterForm(ListFilterForm):
    """Only to tell a bad value of the typed filter; `filter_accounts` reads the query itself (the export
    and the dashboard's tiles share it)."""

    days = forms.IntegerField(label="未更新至少（天）", required=False, min_value=0, max_value=100000)


@login_required
def account_list(request):
    accounts = _filtered_accounts(request)
    by_platform = counts_by(accounts, "platform")
    by_status = counts_by(accounts, "status")
    today = timezone.localdate()
    accounts = accounts_with_countdown(accounts, today=today)
    # The search box is filter_accounts' `q`, so the export lists the same rows.
    listing = Listing(request.GET, sorts=ACCOUNT_SORTS, default="owner")
    page = BoundedPaginator(listing.order(accounts), 50).get_page(request.GET.get("page"))
    for account in page.object_list:
        account.days_since_update = (today - reference_date(account)).days
    owners = access.visible_organisations(request.user).filter(accounts__isnull=False).distinct().order_by("path")
    return render(request, "accounts/account_list.html", {
        "page": page,
        "platform_counts": [(label, by_platform.get(value, 0), value) for value, label in Platform.choices],
        "status_counts": [(label, by_status.get(value, 0), value) for value, label in AccountStatus.choices],
        "platforms": Platform.choices, "statuses": AccountStatus.choices, "owners": owners,
        "params": request.GET, "total": sum(by_status.values()),
        "pending_count": filing_services.actionable_filings(request.user).count(),
        "today": today, "listing": listing, "filter_form": AccountFilterForm(request.GET),
    })


@login_required
def account_register_xlsx(request):
    response = HttpResponse(documents.register_xlsx(register_queryset(_filtered_accounts(request))),
                            content_type=XLSX_TYPE)
    return name_download(response, f"政务新媒体账号台账-{timezone.localdate():%Y%m%d}.xlsx")


def _history(account):
    filing_ids = [str(pk) for pk in account.filings.values_list("pk", flat=True)]
    own = entries_for_object(account)
    filings = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Filing), object_pk__in=filing_ids
    ).select_related("actor")
    return describe((own | filings).select_related("actor", "content_type").order_by("-timestamp")[:50])


@login_required
def account_detail(request, pk):
    user = request.user
    account = _get_account(user, pk)
    can_file = access.can_file(user, account)
    supervises = user.supervises(account.owner)
    filings = account.filings.select_related("created_by").order_by("-created_at", "-pk")
    context = {
        "account": account, "can_file": can_file, "supervises": supervises, "filings": filings,
        "menu_rows": form_rules.rows_from_menus(form_rules.menu_tree(account)),
        "team": account.team.order_by("left_on", "position", "pk"),
        "updates": account.updates.order_by("-published_at", "-pk")[:20],
        "history": _history(account),
        "days_since_update": (timezone.localdate() - reference_date(account)).days,
        "open_filing": account.filings.filter(status__in=(FilingStatus.DRAFT, FilingStatus.PENDING)).first(),
        "filing_kinds": [(k, label) for k, label in FilingKind.choices if k != FilingKind.OPEN],
    }
    if can_file:
        context["update_form"] = UpdateRecordForm(prefix="update")
        context["import_form"] = ImportForm(prefix="import")
        context["facts_form"] = FactsForm(prefix="facts", initial={
            "password_changed_on": account.password_changed_on, "followers": account.followers,
            "feed_url": account.feed_url, "has_interaction": account.has_interaction,
        })
    if supervises:
        context["exemption_form"] = ExemptionForm(prefix="exempt", initial={"reason": account.exemption_reason})
    return render(request, "accounts/account_detail.html", context)


@login_required
@require_POST
def account_add_update_page(request, pk):
    account = _get_account(request.user, pk)
    if not access.can_file(request.user, account):
        raise PermissionDenied("您不是该账号主办或承办单位的工作人员。")
    form = UpdateRecordForm(request.POST, prefix="update")
    if form.is_valid():
        account_add_update(account=account, source="manual", **form.cleaned_data)
        messages.success(request, "已登记一条更新记录。")
    else:
        messages.error(request, "更新记录未登记：" + "；".join(f"{form.fields[k].label}：{'；'.join(v)}" for k, v in form.errors.items()))
    return redirect("account-detail", pk=account.pk)


@login_required
def account_import_updates(request, pk):
    account = _get_account(request.user, pk)
    if not access.can_file(request.user, account):
        raise PermissionDenied("您不是该账号主办或承办单位的工作人员。")
    form = ImportForm(request.POST or None, request.FILES or None, prefix="import")
    report = None
    if request.method == "POST" and form.is_valid():
        report = imports.import_account_updates(account=account, upload=form.cleaned_data["file"])
        if report.ok:
            messages.success(request, f"已导入 {report.created} 条更新记录（重复 {report.duplicates} 条未重复登记）。")
            return redirect("account-detail", pk=account.pk)
    return render(request, "accounts/account_import.html", {"account": account, "form": form, "report": report},
                  status=400 if report and not report.ok else 200)


@login_required
@require_POST
def account_facts(request, pk):
    account = _get_account(request.user, pk)
    form = FactsForm(request.POST, prefix="facts")
    if form.is_valid():
        try:
            services.account_update_facts(account=account, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, "账号运行信息已保存。")
    else:
        messages.error(request, "未保存：" + "；".join(e for errs in form.errors.values() for e in errs))
    return redirect("account-detail", pk=account.pk)


@login_required
@require_POST
def account_exemption(request, pk):
    account = _get_account(request.user, pk)
    form = ExemptionForm(request.POST, prefix="exempt")
    if form.is_valid():
        try:
            services.account_record_exemption(account=account, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, "豁免理由已登记。" if form.cleaned_data["reason"] else "豁免已撤销。")
    return redirect("account-detail", pk=account.pk)


@login_required
def account_form_print(request, pk):
    account = _get_account(request.user, pk)
    return render(request, "accounts/account_form_print.html", documents.form_context(account))


@login_required
def account_form_pdf(request, pk):
    return documents.pdf_response(_get_account(request.user, pk))


# --- The filing form ------------------------------------------------------------------------------------------

def _render_form(request, *, form, fields_form, filing=None, mode="open", status=200):
    menu_rows = form.menu_rows or [{"level": 1, "name": "", "note": ""}]
    team_rows = form.team_rows or [{"name": "", "unit_title": "", "office_phone": "", "mobile": ""}]
    return render(request, "accounts/filing_form.html", {
        "form": form, "fields_form": fields_form, "filing": filing, "mode": mode,
        "menu_rows": menu_rows, "team_rows": team_rows,
    }, status=status)


def _load_rows(form, data):
    form.menu_rows = form_rules.rows_from_menus(data.get("menus") or [])
    form.team_rows = list(data.get("team") or [])


@login_required
def filing_open(request):
    """The opening of a new account: the whole 备案登记表, saved as a draft or submitted at once."""
    user = request.user
    if request.method != "POST":
        return _render_form(request, form=RegistrationForm(user=user), fields_form=FilingFieldsForm())
    form = RegistrationForm(request.POST, request.FILES, user=user)
    fields_form = FilingFieldsForm(request.POST)
    form.read_rows(request.POST)
    if not (form.is_valid() and fields_form.is_valid()):
        return _render_form(request, form=form, fields_form=fields_form, status=400)
    data = form.typed()
    if form.menu_errors:
        return _render_form(request, form=form, fields_form=fields_form, status=400)
    try:
        filing = filing_services.filing_open_draft(
            user=user, event_date=fields_form.cleaned_data["event_date"], reason=fields_form.cleaned_data["reason"],
            form=data, qr_code=form.cleaned_data.get("qr_code"),
        )
    except ValidationError as exc:
        form.apply_errors(fields_form.apply_errors(exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}))
        return _render_form(request, form=form, fields_form=fields_form, status=400)
    return _after_save(request, filing, form, fields_form)


def _after_save(request, filing, form, fields_form, mode="open"):
    if request.POST.get("action") == "submit":
        try:
            filing_services.filing_submit(filing=filing, user=request.user)
        except ValidationError as exc:
            form.apply_errors(fields_form.apply_errors(exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}))
            messages.error(request, "草稿已保存，但尚不能提交：请按提示补全后再提交。")
            return _render_form(request, form=form, fields_form=fields_form, filing=filing, mode=mode, status=400)
        except DomainConflict as exc:
            messages.error(request, exc.message)
            return redirect("filing-detail", pk=filing.pk)
        messages.success(request, "备案已提交，等待主办单位主要负责人审批。")
        return redirect("filing-detail", pk=filing.pk)
    messages.success(request, "草稿已保存，可随时回来继续填写。")
    return redirect("filing-edit", pk=filing.pk)


@login_required
def filing_edit(request, pk):
    """Resume a draft (or a returned filing); for close and deregister only the date and reason are asked."""
    user = request.user
    filing = _get_filing(user, pk)
    if not filing.is_editable:
        messages.info(request, "该备案已提交，不能再修改。")
        return redirect("filing-detail", pk=filing.pk)
    if not (filing.created_by_id == user.pk or access.can_file(user, filing.account)):
        raise PermissionDenied("您不能修改这份备案。")
    with_form = filing.kind in (FilingKind.OPEN, FilingKind.CHANGE, FilingKind.BACKFILL)
    mode = "full" if with_form else "short"
    if request.method != "POST":
        data = form_rules.from_json(filing.form)
        form = RegistrationForm(user=user, initial=RegistrationForm.initial_from(data))
        _load_rows(form, data)
        fields_form = FilingFieldsForm(initial={"event_date": filing.event_date, "reason": filing.reason})
        return _render_form(request, form=form, fields_form=fields_form, filing=filing, mode=mode)
    form = RegistrationForm(request.POST, request.FILES, user=user)
    fields_form = FilingFieldsForm(request.POST)
    form.read_rows(request.POST)
    valid = fields_form.is_valid() and (form.is_valid() or not with_form)
    data = form.typed() if with_form and form.is_valid() else None
    if not valid or (with_form and form.menu_errors):
        return _render_form(request, form=form, fields_form=fields_form, filing=filing, mode=mode, status=400)
    try:
        filing = filing_services.filing_update(
            filing=filing, user=user, event_date=fields_form.cleaned_data["event_date"],
            reason=fields_form.cleaned_data["reason"], form=data,
            qr_code=form.cleaned_data.get("qr_code") if with_form else None,
        )
    except ValidationError as exc:
        form.apply_errors(fields_form.apply_errors(exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}))
        return _render_form(request, form=form, fields_form=fields_form, filing=filing, mode=mode, status=400)
    except DomainConflict as exc:
        fields_form.add_error("event_date", exc.message)
        return _render_form(request, form=form, fields_form=fields_form, filing=filing, mode=mode, status=409)
    return _after_save(request, filing, form, fields_form, mode=mode)


@login_required
@require_POST
def filing_start(request, pk):
    account = _get_account(request.user, pk)
    kind = request.POST.get("kind", "")
    try:
        filing = filing_services.filing_start(user=request.user, account=account, kind=kind)
    except (ValidationError, DomainConflict) as exc:
        messages.error(request, _error_text(exc))
        return redirect("account-detail", pk=account.pk)
    messages.success(request, f"已新建{filing.get_kind_display()}草稿，请填写后提交。")
    return redirect("filing-edit", pk=filing.pk)


@login_required
def account_register_existing(request):
    """Bring an account that already runs into the register; its backfill filing falls due."""
    user = request.user
    if request.method != "POST":
        return _render_form(request, form=RegistrationForm(user=user), fields_form=FilingFieldsForm(), mode="existing")
    form = RegistrationForm(request.POST, request.FILES, user=user)
    fields_form = FilingFieldsForm()
    form.read_rows(request.POST)
    if not form.is_valid():
        return _render_form(request, form=form, fields_form=fields_form, mode="existing", status=400)
    data = form.typed()
    if form.menu_errors:
        return _render_form(request, form=form, fields_form=fields_form, mode="existing", status=400)
    try:
        account = services.account_register_existing(user=user, form=data, qr_code=form.cleaned_data.get("qr_code"))
    except ValidationError as exc:
        form.apply_errors(exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages})
        return _render_form(request, form=form, fields_form=fields_form, mode="existing", status=400)
    if account.backfill_due_on:
        messages.success(request, f"已登记账号“{account.name}”，请于 {account.backfill_due_on:%Y-%m-%d} 前补办备案。")
    else:
        messages.success(request, f"已登记账号“{account.name}”。")
    return redirect("account-detail", pk=account.pk)


# --- Filing detail, decisions and the approval queue ---------------------------------------------------------

@login_required
def filing_detail(request, pk):
    user = request.user
    filing = _get_filing(user, pk)
    data = form_rules.from_json(filing.form)
    can_decide = filing.status == FilingStatus.PENDING and access.can_decide_filing(user, filing)
    supervises = access.can_decide_filing(user, filing, "supervisor")
    return render(request, "accounts/filing_detail.html", {
        "filing": filing, "account": filing.account, "data": data,
        "sections": form_rules.shown_sections(data),
        "menu_rows": form_rules.rows_from_menus(data["menus"]),
        "decisions": filing.decisions.select_related("decided_by"),
        "can_decide": can_decide, "decision_form": DecisionForm() if can_decide else None,
        "references_form": ReferencesForm(initial={
            "city_reference": filing.city_reference, "province_reference": filing.province_reference,
            "national_reference": filing.national_reference,
        }) if supervises and filing.status != FilingStatus.DRAFT else None,
        "can_edit": filing.is_editable and (filing.created_by_id == user.pk or access.can_file(user, filing.account)),
        "history": entries_for_object(filing).order_by("-timestamp")[:30],
    })


@login_required
@require_POST
def filing_action(request, pk, action):
    user = request.user
    filing = _get_filing(user, pk)
    comment = request.POST.get("comment", "")
    try:
        if action == "approve":
            filing_services.filing_approve(filing=filing, user=user, comment=comment)
            messages.success(request, "已审批同意。")
        elif action == "reject":
            filing_services.filing_reject(filing=filing, user=user, comment=comment)
            messages.success(request, "已退回填报人。")
        elif action == "submit":
            filing_services.filing_submit(filing=filing, user=user)
            messages.success(request, "备案已提交。")
        elif action == "delete":
            account_pk, was_draft = filing.account_id, filing.status == FilingStatus.DRAFT
            filing_services.filing_delete(filing=filing, user=user)
            messages.success(request, "草稿已删除。" if was_draft else "已放弃并删除该备案。")
            exists = Account.objects.filter(pk=account_pk).exists()
            return redirect("account-detail", pk=account_pk) if exists else redirect("account-list")
        elif action == "references":
            form = ReferencesForm(request.POST)
            if form.is_valid():
                filing_services.filing_record_references(filing=filing, user=user, **form.cleaned_data)
                messages.success(request, "上级审批信息已登记。")
        else:
            raise PermissionDenied
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        if action == "submit":
            return redirect("filing-edit", pk=filing.pk)
    except DomainConflict as exc:
        messages.error(request, exc.message)
    return redirect("filing-detail", pk=filing.pk)


FILING_SORTS = {
    "created_at": ("填报时间", ("created_at",)),
    "account": ("账号", ("account__name",)),
    "kind": ("类型", ("kind",)),
    "status": ("状态", ("status",)),
    "created_by": ("填报人", ("created_by__display_name", "created_by__username")),
}
FILING_SEARCH = ("account__name", "account__owner__name", "created_by__display_name", "created_by__username", "reason")


class FilingFilterForm(ListFilterForm):
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部")] + FilingStatus.choices)
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部")] + FilingKind.choices)
    created_from = forms.DateField(label="填报日期自", required=False, widget=DateInput())
    created_to = forms.DateField(label="填报日期至", required=False, widget=DateInput())


@login_required
def filing_queue(request):
    """What waits for the caller's decision, oldest first; and everything recent in scope below it, searched,
    filtered and sorted."""
    user = request.user
    waiting = filing_services.actionable_filings(user).select_related("account", "account__owner", "created_by").order_by("submitted_at", "pk")
    recent = Filing.objects.for_user(user).select_related("account", "account__owner", "created_by")
    form = FilingFilterForm(request.GET)
    listing = Listing(request.GET, sorts=FILING_SORTS, default="-created_at", search=FILING_SEARCH)
    f = form.filters
    if f.get("status"):
        recent = recent.filter(status=f["status"])
    if f.get("kind"):
        recent = recent.filter(kind=f["kind"])
    if f.get("created_from"):
        recent = recent.filter(created_at__date__gte=f["created_from"])
    if f.get("created_to"):
        recent = recent.filter(created_at__date__lte=f["created_to"])
    page = Paginator(listing.apply(recent), 50).get_page(request.GET.get("page"))
    return render(request, "accounts/filing_queue.html", {
        "waiting": waiting, "page": page, "filter_form": form, "listing": listing,
    })
