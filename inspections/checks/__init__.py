"""Every rule of SPEC's table and the national checklist's vetoes as a set-based check, each bound to its
definition in rules.definitions (label, subject type, severity, default thresholds), in the order a run takes
them."""
from . import accounts, columns, filings, findings, replies, sites
from .base import Check, Context, Hit

CHECKS: list[Check] = [
    columns.COLUMN_STALE,
    columns.COLUMN_BLANK,
    accounts.ACCOUNT_STALE,
    accounts.ACCOUNT_WEEKLY,
    accounts.ACCOUNT_ORIGINAL,
    filings.FILING_LATE,
    filings.BACKFILL_LATE,
    filings.CLOSURE_NOTICE_SHORT,
    accounts.DUPLICATE_PLATFORM,
    accounts.INTERNAL_OWNER,
    replies.ERROR_REPORT_LATE,
    replies.MESSAGE_LATE,
    replies.DISCLOSURE_LATE,
    accounts.REPEAT_NOTIFIED,
    accounts.CREDENTIAL_ROTATION,
    accounts.ACCOUNT_NO_INTERACTION,
    sites.SITE_UNREACHABLE,
    sites.HOMEPAGE_STALE,
    sites.SITE_COLUMNS_VETO,
    sites.SITE_INTERACTION_VETO,
    # Last: it reads the overdue state the run has just set.
    findings.RECTIFICATION_OVERDUE,
]
__all__ = ["CHECKS", "Check", "Context", "Hit"]
