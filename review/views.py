"""Pages: the reviewers' queue, the step page (decide without leaving the queue), review policies; the post
page with its review history, the post's edit, submit and withdraw, and the register (审核发布登记台账)."""
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from accounts.models import Account
from govmedia.core.paging import BoundedPaginator
from govmedia.core import audit
from govmedia.core.documents import name_download
from govmedia.core.exceptions import DomainConflict
from govmedia.core.listing import Listing
from organisations import access
from organisations.models import Role
from publishing.selectors import get_post_for
from publishing.models import STAGE_ORDER, Post, PostRevision, PostStatus, Sensitivity, Stage
from publishing.services import SubmitBlocked
from publishing.text import diff_html, mark_html, plain_text
from publishing.views import post_form
from sites.models import Column

from . import register, services
from .forms import QueueFilterForm, RegisterFilterForm
from .models import DEFAULT_STAGES, ReviewPolicy, ReviewTask, TaskStatus

FILTERS = ("organisation", "column", "account", "sensitivity", "overdue", "opened_from", "opened_to", "q", "sort")
QUEUE_SORTS = {
    "opened_at": ("送达", ("opened_at",)),
    "due_on": ("期限", ("due_on",)),
    "title": ("稿件", ("post__title",)),
    "organisation": ("单位", ("post__organisation__path",)),
    "stage": ("环节", ("position",)),
}
QUEUE_SEARCH = ("post__title", "post__organisation__name", "post__author__display_name", "post__author__username")


def _queue_listing(params) -> tuple[QueueFilterForm, Listing]:
    return QueueFilterForm(params), Listing(params, sorts=QUEUE_SORTS, default="opened_at", search=QUEUE_SEARCH)


def queue_for(request):
    """What the user may decide now, oldest first unless sorted otherwise, with the page's filters and search."""
    user, params = request.user, request.GET
    tasks = ReviewTask.objects.for_user(user).actionable_by(user).select_related(
        "post", "post__organisation", "post__author", "revision"
    )
    if params.get("organisation", "").isdigit():
        tasks = tasks.filter(post__organisation=params["organisation"])
    if params.get("column", "").isdigit():
        tasks = tasks.filter(post__columns=params["column"])
    if params.get("account", "").isdigit():
        tasks = tasks.filter(post__accounts=params["account"])
    if params.get("sensitivity") in Sensitivity.values:
        tasks = tasks.filter(post__sensitivity=params["sensitivity"])
    if params.get("overdue"):
        tasks = tasks.overdue(timezone.localdate())
    form, listing = _queue_listing(params)
    dates = form.filters
    if dates.get("opened_from"):
        tasks = tasks.filter(opened_at__date__gte=dates["opened_from"])
    if dates.get("opened_to"):
        tasks = tasks.filter(opened_at__date__lte=dates["opened_to"])
    return listing.order(listing.search(tasks).distinct())


def _filter_query(request) -> str:
    return urlencode({k: request.GET[k] for k in FILTERS if request.GET.get(k)})


def _filter_choices(user):
    open_posts = Post.objects.filter(review_tasks__in=ReviewTask.objects.actionable_by(user)).values("pk")
    return {
        "organisations": access.visible_organisations(user).filter(posts__in=open_posts).distinct().order_by("path"),
        "columns": Column.objects.filter(posts__in=open_posts).select_related("site").distinct(),
        "accounts": Account.objects.filter(posts__in=open_posts).distinct(),
        "sensitivities": Sensitivity.choices,
    }


@login_required
def queue(request):
    tasks = queue_for(request)
    page = BoundedPaginator(tasks, 50).get_page(request.GET.get("page"))
    form, listing = _queue_listing(request.GET)
    return render(request, "review/queue.html", {
        "page": page, "today": timezone.localdate(), "filters": request.GET, "query": _filter_query(request),
        "filter_form": form, "listing": listing, **_filter_choices(request.user),
    })


BULK_MAX = 100


