"""Demo of 三审三校: the posts publishing's demo wrote (`region["posts"]`) are taken through review to the
state each one's name says, so the bureau has posts at every stage and in every state.

Without channels publishing's demo writes only drafts, and there is nothing to review.
"""
import datetime as dt

from django.utils import timezone

from publishing.models import Post, PostStatus
from publishing.services import post_publish

from .models import ReviewTask, TaskStatus
from .services import post_submit, post_withdraw, task_approve, task_return

# Who decides each stage at 县教育局: six different people.
DECIDERS = ["edu_editor", "edu_deputy", "edu_principal", "edu_editor2", "edu_section", "edu_deputy2"]


def _advance(post, people, stages: int, comment="同意"):
    for _ in range(stages):
        task = ReviewTask.objects.get(post=post, status=TaskStatus.OPEN)
        task_approve(task_id=task.pk, user=people[DECIDERS[task.position]], comment=comment, revision=post.revision)


def seed_area(region, stdout):
    people, posts = region["people"], region.get("posts", {})
    if "stage1" not in posts:
        return
    author = people["edu_editor"]

    for stages in range(6):
        post = posts[f"stage{stages + 1}"]
        post_submit(post=post, actor=author)
        _advance(post, people, stages)

    post_submit(post=posts["warned"], actor=author)

    post_submit(post=posts["major"], actor=author)
    _advance(posts["major"], people, 2)

    returned = posts["returned"]
    post_submit(post=returned, actor=author)
    _advance(returned, people, 1)
    task = ReviewTask.objects.get(post=returned, status=TaskStatus.OPEN)
    task_return(task_id=task.pk, user=people["edu_deputy"], comment="数据须与统计局口径一致，请核实后重新提交。")

    post_submit(post=posts["scheduled"], actor=author)
    _advance(posts["scheduled"], people, 6)

    for n in range(2):
        post = posts[f"published{n + 1}"]
        post_submit(post=post, actor=author)
        _advance(post, people, 6)
        post_publish(post_id=post.pk, now=timezone.now() - dt.timedelta(days=2 - n))

    reprint = posts["reprint"]
    post_submit(post=reprint, actor=author)
    _advance(reprint, people, 6)
    post_publish(post_id=reprint.pk)

    withdrawn = posts["withdrawn"]
    post_submit(post=withdrawn, actor=author)
    post_withdraw(post=withdrawn, actor=author, comment="内容需与市局文件同步，暂缓发布。")

    edu = posts["draft"].organisation
    reviewed = Post.objects.filter(organisation=edu).exclude(status=PostStatus.DRAFT)
    stdout.write(f"审校演示：{reviewed.count()} 篇稿件送审（各环节、各状态），"
                 f"其中 {reviewed.filter(status=PostStatus.PUBLISHED).count()} 篇已发布。")
