"""The 工作台: what waits for the signed-in person, each count taken from the very query of the list its link opens.

Every entry names the list (url name and query string) and selects its rows as that list does (the review queue's
own `queue_for`, the filing queue's `actionable_filings`, the findings selectors, and the selectors the replies and
posts lists filter with: `inspections.selectors.filter_replies`, `publishing.selectors.filter_posts`).
tests/test_home_workbench.py opens every link and compares.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import urlencode

from django.http import QueryDict
from django.urls import reverse

from accounts.filing_services import actionable_filings
from inspections import rectification
from inspections import selectors as inspection_selectors
from inspections.services import local_today
from organisations import access
from organisations.models import Role
from publishing import selectors as publishing_selectors
from publishing.models import PostStatus
from review.views import queue_for


@dataclass(frozen=True)
class Entry:
    key: str
    label: str        # "{n} 个…": the sentence the count goes into
    url_name: str
    query: dict
    rows: Callable    # (user, query) -> the list's queryset for that query
    concerns: Callable  # (roles) -> whether this kind of work is the person's to do (shown even when nothing waits)
    overdue: bool = False


def _review_rows(user, query):
    # The queue page's own selection, given the same query string as the link.
    return queue_for(SimpleNamespace(user=user, GET=QueryDict(urlencode(query))))


def _filing_rows(user, query):
    return actionable_filings(user)


def _unit_finding_rows(user, query):
    return inspection_selectors.unit_findings(user)


def _overdue_finding_rows(user, query):
    return inspection_selectors.finding_tile(user, None, "overdue", as_of=local_today())


def _answers_to_review_rows(user, query):
    # The findings list's own query for ?rectification_state=submitted (follow-ups shown under their finding).
    return inspection_selectors.filter_findings(
        rectification.hide_follow_ups(inspection_selectors.visible_findings(user)), rectification_state=query["rectification_state"])


def _reply_filters(query) -> dict:
    # The lists' own reading of ?open=1 / ?overdue=1 (inspections.views).
    return {"open": query.get("open") == "1", "overdue": query.get("overdue") == "1", "as_of": local_today()}


def _message_rows(user, query):
    return inspection_selectors.filter_replies(inspection_selectors.visible_messages(user), **_reply_filters(query))


def _error_report_rows(user, query):
    return inspection_selectors.filter_replies(inspection_selectors.visible_error_reports(user), **_reply_filters(query))


def _returned_post_rows(user, query):
    return publishing_selectors.filter_posts(user, status=query["status"], mine=query.get("mine") == "1")


# Whose work each entry is, from the person's roles (read once): the same facts organisations.access asks, without
# a query per question on the home page.
def _reviews(roles: set) -> bool:
    # access.WORKING_ROLES may be given a review stage; supervisors and auditors decide none.
    return bool(roles & set(access.WORKING_ROLES))


def _decides_filings(roles: set) -> bool:
    # access.directed_organisations: a supervisor, or a unit's principal.
    return bool(roles & {Role.SUPERVISOR, Role.PRINCIPAL})


def _acts_for_a_unit(roles: set) -> bool:
    # access.acting_organisations: any role but the auditor's.
    return bool(roles - {Role.AUDITOR})


def _writes(roles: set) -> bool:
    # access.writable_organisations.
    return bool(roles & set(access.WORKING_ROLES))


def _supervises(roles: set) -> bool:
    # access.can_review_rectification: the supervisors of a finding's unit decide its answer.
    return Role.SUPERVISOR in roles


def _sees_business(roles: set) -> bool:
    return bool(roles)


ENTRIES = [
    Entry("review", "个审校环节待我办理", "review-queue", {}, _review_rows, _reviews),
    Entry("filings", "个备案待我审批", "filing-queue", {}, _filing_rows, _decides_filings),
    Entry("findings", "个本单位问题待整改", "inspections-my-findings", {}, _unit_finding_rows, _acts_for_a_unit),
    Entry("rectifications", "个整改反馈待我审核", "finding-list", {"rectification_state": "submitted"},
          _answers_to_review_rows, _supervises),
    Entry("messages", "条留言待答复", "message-list", {"open": "1"}, _message_rows, _acts_for_a_unit),
    Entry("error-reports", "条网民找错待答复", "error-report-list", {"open": "1"}, _error_report_rows, _acts_for_a_unit),
    Entry("returned", "篇我的稿件被退回待修改", "post-list", {"status": PostStatus.RETURNED.value, "mine": "1"},
          _returned_post_rows, _writes),
    Entry("review-overdue", "个审校环节已超时", "review-queue", {"overdue": "1"}, _review_rows, _reviews, overdue=True),
    Entry("findings-overdue", "个问题逾期未整改", "finding-list", dict(inspection_selectors.FINDING_TILES["overdue"]),
          _overdue_finding_rows, _sees_business, overdue=True),
    Entry("messages-overdue", "条留言逾期未答复", "message-list", {"overdue": "1"}, _message_rows, _acts_for_a_unit,
          overdue=True),
    Entry("error-reports-overdue", "条网民找错逾期未答复", "error-report-list", {"overdue": "1"}, _error_report_rows,
          _acts_for_a_unit, overdue=True),
]


def entry_url(entry: Entry) -> str:
    url = reverse(entry.url_name)
    return f"{url}?{urlencode(entry.query)}" if entry.query else url


def workbench(user) -> dict:
    """The entries that are `user`'s to do, with their counts and links: what waits first, then what is overdue.
    Work the person only oversees (an auditor's view of a unit's findings) is not theirs to do and is left out."""
    # 三员分立: an administrator, the superuser included, does no business work.
    roles = set() if access.is_administrator(user) else access.held_roles(user)
    waiting, overdue = [], []
    for entry in ENTRIES:
        if not entry.concerns(roles):
            continue
        count = entry.rows(user, entry.query).count()
        item = {"key": entry.key, "label": entry.label, "count": count, "url": entry_url(entry)}
        (overdue if entry.overdue else waiting).append(item)
    return {"waiting": waiting, "overdue": overdue, "total": sum(i["count"] for i in waiting)}