@login_required
@require_POST
def queue_bulk_approve(request):
    """Approve several steps at once. Each is still one decision through `services.task_approve` (the same
    integrity checks, its own audit entry, pinned to the revision the reviewer saw); a step this user may not
    approve is reported by name and the others proceed. 重大敏感 posts are never approved in bulk: the
    policy for them asks that each be read."""
    query = request.POST.get("query", "")
    back = reverse("review-queue") + (f"?{query}" if query else "")
    ids = [int(v) for v in request.POST.getlist("task") if v.isdigit()][:BULK_MAX]
    if not ids:
        messages.error(request, "请先勾选要通过的稿件。")
        return redirect(back)
    tasks = ReviewTask.objects.for_user(request.user).filter(pk__in=ids).select_related("post").order_by("opened_at", "id")
    found = {t.pk: t for t in tasks}
    approved, refused = [], []
    for pk in ids:
        task = found.get(pk)
        if task is None:
            refused.append(f"第 {pk} 号环节：不存在或不在您的范围内。")
            continue
        name = f"“{task.post.title}”（{task.get_stage_display()}）"
        if task.post.sensitivity == Sensitivity.MAJOR:
            refused.append(f"{name}：重大敏感稿件须逐篇审阅后办理，不能批量通过。")
            continue
        revision = request.POST.get(f"revision_{pk}", "")
        try:
            services.task_approve(task_id=pk, user=request.user, revision=int(revision) if revision.isdigit() else None)
        except DomainConflict as exc:
            refused.append(f"{name}：{exc.message}")
        except PermissionDenied as exc:
            refused.append(f"{name}：{str(exc) or '您没有办理该环节的权限。'}")
        except ValidationError as exc:
            refused.append(f"{name}：{'；'.join(exc.messages)}")
        else:
            approved.append(name)
    if approved:
        messages.success(request, f"已通过 {len(approved)} 篇：{'、'.join(approved)}。")
    for text in refused:
        messages.error(request, f"未通过 {text}")
    return redirect(back)


def _revision_diff(old: PostRevision, new: PostRevision, by=None) -> dict:
    """What changed between two revisions of a post, for the step page and the post page (publishing.text)."""
    title, body = diff_html(old.title, new.title), diff_html(plain_text(old.body), plain_text(new.body))
    return {"from": old.number, "to": new.number, "by": by, "title": mark_safe(title.html), "body": mark_safe(body.html),
            "added": title.added + body.added, "removed": title.removed + body.removed,
            "changed": title.changed or body.changed}


@login_required
def task_page(request, pk):
    task = ReviewTask.objects.for_user(request.user).select_related(
        "post", "post__organisation", "post__author", "revision", "decided_by"
    ).filter(pk=pk).first()
    if task is None:
        raise Http404("审校环节不存在。")
    post = task.post
    current = PostRevision.objects.get(post=post, number=post.revision)
    last_approved = (
        ReviewTask.objects.filter(post=post, status=TaskStatus.APPROVED).select_related("revision", "decided_by")
        .order_by("-decided_at").first()
    )
    diff, diff_heading = None, ""
    if last_approved and last_approved.revision_id != current.pk:
        diff = _revision_diff(last_approved.revision, current, by=last_approved.decided_by)
        diff_heading = f"自第 {diff['from']} 版（{last_approved.decided_by} 审核通过）以来的修改"
    spans = [(w["offset"], w["offset"] + max(w["length"], 1), "warn", w["message"])
             for w in post.warnings if w.get("field") == "body" and w.get("offset") is not None]
    queue_tasks = list(queue_for(request)[:30])
    refusal = services.refusal(request.user, task) if task.status == TaskStatus.OPEN else None
    return render(request, "review/task.html", {
        "task": task, "post": post, "marked_body": mark_safe(mark_html(current.body, spans)),
        "diff": diff, "diff_heading": diff_heading, "refusal": refusal, "can_decide": refusal is None,
        "history": ReviewTask.objects.filter(post=post).exclude(status=TaskStatus.OPEN).select_related(
            "decided_by", "revision", "run").order_by("decided_at", "id"),
        "queue": queue_tasks, "query": _filter_query(request), "today": timezone.localdate(),
        "co_producers": post.co_producers.select_related("organisation"),
        "channels": list(post.columns.select_related("site")) + list(post.accounts.all()),
        "attachments": post.attachments.all(),
    })


