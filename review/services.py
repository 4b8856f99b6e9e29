"""The review engine (三审三校) and a post's way through it.

Why the split between publishing and review is where it is: publishing owns the post as content (posts,
revisions, attachments, co-producers, content checks, word lists) and its publication, and never imports
review; 三审三校 is a process that acts on posts, as wagtail's workflows act on pages that know nothing of
them. So every transition that moves a post into, through or out of review is the engine's and lives here:
submitting (content checks, then the first stage), an edit while in review (checked again; after any
approval the run starts over at the first stage), withdrawing (the run ends), each stage's decision, and
queueing the publication after the last one (publishing's `queue_publication`/`post_publish` do the rest).
The pages and API actions that start or show these sit in review too: the post page with its review
history, the edit page's save, submit and withdraw (`review.api.PostViewSet` is publishing's post endpoint
plus those actions, registered as `posts/`), and the register (台账), which joins review decisions with
publications. Publishing keeps the post list, the new-post form, the word lists and their APIs. The decide
permission stays a guardian permission on the post (publishing's direct-FK `PostUserObjectPermission`);
only this module grants and withdraws it.

The engine is modelled on wagtail's workflows: a run (`ReviewRun`) per submission and a step (`ReviewTask`)
per stage, pinned to the revision it decided. Every transition locks the run, checks the current state (409
when it does not allow the action), records who and when, writes the audit entry, and moves to the next
step. The permission to decide is granted to the holders of the stage's role when the stage opens and
withdrawn when it closes.
"""
from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from govmedia.core import audit
from govmedia.core.exceptions import DomainConflict
from govmedia.core.workdays import add_workdays
from notifications.services import notify
from organisations import access
from organisations.models import Membership, Role, User
from publishing import services as post_services
from publishing.models import Post, PostRevision, PostStatus, PostUserObjectPermission, Sensitivity, Stage
from publishing.tasks import queue_publication

from .models import (
    DEFAULT_STAGES, ReviewPolicy, ReviewRun, ReviewTask, RunStatus, TaskStatus, pack_stages_message, pack_stages_missing,
    validate_stages,
)

logger = logging.getLogger(__name__)
DECIDE = "decide_post"


def _decide_permission() -> Permission:
    return Permission.objects.get(content_type__app_label="publishing", codename=DECIDE)


def policy_for(post: Post) -> tuple[list[dict], bool]:
    """The stages that apply to the post: the nearest policy for its sensitivity on its organisation or one
    above it, else SPEC's default. A routine policy never applies to a major post (it is looked up by
    sensitivity), and a major policy cannot be shorter than the default (`validate_stages`)."""
    ancestors = post.organisation.ancestor_ids()
    policies = {p.organisation_id: p for p in ReviewPolicy.objects.filter(organisation_id__in=ancestors, sensitivity=post.sensitivity)}
    for org_id in reversed(ancestors):
        if org_id in policies:
            policy = policies[org_id]
            stages = validate_stages(policy.stages, post.sensitivity)
            # A policy set before the unit's pack asked for more (安岳: all six) gets the missing stages back.
            missing = set(pack_stages_missing(post.organisation, stages))
            if missing:
                own = {s["stage"]: s for s in stages}
                stages = [own.get(s["stage"], dict(s)) for s in DEFAULT_STAGES if s["stage"] in own or s["stage"] in missing]
            return stages, policy.distinct_people
    return [dict(s) for s in DEFAULT_STAGES], False


@transaction.atomic
def policy_save(*, organisation, sensitivity: str, stages: list[dict], distinct_people: bool, actor) -> ReviewPolicy:
    if not access.can_direct_unit(actor, organisation):
        raise PermissionDenied("只有本单位主要负责人或主管单位工作人员可以设置审校流程。")
    policy = ReviewPolicy.objects.filter(organisation=organisation, sensitivity=sensitivity).first() or ReviewPolicy(
        organisation=organisation, sensitivity=sensitivity
    )
    policy.stages, policy.distinct_people = stages, distinct_people
    policy.full_clean()
    policy.save()
    audit.record_action(policy, "configure", actor=actor, changes={"stages": [None, policy.stages]})
    return policy


