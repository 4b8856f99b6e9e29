"""Reads of posts: fetching one post for a user (out of scope = not found), and where a unit may publish."""
from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from accounts.models import Account
from sites.models import Column, SiteStatus

from .models import Post


def get_post_for(user, pk) -> Post:
    post = Post.objects.for_user(user).select_related("organisation", "author", "interprets").filter(pk=pk).first()
    if post is None:
        raise Http404("稿件不存在。")
    return post


def filter_posts(user, *, status=None, sensitivity=None, updated_from=None, updated_to=None, mine=False):
    """The post list's rows for its filter form's fields (the page's and the 工作台's 被退回 count: one query)."""
    posts = Post.objects.for_user(user)
    if status:
        posts = posts.filter(status=status)
    if sensitivity:
        posts = posts.filter(sensitivity=sensitivity)
    if updated_from:
        posts = posts.filter(updated_at__date__gte=updated_from)
    if updated_to:
        posts = posts.filter(updated_at__date__lte=updated_to)
    if mine:
        posts = posts.filter(author=user)
    return posts


def channel_querysets(organisation):
    """Columns and accounts the organisation may publish to: columns of its running sites or that it is
    responsible for, accounts it owns that are running or in their closure notice (never 申请开设)."""
    columns = Column.objects.filter(
        Q(site__owner=organisation) | Q(responsible=organisation), site__status=SiteStatus.RUNNING
    ).select_related("site")
    accounts = Account.objects.filter(owner=organisation).publishable()
    return columns, accounts
