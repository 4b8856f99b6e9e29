"""Pages: the post list, the post form (new posts here; review's edit page uses it too) and the word lists.

The post page, its submit and withdraw and the register are review's pages (`review.views`)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from govmedia.core.exceptions import DomainConflict
from govmedia.core.files import IMAGES, detect, scoped_url
from govmedia.core.forms import DateInput, apply_errors
from govmedia.core.listing import ListFilterForm, Listing
from govmedia.core.paging import BoundedPaginator
from organisations import access

from . import selectors, services
from .forms import CoProducerFormSet, PostForm, WordListForm
from .models import Post, PostKind, PostStatus, Sensitivity, WordList, WordListKind

POST_SORTS = {
    "updated_at": ("更新时间", ("updated_at",)),
    "title": ("标题", ("title",)),
    "organisation": ("单位", ("organisation__path",)),
    "author": ("撰稿人", ("author__display_name", "author__username")),
    "status": ("状态", ("status",)),
}
POST_SEARCH = ("title", "author__display_name", "author__username", "organisation__name")


class PostFilterForm(ListFilterForm):
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部")] + PostStatus.choices)
    sensitivity = forms.ChoiceField(label="敏感程度", required=False, choices=[("", "全部")] + Sensitivity.choices)
    updated_from = forms.DateField(label="更新日期自", required=False, widget=DateInput())
    updated_to = forms.DateField(label="更新日期至", required=False, widget=DateInput())
    mine = forms.BooleanField(label="只看我的", required=False)


@login_required
def post_list(request):
    form = PostFilterForm(request.GET)
    listing = Listing(request.GET, sorts=POST_SORTS, default="-updated_at", search=POST_SEARCH)
    posts = selectors.filter_posts(request.user, **form.filters).select_related("organisation", "author")
    page = BoundedPaginator(listing.apply(posts), 50).get_page(request.GET.get("page"))
    return render(request, "publishing/post_list.html", {
        "page": page, "filter_form": form, "listing": listing,
        "can_write": access.writable_organisations(request.user).exists(),
    })


def _co_producer_data(formset):
    items = []
    for form in formset:
        if form.cleaned_data.get("organisation"):
            items.append({k: form.cleaned_data.get(k) or ("" if k == "consent_reference" else None)
                          for k in ("organisation", "consent_on", "consent_reference")})
    return items


def post_form(request, post=None, *, update=services.post_update):
    """The write page of a new post or of `post`. `update` saves an edit: review's edit page passes
    `review.services.post_update`, which also tells a running review."""
    user = request.user
    organisations = access.writable_organisations(user).order_by("path")
    organisation = post.organisation if post else None
    if organisation is None:
        chosen = request.POST.get("organisation") or request.GET.get("organisation")
        organisation = organisations.filter(pk=chosen).first() if chosen and str(chosen).isdigit() else organisations.first()
    if organisation is None:
        raise PermissionDenied("您不是任何单位的信息员或审核人员，不能撰写稿件。")
    channels = selectors.channel_querysets(organisation)
    policies = Post.objects.filter(organisation=organisation, kind=PostKind.POLICY).exclude(status=PostStatus.WITHDRAWN)
    initial = {"organisation": organisation.pk}
    form = PostForm(request.POST or None, request.FILES or None, instance=post, organisations=organisations,
                    channels=channels, policies=policies, initial=initial)
    co_initial = [
        {"organisation": c.organisation_id, "consent_on": c.consent_on, "consent_reference": c.consent_reference}
        for c in post.co_producers.all()
    ] if post else []
    co_kwargs = {"organisations": access.region_organisations(user).exclude(pk=organisation.pk).order_by("path")}
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
                    post = update(post=post, actor=user, co_producers=_co_producer_data(formset), **data)
                if attachment:
                    services.attachment_add(post=post, actor=user, file=attachment)
        except services.SubmitBlocked as exc:
            for message in [p["message"] for p in exc.detail["problems"]]:
                form.add_error(None, message)
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainConflict as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已保存第 {post.revision} 版。")
            return redirect("post-detail", pk=post.pk)
    return render(request, "publishing/post_form.html", {"form": form, "formset": formset, "post": post,
                                                         "organisation": organisation})


@login_required
def post_create(request):
    return post_form(request)


@login_required
@require_POST
def post_delete(request, pk):
    """The author throws away a draft never submitted (an abandoned one); anything else is withdrawn instead."""
    post = selectors.get_post_for(request.user, pk)
    try:
        services.post_delete_draft(post=post, actor=request.user)
    except (PermissionDenied, DomainConflict) as exc:
        messages.error(request, getattr(exc, "message", None) or str(exc))
        return redirect("post-detail", pk=post.pk)
    messages.success(request, f"已删除草稿“{post.title}”。")
    return redirect("post-list")


@login_required
@require_POST
def post_image_upload(request, pk):
    """The editor's image button: the picture becomes an attachment of the post (checked by content, the limits of
    a post attachment) and the editor puts its scoped download URL in the body. JSON, in Chinese."""
    post = Post.objects.for_user(request.user).filter(pk=pk).first()
    if post is None:
        raise Http404("稿件不存在。")
    upload = request.FILES.get("image")
    if upload is None:
        return JsonResponse({"detail": "请选择要插入的图片。"}, status=400)
    if detect(upload, upload.name or "") not in IMAGES:
        return JsonResponse({"detail": "只能插入 PNG、JPEG、GIF 或 WEBP 图片（按文件内容识别）。"}, status=400)
    try:
        attachment = services.attachment_add(post=post, actor=request.user, file=upload)
    except PermissionDenied as exc:
        return JsonResponse({"detail": str(exc) or "您不能修改该稿件。"}, status=403)
    except ValidationError as exc:
        return JsonResponse({"detail": "；".join(exc.messages)}, status=400)
    except DomainConflict as exc:
        return JsonResponse({"detail": exc.message}, status=409)
    return JsonResponse({"url": scoped_url(attachment.file), "name": attachment.name}, status=201)


@login_required
def word_lists(request):
    user = request.user
    visible = access.visible_organisations(user)
    lists = WordList.objects.filter(organisation__in=visible.values("pk")).select_related("organisation").order_by(
        "organisation__path", "kind"
    )
    form = None
    if access.can_keep_word_lists(user):
        managed = access.managed_organisations(user).order_by("path")
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
                    entries = services.read_word_file(upload, data["kind"])
                    append = data["append"]
                else:
                    entries = services.parse_word_lines(data["entries"], data["kind"])
                    append = False
                word_list = services.word_list_replace(organisation=data["organisation"], kind=data["kind"],
                                                       entries=entries, actor=user, append=append)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"已保存“{word_list}”，共 {word_list.entries.count()} 条。")
                return redirect(f"{request.path}?list={word_list.pk}")
    return render(request, "publishing/word_lists.html", {
        "lists": lists.annotate(entry_count=Count("entries")), "form": form, "kinds": WordListKind.choices,
    })
