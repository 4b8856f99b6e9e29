"""Pages: posts (write, submit, withdraw), the register and the word lists."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from organisations import scope
from organisations.models import Organisation
from govmedia.core import audit
from govmedia.core.exceptions import DomainConflict

from . import access, register, services
from .forms import CoProducerFormSet, PostForm, RegisterFilterForm, WordListForm
from .models import Post, PostKind, PostStatus, WordList, WordListKind
from .text import mark_html


def _apply_errors(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def post_list(request):
    posts = Post.objects.for_user(request.user).select_related("organisation", "author").order_by("-updated_at", "-id")
    status = request.GET.get("status", "")
    if status in PostStatus.values:
        posts = posts.filter(status=status)
    query = request.GET.get("q", "").strip()
    if query:
        posts = posts.filter(title__icontains=query)
    if request.GET.get("mine"):
        posts = posts.filter(author=request.user)
    page = Paginator(posts, 50).get_page(request.GET.get("page"))
    return render(request, "publishing/post_list.html", {
        "page": page, "statuses": PostStatus.choices, "status": status, "query": query,
        "can_write": access.writable_organisations(request.user).exists(),
    })


def _co_producer_data(formset):
    items = []
    for form in formset:
        if form.cleaned_data.get("organisation"):
            items.append({k: form.cleaned_data.get(k) or ("" if k == "consent_reference" else None)
                          for k in ("organisation", "consent_on", "consent_reference")})
    return items


def _post_form(request, post=None):
    user = request.user
    organisations = access.writable_organisations(user).order_by("path")
    organisation = post.organisation if post else None
    if organisation is None:
        chosen = request.POST.get("organisation") or request.GET.get("organisation")
        organisation = organisations.filter(pk=chosen).first() if chosen and str(chosen).isdigit() else organisations.first()
    if organisation is None:
        raise PermissionDenied("您不是任何单位的信息员或审核人员，不能撰写稿件。")
    channels = access.channel_querysets(organisation)
    policies = Post.objects.filter(organisation=organisation, kind=PostKind.POLICY).exclude(status=PostStatus.WITHDRAWN)
    initial = {"organisation": organisation.pk}
    form = PostForm(request.POST or None, request.FILES or None, instance=post, organisations=organisations,
                    channels=channels, policies=policies, initial=initial)
    co_initial = [
        {"organisation": c.organisation_id, "consent_on": c.consent_on, "consent_reference": c.consent_reference}
        for c in post.co_producers.all()
    ] if post else []
    co_kwargs = {"organisations": Organisation.objects.exclude(pk=organisation.pk).order_by("path")}
    formset = CoProducerFormSet(request.POST or None, initial=co_initial, prefix="co", form_kwargs=co_kwargs)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = dict(form.cleaned_data)
        attachment = data.pop("attachment", None)
        data.pop("organisation", None)
        try:
            with transaction.atomic():
                if post is None:
                    post = services.post_create(actor=user, organisation=organisation,
                                                co_producers=_co_producer_data(formset), **data)
                else:
                    post = services.post_update(post=post, actor=user, co_producers=_co_producer_data(formset), **data)
                if attachment:
                    services.attachment_add(post=post, actor=user, file=attachment)
        except services.SubmitBlocked as exc:
            for message in [p["message"] for p in exc.detail["problems"]]:
                form.add_error(None, message)
        except ValidationError as exc:
            _apply_errors(form, exc)
        except DomainConflict as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已保存第 {post.revision} 版。")
            return redirect("post-detail", pk=post.pk)
    return render(request, "publishing/post_form.html", {"form": form, "formset": formset, "post": post,
                                                         "organisation": organisation})


@login_required
def post_create(request):
    return _post_form(request)


@login_required
def post_edit(request, pk):
    post = access.get_post_for(request.user, pk)
    if not access.can_write(request.user, post.organisation):
        raise PermissionDenied("您不能修改该单位的稿件。")
    if not post.is_editable:
        messages.error(request, f"稿件{post.get_status_display()}，不能再修改。")
        return redirect("post-detail", pk=post.pk)
    return _post_form(request, post)


@login_required
def post_detail(request, pk):
    from review.models import ReviewTask
    from review.services import may_decide

    post = access.get_post_for(request.user, pk)
    tasks = list(ReviewTask.objects.filter(post=post).select_related("decided_by", "revision", "run").order_by("run__started_at", "position"))
    open_task = next((t for t in tasks if t.status == "open"), None)
    spans = [(w["offset"], w["offset"] + max(w["length"], 1), "warn", w["message"])
             for w in post.warnings if w.get("field") == "body" and w.get("offset") is not None]
    return render(request, "publishing/post_detail.html", {
        "post": post,
        "marked_body": mark_html(post.body, spans),
        "tasks": tasks,
        "open_task": open_task,
        "can_decide": bool(open_task and may_decide(request.user, open_task)),
        "can_write": access.can_write(request.user, post.organisation),
        "revisions": post.revisions.select_related("created_by").order_by("-number")[:20],
        "history": audit.entries_for_object(post).order_by("-timestamp")[:50],
        "publications": post.publications.select_related("column__site", "account"),
        "co_producers": post.co_producers.select_related("organisation"),
        "attachments": post.attachments.all(),
        "interpretations": post.interpretations.exclude(status=PostStatus.WITHDRAWN),
    })


@login_required
@require_POST
def post_submit(request, pk):
    post = access.get_post_for(request.user, pk)
    try:
        services.post_submit(post=post, actor=request.user)
    except services.SubmitBlocked as exc:
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
    post = access.get_post_for(request.user, pk)
    try:
        services.post_withdraw(post=post, actor=request.user, comment=request.POST.get("comment", ""))
    except DomainConflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "稿件已撤回。")
    return redirect("post-detail", pk=post.pk)


@login_required
def register_page(request):
    organisations = scope.visible_organisations(request.user).order_by("path")
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
                response["Content-Disposition"] = f'attachment; filename="register-{start}-{end}.xlsx"'
                return response
    from .models import STAGE_ORDER, Stage

    for row in rows:
        by_stage = {d["stage"]: d for d in row["decisions"]}
        row["cells"] = [by_stage.get(code) for code in STAGE_ORDER]

    return render(request, "publishing/register.html", {
        "form": form, "rows": rows, "stages": [(s, Stage(s).label) for s in STAGE_ORDER],
        "query": request.GET.urlencode(),
    })


@login_required
def word_lists(request):
    user = request.user
    visible = scope.visible_organisations(user)
    lists = WordList.objects.filter(organisation__in=visible.values("pk")).select_related("organisation").order_by(
        "organisation__path", "kind"
    )
    managed = Organisation.objects.managed_by(user).order_by("path")
    form = None
    if managed.exists():
        initial = {}
        if request.GET.get("list"):
            chosen = lists.filter(pk=request.GET["list"] if request.GET["list"].isdigit() else 0).first()
            if chosen:
                lines = [f"{e.text},{e.suggestion}" if e.suggestion else e.text for e in chosen.entries.all()]
                initial = {"organisation": chosen.organisation_id, "kind": chosen.kind, "entries": "\n".join(lines)}
        form = WordListForm(request.POST or None, request.FILES or None, organisations=managed, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            upload = data.get("file")
            try:
                if upload:
                    if upload.size > 10 * 1024 * 1024:
                        raise ValidationError({"file": "文件不能超过 10 MB。"})
                    entries = services.parse_word_file(upload.read(), data["kind"])
                    append = data["append"]
                else:
                    entries = services.parse_word_lines(data["entries"], data["kind"])
                    append = False
                word_list = services.word_list_replace(organisation=data["organisation"], kind=data["kind"],
                                                       entries=entries, actor=user, append=append)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, f"已保存“{word_list}”，共 {word_list.entries.count()} 条。")
                return redirect(f"{request.path}?list={word_list.pk}")
    from django.db.models import Count

    return render(request, "publishing/word_lists.html", {
        "lists": lists.annotate(entry_count=Count("entries")), "form": form, "kinds": WordListKind.choices,
    })
