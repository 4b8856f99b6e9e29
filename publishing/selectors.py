"""Reads of posts: fetching one post for a user (out of scope = not found), and where a unit may publish."""
from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from accounts.models import Account
from sites.models import Column

from .models import Post


def get_post_for(user, pk) -> Post:
    post = Post.objects.for_user(user).select_related("organisation", "author", "interprets").filter(pk=pk).first()
    if post is None:
        raise Http404("稿件不存在。")
    return post


def channel_querysets(organisation):
    """Columns and accounts the organisation may publish to: columns of its sites or that it is responsible
    for, accounts it owns (and that are live)."""
    columns = Column.objects.filter(Q(site__owner=organisation) | Q(responsible=organisation)).select_related("site")
    accounts = Account.objects.filter(owner=organisation).live()
    return columns, accounts
