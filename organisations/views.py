"""Pages for the office to keep its units, people and roles."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, ProtectedError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from govmedia.core.forms import apply_errors
from organisations import access, services
from organisations.forms import MembershipForm, OrganisationForm, PasswordResetForm, PersonForm
from organisations.models import AdminRole, Membership, Organisation


@login_required
def organisation_list(request):
    user = request.user
    organisations = (
        access.visible_organisations(user)
        .annotate(staff_count=Count("staff", distinct=True))
        .select_related("parent")
        .order_by("path")
    )
    query = request.GET.get("q", "").strip()
    if query:
        organisations = organisations.filter(name__icontains=query)
    managed = access.managed_organisations(user)
    form = None
    if managed.exists():
        form = OrganisationForm(request.POST or None, parents=managed)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            if data["parent"] is None and not access.is_system_admin(user):
                form.add_error("parent", "请选择上级单位。")
            else:
                try:
                    org = services.organisation_create(**data)
                except ValidationError as exc:
                    transaction.set_rollback(True)
                    apply_errors(form, exc)
                else:
                    messages.success(request, f"已创建单位“{org.name}”。")
                    return redirect("organisation-detail", pk=org.pk)
    page = Paginator(organisations, 200).get_page(request.GET.get("page"))
    base_depth = min((o.depth for o in page.object_list), default=0)
    return render(
        request,
        "organisations/organisation_list.html",
        {"page": page, "form": form, "query": query, "base_depth": base_depth},
    )


@login_required
def organisation_detail(request, pk):
    user = request.user
    organisation = access.get_organisation_for(user, pk)
    can_manage = access.can_manage_organisation(user, organisation)
    memberships = organisation.memberships.select_related("user").order_by("role", "user__username")
    staff = organisation.staff.order_by("username")
    edit_form = person_form = membership_form = None
    if can_manage:
        edit_form = OrganisationForm(
            initial={
                "name": organisation.name, "short_name": organisation.short_name, "kind": organisation.kind,
                "parent": organisation.parent_id, "credit_code": organisation.credit_code,
                "contact_phone": organisation.contact_phone,
            },
            parents=access.managed_organisations(user).exclude(path__startswith=organisation.path),
        )
        person_form = PersonForm()
        membership_form = MembershipForm(users=access.visible_users(user).filter(is_active=True).order_by("username"))
    return render(
        request,
        "organisations/organisation_detail.html",
        {
            "organisation": organisation, "can_manage": can_manage, "memberships": memberships, "staff": staff,
            "children": organisation.children.order_by("name"), "edit_form": edit_form,
            "person_form": person_form, "membership_form": membership_form,
        },
    )


def _managed_organisation(request, pk) -> Organisation:
    organisation = access.get_organisation_for(request.user, pk)
    if not access.can_manage_organisation(request.user, organisation):
        raise PermissionDenied("您不是该单位的主管人员。")
    return organisation


@login_required
@require_POST
def organisation_edit(request, pk):
    organisation = _managed_organisation(request, pk)
    parents = access.managed_organisations(request.user).exclude(path__startswith=organisation.path)
    form = OrganisationForm(request.POST, parents=parents)
    if form.is_valid():
        data = form.cleaned_data
        if data["parent"] is None and organisation.parent_id and not access.is_system_admin(request.user):
            form.add_error("parent", "请选择上级单位。")
        else:
            try:
                services.organisation_update(organisation=organisation, **data)
            except ValidationError as exc:
                transaction.set_rollback(True)
                apply_errors(form, exc)
            else:
                messages.success(request, "单位信息已保存。")
                return redirect("organisation-detail", pk=organisation.pk)
    messages.error(request, "单位信息未保存：" + "；".join(e for errs in form.errors.values() for e in errs))
    return redirect("organisation-detail", pk=organisation.pk)


@login_required
@require_POST
def organisation_delete(request, pk):
    organisation = _managed_organisation(request, pk)
    parent_id = organisation.parent_id
    try:
        with transaction.atomic():
            services.organisation_delete(organisation=organisation)
    except ProtectedError:
        messages.error(request, f"“{organisation.name}”仍有下级单位、人员或账号，不能删除。")
        return redirect("organisation-detail", pk=organisation.pk)
    messages.success(request, f"已删除单位“{organisation.name}”。")
    return redirect("organisation-detail", pk=parent_id) if parent_id else redirect("organisation-list")


@login_required
@require_POST
def person_add(request, pk):
    organisation = _managed_organisation(request, pk)
    form = PersonForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        role = data.pop("role")
        try:
            with transaction.atomic():
                person = services.user_create(home_organisation=organisation, **data)
                if role:
                    services.membership_grant(user=person, organisation=organisation, role=role, actor=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"已添加人员“{person}”。")
            return redirect("organisation-detail", pk=organisation.pk)
    return render(
        request,
        "organisations/person_form.html",
        {"organisation": organisation, "form": form},
        status=400,
    )


@login_required
@require_POST
def membership_add(request, pk):
    organisation = _managed_organisation(request, pk)
    form = MembershipForm(request.POST, users=access.visible_users(request.user).filter(is_active=True))
    if form.is_valid():
        try:
            with transaction.atomic():
                services.membership_grant(actor=request.user, organisation=organisation, request=request,
                                          **form.cleaned_data)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, "角色已分配。")
    else:
        messages.error(request, "角色未分配：" + "；".join(e for errs in form.errors.values() for e in errs))
    return redirect("organisation-detail", pk=organisation.pk)


@login_required
@require_POST
def membership_withdraw(request, pk):
    membership = get_object_or_404(access.visible_memberships(request.user), pk=pk)
    if not access.can_grant_roles(request.user, membership.organisation):
        raise PermissionDenied("您不是该单位的主管人员。")
    try:
        services.membership_withdraw(membership=membership, actor=request.user, request=request)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已撤销 {membership.user} 的“{membership.get_role_display()}”角色。")
    return redirect("organisation-detail", pk=membership.organisation_id)


@login_required
def people_list(request):
    people = access.visible_users(request.user).select_related("home_organisation").order_by("username")
    query = request.GET.get("q", "").strip()
    if query:
        from django.db.models import Q

        people = people.filter(Q(username__icontains=query) | Q(display_name__icontains=query))
    page = Paginator(people.prefetch_related("memberships__organisation"), 100).get_page(request.GET.get("page"))
    return render(request, "organisations/people_list.html", {"page": page, "query": query})


@login_required
def membership_list_for_user(request, pk):
    person = access.get_user_for(request.user, pk)
    memberships = Membership.objects.filter(user=person).filter(
        organisation__in=access.visible_organisations(request.user).values("pk")
    ).select_related("organisation")
    user = request.user
    return render(request, "organisations/person_detail.html", {
        "person": person, "memberships": memberships,
        "can_reset": access.can_reset_password(user, person), "can_unlock": access.can_unlock(user),
        "can_set_duty": access.can_grant_admin_role(user, person), "duties": AdminRole.choices,
        "reset_form": PasswordResetForm(),
    })


@login_required
@require_POST
def person_security(request, pk):
    """The security administrator's actions on a person: reset the password, lift a lock, set a duty (三员)."""
    person = access.get_user_for(request.user, pk)
    what = request.POST.get("action")
    try:
        with transaction.atomic():
            if what == "reset":
                form = PasswordResetForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(form.errors["password"])
                services.password_reset(user=person, password=form.cleaned_data["password"], actor=request.user,
                                        request=request)
                messages.success(request, f"已重置 {person} 的密码，其下次登录时须修改密码。")
            elif what == "unlock":
                if not access.can_unlock(request.user):
                    raise PermissionDenied("只有安全管理员可以解除锁定。")
                count = services.user_unlock(user=person, actor=request.user, request=request)
                messages.success(request, f"已解除 {person} 的登录锁定（{count} 条记录）。")
            elif what == "second_factor":
                services.second_factor_reset(user=person, actor=request.user, request=request)
                messages.success(request, f"已重置 {person} 的双因素认证，其下次登录时须重新绑定。")
            elif what == "duty":
                services.user_update(user=person, actor=request.user, request=request,
                                     admin_role=request.POST.get("admin_role", ""))
                messages.success(request, f"已更新 {person} 的管理员职责。")
            else:
                raise ValidationError("未知的操作。")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("person-detail", pk=person.pk)
