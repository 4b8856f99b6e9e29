"""Who may write which posts, and fetching one post for a user (out of scope = not found)."""
from __future__ import annotations

from django.http import Http404

from organisations.models import Membership, Organisation, Role

from .models import Post

# The unit's own people write posts; a contracted operator drafts for the unit it works for.
AUTHOR_ROLES = (Role.EDITOR, Role.SECTION_HEAD, Role.DEPUTY_HEAD, Role.PRINCIPAL, Role.OPERATOR)


def writable_organisations(user):
    if user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(
        pk__in=Membership.objects.filter(user=user, role__in=AUTHOR_ROLES).values("organisation")
    )


def can_write(user, organisation) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(user=user, organisation=organisation, role__in=AUTHOR_ROLES).exists()


def get_post_for(user, pk) -> Post:
    post = Post.objects.for_user(user).select_related("organisation", "author", "interprets").filter(pk=pk).first()
    if post is None:
        raise Http404("稿件不存在。")
    return post


def channel_querysets(organisation):
    """Columns and accounts the organisation may publish to: columns of its sites or that it is responsible
    for, accounts it owns (and that are live)."""
    from django.db.models import Q

    from accounts.models import Account
    from sites.models import Column

    columns = Column.objects.filter(Q(site__owner=organisation) | Q(responsible=organisation)).select_related("site")
    accounts = Account.objects.filter(owner=organisation).live()
    return columns, accounts