@login_required
@require_POST
def task_decide(request, pk):
    task = ReviewTask.objects.for_user(request.user).filter(pk=pk).first()
    if task is None:
        raise Http404("审校环节不存在。")
    decision = request.POST.get("decision")
    comment = request.POST.get("comment", "").strip()
    revision = request.POST.get("revision")
    revision = int(revision) if revision and revision.isdigit() else None
    query = _filter_query(request) if request.GET else request.POST.get("query", "")
    try:
        if decision == "approve":
            services.task_approve(task_id=task.pk, user=request.user, comment=comment, revision=revision)
            messages.success(request, f"已通过“{task.post.title}”的{task.get_stage_display()}。")
        elif decision == "return":
            services.task_return(task_id=task.pk, user=request.user, comment=comment, revision=revision)
            messages.success(request, f"已退回“{task.post.title}”。")
        elif decision == "raise":
            services.task_raise_sensitivity(task_id=task.pk, user=request.user, comment=comment)
            messages.success(request, f"已将“{task.post.title}”升级为重大敏感稿件，按重大敏感稿件流程从一审重新审校。")
        else:
            messages.error(request, "请选择通过或退回。")
            return redirect(reverse("review-task", args=[task.pk]) + (f"?{query}" if query else ""))
    except (DomainConflict, PermissionDenied, ValidationError) as exc:
        text = exc.message if isinstance(exc, DomainConflict) else (
            "；".join(m for ms in exc.message_dict.values() for m in ms) if isinstance(exc, ValidationError) and hasattr(exc, "error_dict")
            else (str(exc) or "您没有办理该环节的权限。")
        )
        messages.error(request, text)
        return redirect(reverse("review-task", args=[task.pk]) + (f"?{query}" if query else ""))
    # Straight on to the next item of the same queue.
    fake = type("R", (), {"user": request.user, "GET": QueryDict(query)})()
    following = queue_for(fake).exclude(pk=task.pk).first()
    if following:
        return redirect(reverse("review-task", args=[following.pk]) + (f"?{query}" if query else ""))
    messages.info(request, "队列中已没有待办稿件。")
    return redirect(reverse("review-queue") + (f"?{query}" if query else ""))


@login_required
def policies(request):
    """Review policies in scope, and a form for the units the user may configure (principal or supervisor)."""
    user = request.user
    may_set = access.can_set_review_policies(user)
    editable = access.directed_organisations(user).order_by("path") if may_set else None
    defaults = {s["stage"]: s for s in DEFAULT_STAGES}
    errors = []
    if request.method == "POST" and may_set:
        org = editable.filter(pk=request.POST.get("organisation") if str(request.POST.get("organisation", "")).isdigit() else 0).first()
        stages = [
            {"stage": code, "role": request.POST.get(f"role_{code}", ""), "days": request.POST.get(f"days_{code}", "1")}
            for code in STAGE_ORDER if request.POST.get(f"use_{code}")
        ]
        if org is None:
            errors.append("请选择单位。")
        else:
            try:
                services.policy_save(organisation=org, sensitivity=request.POST.get("sensitivity", "routine"), stages=stages,
                                     distinct_people=bool(request.POST.get("distinct_people")), actor=user)
            except ValidationError as exc:
                errors += [m for ms in exc.message_dict.values() for m in ms] if hasattr(exc, "error_dict") else exc.messages
            except PermissionDenied as exc:
                errors.append(str(exc))
            else:
                messages.success(request, f"已保存{org}的审校流程。")
                return redirect("review-policies")
    listed = ReviewPolicy.objects.filter(
        organisation__in=access.visible_organisations(user).values("pk")
    ).select_related("organisation")
    rows = [{"code": code, "label": Stage(code).label, "role": defaults[code]["role"], "days": defaults[code]["days"]}
            for code in STAGE_ORDER]
    return render(request, "review/policies.html", {
        "policies": listed, "organisations": editable, "rows": rows, "errors": errors,
        "roles": [(r.value, r.label) for r in access.WORKING_ROLES], "sensitivities": Sensitivity.choices,
        "role_labels": dict(Role.choices), "stage_labels": dict(Stage.choices),
    })


# --- the post page and the post's review transitions ----------------------------------------------------

