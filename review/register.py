"""The 审核发布登记台账: every published post of a period with each stage's decider and time.

It joins review decisions with publications, so it lives here, above both."""
from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch
from django.utils import timezone

from govmedia.core import documents
from publishing.models import STAGE_ORDER, Post, Stage

from .models import ReviewTask, RunStatus, TaskStatus


def queryset(*, user, start: dt.date, end: dt.date, organisation=None):
    posts = Post.objects.for_user(user).published_between(start, end)
    if organisation is not None:
        posts = posts.filter(organisation__path__startswith=organisation.path)
    decisions = ReviewTask.objects.filter(run__status=RunStatus.APPROVED, status=TaskStatus.APPROVED).select_related(
        "decided_by", "revision"
    ).order_by("position")
    return (
        posts.select_related("organisation", "author")
        .prefetch_related(
            Prefetch("review_tasks", queryset=decisions, to_attr="decisions"),
            "publications__column__site", "publications__account",
        )
        .order_by("published_at", "id")
    )


def rows(*, user, start, end, organisation=None) -> list[dict]:
    out = []
    for post in queryset(user=user, start=start, end=end, organisation=organisation):
        out.append({
            "post": post.pk,
            "title": post.title,
            "organisation": post.organisation_id,
            "organisation_name": post.organisation.name,
            "kind": post.kind,
            "sensitivity": post.sensitivity,
            "origin": post.origin,
            "source_name": post.source_name,
            "author": str(post.author),
            "submitted_at": post.submitted_at,
            "published_at": post.published_at,
            "decisions": [
                {"stage": t.stage, "stage_display": t.get_stage_display(), "decided_by": t.decided_by_id,
                 "decided_by_name": str(t.decided_by), "decided_at": t.decided_at, "comment": t.comment,
                 "revision": t.revision.number}
                for t in post.decisions
            ],
            "publications": [
                {"channel": str(p.channel), "column": p.column_id, "account": p.account_id, "url": p.url,
                 "published_at": p.published_at}
                for p in post.publications.all()
            ],
        })
    return out


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def to_xlsx(data: list[dict], start, end) -> bytes:
    book = documents.workbook()
    ws = book.create_sheet("审核发布登记台账")
    documents.append_title(ws, f"审核发布登记台账（{start:%Y-%m-%d} 至 {end:%Y-%m-%d}）")
    header = ["序号", "稿件编号", "标题", "单位", "撰稿人", "提交时间"]
    for stage in STAGE_ORDER:
        label = Stage(stage).label
        header += [f"{label}人", f"{label}时间"]
    header += ["发布时间", "发布渠道及链接"]
    documents.append_header(ws, header)
    for number, row in enumerate(data, start=1):
        by_stage = {d["stage"]: d for d in row["decisions"]}
        line = [number, row["post"], row["title"], row["organisation_name"], row["author"], _local(row["submitted_at"])]
        for stage in STAGE_ORDER:
            d = by_stage.get(stage)
            line += [d["decided_by_name"], _local(d["decided_at"])] if d else ["", ""]
        line += [_local(row["published_at"]), "\n".join(f"{p['channel']} {p['url']}".strip() for p in row["publications"])]
        # The last cell lists one channel a line. Titles are the authors' text: written as safe cells.
        ws.append([documents.cell(ws, value) for value in line[:-1]] + [documents.cell(ws, line[-1], wrap=True)])
    ws.column_dimensions["C"].width = 40
    return documents.xlsx_bytes(book)
