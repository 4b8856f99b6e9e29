"""Reports for supervisors (issue 6): the monthly compliance report, the quarterly bulletin, the unit's monthly
self-inspection, the region dashboard, and their documents (page, xlsx, PDF)."""