def stage_holders(post: Post, role: str):
    return User.objects.filter(
        is_active=True, memberships__organisation=post.organisation_id, memberships__role=role
    ).distinct()


def _task_url(task: ReviewTask) -> str:
    return reverse("review-task", args=[task.pk])


def _post_url(post: Post) -> str:
    return reverse("post-detail", args=[post.pk])


def _grant(post: Post, users) -> None:
    permission = _decide_permission()
    PostUserObjectPermission.objects.bulk_create(
        [PostUserObjectPermission(user=u, permission=permission, content_object=post) for u in users],
        ignore_conflicts=True,
    )


def _withdraw(post: Post) -> None:
    PostUserObjectPermission.objects.filter(content_object=post, permission__codename=DECIDE).delete()


def _open_task(run: ReviewRun, position: int, post: Post, actor=None) -> ReviewTask:
    spec = run.stages[position]
    revision = PostRevision.objects.get(post=post, number=post.revision)
    now = timezone.now()
    task = ReviewTask.objects.create(
        run=run, post=post, position=position, stage=spec["stage"], role=spec["role"], revision=revision,
        opened_at=now, due_on=add_workdays(timezone.localdate(now), int(spec.get("days", 1))),
    )
    previous_stage = post.stage
    Post.objects.filter(pk=post.pk).update(stage=spec["stage"])
    post.stage = spec["stage"]
    barred = barred_for(run, task)
    holders = [u for u in stage_holders(post, spec["role"]) if u.pk not in barred]
    _grant(post, holders)
    # The UPDATE and the grants bypass the change log: one entry says what they did (issue 12).
    audit.record_action(post, "update", actor=actor, changes={"stage": [previous_stage, spec["stage"]]},
                        comment=f"开启{Stage(spec['stage']).label}环节，{len(holders)} 人可办理",
                        data={"task": task.pk, "deciders": [u.pk for u in holders]})
    notify(users=holders, kind="step_opened", url=_task_url(task),
           text=f"稿件“{post.title}”待您{Stage(spec['stage']).label}（{post.organisation}）。")
    return task


@transaction.atomic
def run_start(*, post: Post, actor) -> ReviewRun:
    """Start review at the first stage of the policy that applies to the post."""
    stages, distinct = policy_for(post)
    try:
        with transaction.atomic():
            run = ReviewRun.objects.create(post=post, stages=stages, distinct_people=distinct, started_by=actor)
    except IntegrityError:
        raise DomainConflict("该稿件已在审校中。") from None
    _open_task(run, 0, post, actor)
    return run


@transaction.atomic
def run_cancel(*, post: Post, actor, reason: str) -> ReviewRun | None:
    """End the active run, if any: its open step closes as cancelled and nobody may decide it any more."""
    run = ReviewRun.objects.select_for_update().filter(post=post, status=RunStatus.ACTIVE).first()
    if run is None:
        return None
    now = timezone.now()
    cancelled = list(run.tasks.filter(status=TaskStatus.OPEN).values_list("pk", flat=True))
    run.tasks.filter(pk__in=cancelled).update(status=TaskStatus.CANCELLED, decided_at=now, comment=reason)
    run.status, run.finished_at, run.end_reason = RunStatus.CANCELLED, now, reason
    run.save(update_fields=["status", "finished_at", "end_reason"])
    _withdraw(post)
    previous_stage = post.stage
    Post.objects.filter(pk=post.pk).update(stage=None)
    # The bulk UPDATEs bypass the change log: one entry names the steps cancelled (issue 12).
    audit.record_action(post, "update", actor=actor, changes={"stage": [previous_stage, None]},
                        comment=f"审校终止（{reason}），取消未办环节 {len(cancelled)} 个",
                        data={"cancelled_tasks": cancelled})
    return run


