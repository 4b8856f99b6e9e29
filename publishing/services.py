"""Writes on posts: create, update (every save a revision), content checks, publish; word lists.

A post's passage through review (submit, an edit while in review, withdraw) is the review engine's business
and lives in `review.services`, which calls these."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.services import account_add_update
from govmedia.core import audit, imports
from govmedia.core.exceptions import DomainConflict
from govmedia.core.files import check_upload
from notifications.services import notify
from organisations import access
from sites.services import column_add_update
from webhooks.services import emit

from . import checks, selectors
from .models import (
    EDITABLE_STATUSES, CoProducer, Origin, Post, PostAttachment, PostRevision, PostStatus, Publication, WordEntry,
    WordList, WordListKind,
)
from .text import sanitise

SCALAR_FIELDS = (
    "title", "body", "kind", "interprets", "sensitivity", "origin", "source_name", "source_url",
    "disclosure_required", "made_on", "publish_at",
)


def _validate_channels(organisation, columns, accounts):
    allowed_columns, allowed_accounts = selectors.channel_querysets(organisation)
    errors = {}
    allowed = set(allowed_columns.filter(pk__in=[c.pk for c in columns]).values_list("pk", flat=True))
    bad = [c for c in columns if c.pk not in allowed]
    if bad:
        errors["columns"] = [f"栏目“{c}”不属于本单位运行中的网站，不能发布。" for c in bad]
    allowed = set(allowed_accounts.filter(pk__in=[a.pk for a in accounts]).values_list("pk", flat=True))
    bad = [a for a in accounts if a.pk not in allowed]
    if bad:
        errors["accounts"] = [f"账号“{a}”不是本单位运行中（或关停公示中）的账号，不能发布。" for a in bad]
    if errors:
        raise ValidationError(errors)


def _snapshot(post: Post) -> dict:
    return {
        "kind": post.kind, "sensitivity": post.sensitivity, "origin": post.origin, "source_name": post.source_name,
        "source_url": post.source_url, "interprets": post.interprets_id,
        "columns": sorted(post.columns.values_list("pk", flat=True)),
        "accounts": sorted(post.accounts.values_list("pk", flat=True)),
        "publish_at": post.publish_at.isoformat() if post.publish_at else None,
    }


def _save_revision(post: Post, actor) -> PostRevision:
    Post.objects.filter(pk=post.pk).update(revision=F("revision") + 1)
    post.refresh_from_db(fields=["revision"])
    return PostRevision.objects.create(
        post=post, number=post.revision, title=post.title, body=post.body, data=_snapshot(post), created_by=actor
    )


def _set_co_producers(post: Post, co_producers: list[dict]):
    keep = []
    for item in co_producers:
        org = item["organisation"]
        if org.pk == post.organisation_id:
            raise ValidationError({"co_producers": "共同形成单位不能是本单位。"})
        row, _ = CoProducer.objects.update_or_create(
            post=post, organisation=org,
            defaults={"consent_on": item.get("consent_on"), "consent_reference": item.get("consent_reference", "")},
        )
        keep.append(row.pk)
    CoProducer.objects.filter(post=post).exclude(pk__in=keep).delete()


@transaction.atomic
def post_create(*, actor, organisation, title: str, body: str = "", columns=(), accounts=(), co_producers=None,
                **fields) -> Post:
    """A new draft by `actor` for `organisation`; its first revision is saved."""
    if not access.can_write(actor, organisation):
        raise PermissionDenied("您不是该单位的信息员或审核人员，不能为其撰写稿件。")
    post = Post(organisation=organisation, author=actor, title=title, body=sanitise(body),
                **{k: v for k, v in fields.items() if k in SCALAR_FIELDS})
    post.full_clean()
    _validate_channels(organisation, columns, accounts)
    post.save()
    post.columns.set(columns)
    post.accounts.set(accounts)
    if co_producers:
        _set_co_producers(post, co_producers)
    _save_revision(post, actor)
    audit.record_action(post, "create", actor=actor)
    return post


@transaction.atomic
def post_update(*, post: Post, actor, columns=None, accounts=None, co_producers=None, **fields) -> Post:
    """Save a change as a new revision (draft, returned or in review). Pages and the API save through
    `review.services.post_update`, which also checks the text again and tells a running review."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.status not in EDITABLE_STATUSES:
        raise DomainConflict(f"稿件{post.get_status_display()}，不能再修改。")
    if not access.can_write(actor, post.organisation):
        raise PermissionDenied("您不能修改该单位的稿件。")
    for name, value in fields.items():
        if name in SCALAR_FIELDS:
            setattr(post, name, sanitise(value) if name == "body" else value)
    if post.origin == Origin.ORIGINAL:
        post.source_name, post.source_url = "", ""
    post.full_clean()
    _validate_channels(post.organisation, columns if columns is not None else post.columns.all(),
                       accounts if accounts is not None else post.accounts.all())
    post.save()
    if columns is not None:
        post.columns.set(columns)
    if accounts is not None:
        post.accounts.set(accounts)
    if co_producers is not None:
        _set_co_producers(post, co_producers)
    revision = _save_revision(post, actor)
    audit.record_action(post, "edit", actor=actor, changes={"revision": [revision.number - 1, revision.number]})
    post.refresh_from_db()
    return post


