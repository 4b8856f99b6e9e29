"""Publication tasks: thin wrappers around `services.post_publish`, safe to run twice.

Tasks import services, never the other way round: the review engine queues a publication with
`queue_publication` once a post passes its last stage."""
import logging

from celery import shared_task
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Post, PostStatus
from .services import post_publish

logger = logging.getLogger(__name__)


def queue_publication(post_id: int) -> None:
    """Publish after the approving transaction commits, never before (the worker must see the approval)."""
    # robust: a broker that is down must not fail the approval; the every-minute sweep publishes it then.
    transaction.on_commit(lambda: publish_post.delay(post_id), robust=True)


@shared_task
def publish_post(post_id: int) -> bool:
    return post_publish(post_id=post_id) is not None


@shared_task
def publish_due_posts() -> int:
    """Every minute: publish approved posts whose time has come (scheduled ones, and any immediate one whose
    message was lost). Scheduled times wait here rather than as long ETAs on the broker."""
    due = Post.objects.filter(status=PostStatus.SCHEDULED).filter(Q(publish_at__isnull=True) | Q(publish_at__lte=timezone.now()))
    done = 0
    for pk in due.values_list("pk", flat=True)[:500]:
        try:
            if post_publish(post_id=pk) is not None:
                done += 1
        except Exception:  # one bad post never stops the others
            logger.exception("publishing post %s failed", pk)
    return done