@login_required
def post_detail(request, pk):
    post = get_post_for(request.user, pk)
    tasks = list(ReviewTask.objects.filter(post=post).select_related("decided_by", "revision", "run").order_by("run__started_at", "position"))
    open_task = next((t for t in tasks if t.status == "open"), None)
    spans = [(w["offset"], w["offset"] + max(w["length"], 1), "warn", w["message"])
             for w in post.warnings if w.get("field") == "body" and w.get("offset") is not None]
    # ?compare=N: what changed from revision N to the current one.
    diff, compare = None, request.GET.get("compare", "")
    if compare.isdigit() and int(compare) != post.revision:
        revisions = {r.number: r for r in PostRevision.objects.filter(post=post, number__in=[int(compare), post.revision])}
        if len(revisions) == 2:
            diff = _revision_diff(revisions[int(compare)], revisions[post.revision])
    return render(request, "review/post_detail.html", {
        "diff": diff, "diff_heading": f"第 {compare} 版与当前第 {post.revision} 版的差异" if diff else "",
        "post": post,
        "marked_body": mark_html(post.body, spans),
        "tasks": tasks,
        "open_task": open_task,
        "can_decide": bool(open_task and services.may_decide(request.user, open_task)),
        "can_write": access.can_write(request.user, post.organisation),
        "revisions": post.revisions.select_related("created_by").order_by("-number")[:20],
        "history": audit.entries_for_object(post).order_by("-timestamp")[:50],
        "publications": post.publications.select_related("column__site", "account"),
        "co_producers": post.co_producers.select_related("organisation"),
        "attachments": post.attachments.all(),
        "interpretations": post.interpretations.exclude(status=PostStatus.WITHDRAWN),
    })


@login_required
def post_edit(request, pk):
    """publishing's post form; the edit is saved through review, so a post in review is checked again and its
    run learns of the change."""
    post = get_post_for(request.user, pk)
    if not access.can_write(request.user, post.organisation):
        raise PermissionDenied("您不能修改该单位的稿件。")
    if not post.is_editable:
        messages.error(request, f"稿件{post.get_status_display()}，不能再修改。")
        return redirect("post-detail", pk=post.pk)
    return post_form(request, post, update=services.post_update)


@login_required
@require_POST
def post_submit(request, pk):
    post = get_post_for(request.user, pk)
    try:
        services.post_submit(post=post, actor=request.user)
    except SubmitBlocked as exc:
        request.session["blocked_problems"] = exc.detail["problems"]
        messages.error(request, "稿件未通过内容检查，不能提交：" + "；".join(p["message"] for p in exc.detail["problems"]))
    except ValidationError as exc:
        messages.error(request, "；".join(m for ms in exc.message_dict.values() for m in ms) if hasattr(exc, "error_dict") else "；".join(exc.messages))
    except DomainConflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已提交审核，进入一审。")
    return redirect("post-detail", pk=post.pk)


@login_required
@require_POST
def post_withdraw(request, pk):
    post = get_post_for(request.user, pk)
    try:
        services.post_withdraw(post=post, actor=request.user, comment=request.POST.get("comment", ""))
    except DomainConflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "稿件已撤回。")
    return redirect("post-detail", pk=post.pk)


@login_required
def register_page(request):
    organisations = access.visible_organisations(request.user).order_by("path")
    today = timezone.localdate()
    data = request.GET if "start" in request.GET else {"start": today.replace(day=1), "end": today}
    form = RegisterFilterForm(data, organisations=organisations)
    rows = []
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        if start > end:
            form.add_error("end", "结束日期不能早于开始日期。")
        else:
            rows = register.rows(user=request.user, start=start, end=end, organisation=form.cleaned_data["organisation"])
            if request.GET.get("format") == "xlsx":
                response = HttpResponse(register.to_xlsx(rows, start, end),
                                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
                return name_download(response, f"审校台账-{start:%Y%m%d}-{end:%Y%m%d}.xlsx")
    for row in rows:
        by_stage = {d["stage"]: d for d in row["decisions"]}
        row["cells"] = [by_stage.get(code) for code in STAGE_ORDER]

    return render(request, "review/register.html", {
        "form": form, "rows": rows, "stages": [(s, Stage(s).label) for s in STAGE_ORDER],
        "query": request.GET.urlencode(),
    })