class SubmitBlocked(ValidationError):
    """A submit stopped by content rules: `detail` is the 400 body with every problem and its position."""

    def __init__(self, detail: dict):
        super().__init__({k: v for k, v in detail.items() if k != "problems"})
        self.detail = detail


@transaction.atomic
def post_delete_draft(*, post: Post, actor) -> None:
    """The author throws away a draft that never went to review (its revisions and attachments with it).
    Anything once submitted keeps its history: it is withdrawn, not deleted."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.author_id != actor.pk or not access.can_write(actor, post.organisation):
        raise PermissionDenied("只有撰稿人可以删除自己的草稿。")
    if post.status != PostStatus.DRAFT or post.submitted_at is not None:
        raise DomainConflict("只有从未提交审核的草稿可以删除；已提交的稿件请撤回。")
    if post.interpretations.exists():
        raise DomainConflict("已有政策解读关联此稿件，不能删除。")
    audit.record_action(post, "delete", actor=actor, comment=post.title)
    post.delete()


def post_check(*, post: Post) -> Post:
    """Run the content checks on the post as saved: a blocking problem raises `SubmitBlocked`; the warnings
    are stored on the post, where every reviewer sees them."""
    result = checks.check_post(post)
    if result.blocking:
        raise SubmitBlocked(checks.blocking_error(result))
    post.warnings = [w.as_dict() for w in result.warnings]
    Post.objects.filter(pk=post.pk).update(warnings=post.warnings)
    return post


def publication_url(post: Post, channel, when: dt.datetime) -> str:
    """The URL of the item on the channel, in the usual pattern of government CMSs (…/YYYYMM/tYYYYMMDD_id.html)."""
    base = (getattr(channel, "url", "") or "").rstrip("/")
    if not base and hasattr(channel, "site"):
        base = channel.site.url.rstrip("/")
    if not base:
        return ""
    local = timezone.localtime(when)
    return f"{base}/{local:%Y%m}/t{local:%Y%m%d}_{post.pk}.html"


@transaction.atomic
def post_publish(*, post_id: int, now: dt.datetime | None = None) -> Post | None:
    """Publish a post that passed its last stage and whose time has come. Idempotent: a second call (a task
    delivered twice) finds it published and does nothing; it returns None when there was nothing to do."""
    now = now or timezone.now()
    post = Post.objects.select_for_update().filter(pk=post_id, status=PostStatus.SCHEDULED).first()
    if post is None or (post.publish_at and post.publish_at > now):
        return None
    # The moment it actually went out: a scheduled post picked up late is not backdated.
    when = now
    original = post.origin == Origin.ORIGINAL
    channels = []
    for column in post.columns.select_related("site"):
        url = publication_url(post, column, when)
        Publication.objects.get_or_create(post=post, column=column, defaults={"published_at": when, "url": url})
        channels.append({"column": column.pk, "account": None, "url": url})
        column_add_update(column=column, published_at=when, title=post.title, url=url, source="publication",
                          external_id=f"post-{post.pk}", original=original)
    for account in post.accounts.all():
        url = publication_url(post, account, when)
        Publication.objects.get_or_create(post=post, account=account, defaults={"published_at": when, "url": url})
        channels.append({"column": None, "account": account.pk, "url": url})
        account_add_update(account=account, published_at=when, title=post.title, url=url, original=original,
                           source="publication", external_id=f"post-{post.pk}")
    post.status, post.published_at, post.stage = PostStatus.PUBLISHED, when, None
    post.save(update_fields=["status", "published_at", "stage", "updated_at"])
    audit.record_action(post, "publish", actor=None, changes={"status": ["scheduled", "published"]})
    notify(users=[post.author], kind="post_published", text=f"您的稿件“{post.title}”已发布。", url=f"/posts/{post.pk}/")
    emit("post.published", organisation=post.organisation_id, occurred_at=when, data={
        "post": post.pk, "title": post.title, "kind": post.kind, "origin": post.origin, "published_at": when,
        "publications": channels,
    })
    return post


@transaction.atomic
def attachment_add(*, post: Post, actor, file) -> PostAttachment:
    post = Post.objects.select_for_update().get(pk=post.pk)
    if not access.can_write(actor, post.organisation):
        raise PermissionDenied("您不能修改该单位的稿件。")
    if post.status not in EDITABLE_STATUSES:
        raise DomainConflict(f"稿件{post.get_status_display()}，不能再添加附件。")
    name = (file.name or "附件")[:200]
    # By content, not name: the types and size of POST_ATTACHMENT_* (core.files "attachment"); a random name.
    check_upload("attachment", file, field="file")
    attachment = PostAttachment(post=post, file=file, name=name, size=file.size, uploaded_by=actor)
    attachment.full_clean()
    attachment.save()
    audit.record_action(post, "attach", actor=actor, changes={"attachment": [None, attachment.name]})
    return attachment


# --- word lists ---------------------------------------------------------------------------------------

WORD_FILE_MAX_BYTES = 10 * 1024 * 1024  # a national sensitive-word list runs to a few MB


def parse_word_file(raw: bytes, kind: str) -> list[tuple[str, str]]:
    """Entries from a txt (one per line) or csv (word,suggestion) file, UTF-8 (with or without BOM) or GBK."""
    entries = []
    for row in imports.parse_csv(imports.decode_text(raw)):
        if not row or not row[0] or row[0].startswith("#"):
            continue
        suggestion = row[1] if len(row) > 1 and kind == WordListKind.CORRECTION else ""
        entries.append((row[0], suggestion))
    return entries


def read_word_file(upload, kind: str) -> list[tuple[str, str]]:
    """An uploaded word file's entries; too big or unreadable is a ValidationError on `file`."""
    return parse_word_file(imports.read_upload(upload, max_bytes=WORD_FILE_MAX_BYTES), kind)