@transaction.atomic
def run_content_changed(*, post: Post, revision: PostRevision, actor) -> None:
    """A post in review was edited. After any approval in this run, review starts again at the first stage
    (what was approved is no longer what would be published); before any, the open step decides the new
    revision."""
    run = ReviewRun.objects.select_for_update().filter(post=post, status=RunStatus.ACTIVE).first()
    if run is None:
        return
    if run.tasks.filter(status=TaskStatus.APPROVED).exists():
        run_cancel(post=post, actor=actor, reason=f"第{revision.number}版修改了已审内容，重新审校")
        audit.record_action(post, "restart", actor=actor, comment="审校通过后稿件被修改，从一审重新开始。")
        run_start(post=post, actor=actor)
    else:
        moved = list(run.tasks.filter(status=TaskStatus.OPEN).values_list("pk", flat=True))
        run.tasks.filter(pk__in=moved).update(revision=revision)
        audit.record_action(post, "update", actor=actor, comment=f"待办环节改为审校第{revision.number}版",
                            data={"tasks": moved, "revision": revision.number})


# --- the post's passage through review ---------------------------------------------------------------

@transaction.atomic
def post_submit(*, post: Post, actor) -> Post:
    """Send a draft or returned post into review: content checks first (blocking → 400), then review1."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    if not access.can_write(actor, post.organisation):
        raise PermissionDenied("您不能提交该单位的稿件。")
    if post.status not in (PostStatus.DRAFT, PostStatus.RETURNED):
        raise DomainConflict(f"稿件{post.get_status_display()}，不能提交审核。")
    if not post.columns.exists() and not post.accounts.exists():
        raise ValidationError({"columns": "请至少选择一个发布栏目或账号。"})
    post_services.post_check(post=post)
    post.status = PostStatus.IN_REVIEW
    post.submitted_at = timezone.now()
    post.save(update_fields=["status", "submitted_at", "updated_at"])
    audit.record_action(post, "submit", actor=actor, changes={"status": ["draft", "in_review"]})
    run_start(post=post, actor=actor)
    post.refresh_from_db()
    return post


@transaction.atomic
def post_update(*, post: Post, actor, **changes) -> Post:
    """Save a change (publishing's `post_update`: a new revision). During review the text is checked again
    (blocking → 400, nothing saved); a change after any approval starts review again at the first stage, a
    change before any approval keeps the open stage, which will decide the new revision."""
    lowered = changes.get("sensitivity") == Sensitivity.ROUTINE and post.sensitivity == Sensitivity.MAJOR
    if lowered and post.submitted_at is not None:
        # SPEC: sensitivity may be raised by any reviewer, never lowered by the author after submission.
        raise ValidationError({"sensitivity": "稿件已提交审核，不能再降低敏感程度。"})
    post = post_services.post_update(post=post, actor=actor, **changes)
    if post.status == PostStatus.IN_REVIEW:
        post_services.post_check(post=post)
        revision = PostRevision.objects.get(post=post, number=post.revision)
        run_content_changed(post=post, revision=revision, actor=actor)
        post.refresh_from_db()
    return post


@transaction.atomic
def post_withdraw(*, post: Post, actor, comment: str = "") -> Post:
    """Take a post out: a draft or one in review stops; a published one is recorded as withdrawn (撤稿)."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    if not access.can_write(actor, post.organisation):
        raise PermissionDenied("您不能撤回该单位的稿件。")
    if post.status == PostStatus.WITHDRAWN:
        raise DomainConflict("稿件已撤回。")
    run_cancel(post=post, actor=actor, reason="稿件撤回")
    previous = post.status
    post.status, post.stage, post.withdrawn_at = PostStatus.WITHDRAWN, None, timezone.now()
    post.save(update_fields=["status", "stage", "withdrawn_at", "updated_at"])
    audit.record_action(post, "withdraw", actor=actor, comment=comment, changes={"status": [previous, "withdrawn"]})
    return post


REVIEW_STAGES = (Stage.REVIEW1, Stage.REVIEW2, Stage.REVIEW3)


def barred_for(run: ReviewRun, task: ReviewTask) -> dict[int, str]:
    """Who may not decide `task` whatever roles they hold, and why (SPEC "三审三校 that one person cannot
    pass"): the author decides at most 一审; 一审, 二审 and 三审 are three different people; with the unit's
    `distinct_people`, nobody decides two steps of the run. One query, used both when the step opens (whom
    to grant it) and when someone decides it."""
    barred: dict[int, str] = {}
    decided = run.tasks.filter(status=TaskStatus.APPROVED).exclude(pk=task.pk).values_list("decided_by", "stage")
    for user_id, stage in decided:
        if task.stage in REVIEW_STAGES and stage in REVIEW_STAGES:
            barred[user_id] = (f"一审、二审、三审须由三位不同人员办理，您已办理本稿件的{Stage(stage).label}。")
        elif run.distinct_people:
            barred.setdefault(user_id, "本单位要求各环节由不同人员办理，您已办理过本稿件的其他环节。")
    if task.stage != Stage.REVIEW1:
        barred[task.post.author_id] = f"您是本稿件的撰稿人，只能办理一审，{task.get_stage_display()}须由他人办理。"
    return barred


def refusal(user, task: ReviewTask) -> str | None:
    """Why `user` may not decide the open step `task`, or None when they may. Holding the decide permission
    (granted for this stage) and the stage's role is necessary; the integrity rules above can still bar."""
    if not user.is_authenticated:
        return "请先登录。"
    if task.status != TaskStatus.OPEN:
        return f"该环节{task.get_status_display()}，不能再办理。"
    reason = barred_for(task.run, task).get(user.pk)
    if reason:
        return reason
    holds = (
        PostUserObjectPermission.objects.filter(user=user, content_object_id=task.post_id, permission__codename=DECIDE).exists()
        and Membership.objects.filter(user=user, organisation_id=task.post.organisation_id, role=task.role).exists()
    )
    if not holds:
        return f"{task.get_stage_display()}须由本单位{task.get_role_display()}办理，您没有该环节的办理权限。"
    return None


def may_decide(user, task: ReviewTask) -> bool:
    return refusal(user, task) is None


def _decide(*, task_id: int, user, approve: bool, comment: str, revision: int | None) -> ReviewTask:
    # Lock the run first: every transition of this post's review serialises on it, so of two reviewers
    # deciding the same step at once exactly one finds it open.
    task = ReviewTask.objects.select_related("post", "post__organisation", "run").get(pk=task_id)
    run = ReviewRun.objects.select_for_update().get(pk=task.run_id)
    task = ReviewTask.objects.select_related("post", "post__organisation", "decided_by", "revision").get(pk=task_id)
    if task.status != TaskStatus.OPEN:
        who = f"已由{task.decided_by}办理" if task.decided_by else f"已{task.get_status_display()}"
        raise DomainConflict(f"该环节（{task.get_stage_display()}）{who}，不能再办理。")
    reason = refusal(user, task)
    if reason:
        raise PermissionDenied(reason)
    if revision is not None and revision != task.revision.number:
        raise DomainConflict(f"稿件已修改为第{task.revision.number}版，请查看最新内容后再办理。")
    if not approve and not (comment or "").strip():
        raise ValidationError({"comment": "退回须填写意见。"})
    if approve and task.position + 1 >= len(run.stages):
        # The last step publishes: never with fewer stages than the unit's pack requires (a run begun before
        # the unit adopted it). Withdrawing and submitting again runs the full list.
        missing = pack_stages_missing(task.post.organisation, run.stages)
        if missing:
            raise ValidationError({"stages": pack_stages_message(task.post.organisation, missing) + "请撤回稿件后重新提交审校。"})
    now = timezone.now()
    status = TaskStatus.APPROVED if approve else TaskStatus.RETURNED
    claimed = ReviewTask.objects.filter(pk=task.pk, status=TaskStatus.OPEN).update(
        status=status, decided_by=user, decided_at=now, comment=comment or ""
    )
    if claimed != 1:
        raise DomainConflict("该环节已由他人办理。")
    task.refresh_from_db()
    # The claim is an UPDATE, which the change log does not see: the step's own entry (issue 12).
    audit.record_action(task, "approve" if approve else "return", actor=user, comment=comment or "",
                        changes={"status": [TaskStatus.OPEN.value, status.value], "decided_by": [None, str(user)]})
    post = Post.objects.select_for_update().get(pk=task.post_id)
    _withdraw(post)
    audit.record_action(
        post, "approve" if approve else "return", actor=user, comment=comment or "",
        changes={"stage": [task.stage, None], "revision": [task.revision.number, task.revision.number]},
    )
    if not approve:
        run.status, run.finished_at, run.end_reason = RunStatus.RETURNED, now, comment
        run.save(update_fields=["status", "finished_at", "end_reason"])
        post.status, post.stage = PostStatus.RETURNED, None
        post.save(update_fields=["status", "stage", "updated_at"])
        notify(users=[post.author], kind="post_returned", url=_post_url(post),
               text=f"您的稿件“{post.title}”在{task.get_stage_display()}被{user}退回：{comment}")
        return task
    if task.position + 1 < len(run.stages):
        _open_task(run, task.position + 1, post, user)
        return task
    run.status, run.finished_at = RunStatus.APPROVED, now
    run.save(update_fields=["status", "finished_at"])
    post.status, post.stage = PostStatus.SCHEDULED, None
    post.save(update_fields=["status", "stage", "updated_at"])
    if post.publish_at is None or post.publish_at <= now:
        queue_publication(post.pk)
    return task


@transaction.atomic
def task_raise_sensitivity(*, task_id: int, user, comment: str = "") -> ReviewTask:
    """A reviewer of the open step marks the post 重大敏感: the run ends and review starts again at the first
    stage of the major policy (signed by the principal, never shorter than the full 三审三校)."""
    task = ReviewTask.objects.select_related("post", "post__organisation", "run").get(pk=task_id)
    ReviewRun.objects.select_for_update().get(pk=task.run_id)
    task.refresh_from_db()
    reason = refusal(user, task)
    if reason:
        raise PermissionDenied(reason)
    post = Post.objects.select_for_update().get(pk=task.post_id)
    if post.sensitivity == Sensitivity.MAJOR:
        raise DomainConflict("稿件已是重大敏感稿件。")
    Post.objects.filter(pk=post.pk).update(sensitivity=Sensitivity.MAJOR)
    post.sensitivity = Sensitivity.MAJOR
    run_cancel(post=post, actor=user, reason=f"{task.get_stage_display()}审核人将稿件升级为重大敏感稿件，重新审校")
    audit.record_action(post, "raise_sensitivity", actor=user, comment=comment,
                        changes={"sensitivity": [Sensitivity.ROUTINE.value, Sensitivity.MAJOR.value]})
    run_start(post=post, actor=user)
    task.refresh_from_db()
    return task


@transaction.atomic
def task_approve(*, task_id: int, user, comment: str = "", revision: int | None = None) -> ReviewTask:
    """Approve the open step; the next stage opens, or after the last the post is published (now or at its time)."""
    return _decide(task_id=task_id, user=user, approve=True, comment=comment, revision=revision)


@transaction.atomic
def task_return(*, task_id: int, user, comment: str, revision: int | None = None) -> ReviewTask:
    """Return the post to its author with a comment; resubmission starts again at the first stage."""
    return _decide(task_id=task_id, user=user, approve=False, comment=comment, revision=revision)


def notify_overdue(*, today: dt.date | None = None) -> int:
    """Tell the deputy heads (and the stage's holders) of each step past its due date, once per step.

    Each step is claimed by a conditional UPDATE so two runs never notify twice; one bad row is logged and
    skipped."""
    today = today or timezone.localdate()
    count = 0
    for task in ReviewTask.objects.overdue(today).filter(overdue_notified_at__isnull=True).select_related("post", "post__organisation"):
        try:
            with transaction.atomic():
                if not ReviewTask.objects.filter(pk=task.pk, overdue_notified_at__isnull=True, status=TaskStatus.OPEN).update(
                    overdue_notified_at=timezone.now()
                ):
                    continue
                post = task.post
                users = list(stage_holders(post, Role.DEPUTY_HEAD)) + list(
                    User.objects.filter(postuserobjectpermission__content_object=post).distinct()
                )
                notify(users=users, kind="step_overdue", url=_task_url(task),
                       text=f"稿件“{post.title}”的{task.get_stage_display()}已超过办理期限（{task.due_on:%Y-%m-%d}）。")
                count += 1
        except Exception:
            logger.exception("overdue notice for review task %s failed", task.pk)
    return count