def parse_word_lines(text: str, kind: str) -> list[tuple[str, str]]:
    """The page's textarea: one entry a line; the correction list takes `错误说法,建议说法` (or =, →)."""
    entries = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if kind == WordListKind.CORRECTION:
            for sep in ("→", "=", ",", "，", "\t"):
                if sep in line:
                    word, suggestion = line.split(sep, 1)
                    entries.append((word.strip(), suggestion.strip()))
                    break
            else:
                entries.append((line, ""))
        else:
            entries.append((line, ""))
    return entries


@transaction.atomic
def word_list_replace(*, organisation, kind: str, entries: list[tuple[str, str]], actor, append: bool = False) -> WordList:
    """Set (or extend) an organisation's list of one kind; its version moves so matching rebuilds."""
    if kind not in WordListKind.values:
        raise ValidationError({"kind": "未知的词表类型。"})
    if not access.can_manage_organisation(actor, organisation):
        raise PermissionDenied("只有主管单位工作人员可以维护词表。")
    errors = [f"“{w[:20]}…”超过 200 字。" for w, s in entries if len(w) > 200 or len(s) > 200]
    if errors:
        raise ValidationError({"entries": errors})
    word_list, created = WordList.objects.select_for_update().get_or_create(organisation=organisation, kind=kind)
    if not append:
        word_list.entries.all().delete()
    unique = {}
    for word, suggestion in entries:
        if word:
            unique[word] = suggestion
    existing = set(word_list.entries.values_list("text", flat=True)) if append else set()
    WordEntry.objects.bulk_create(
        [WordEntry(word_list=word_list, text=w, suggestion=s) for w, s in unique.items() if w not in existing],
        batch_size=2000,
    )
    if not created:
        WordList.objects.filter(pk=word_list.pk).update(version=F("version") + 1, updated_at=timezone.now())
        word_list.refresh_from_db()
    audit.record_action(word_list, "replace" if not append else "import", actor=actor,
                        changes={"entries": [None, len(unique)]})
    return word_list
