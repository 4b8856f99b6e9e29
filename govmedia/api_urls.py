"""Everything under /api/v1/: the areas' plain API views (before the router's, so they win) and one router
that registers every viewset. API.md lists the same paths."""
from django.urls import path

from accounts import api as accounts_api
from govmedia.core.api import Router
from inspections import api as inspections_api
from inspections import checklist_api
from notifications import api as notifications_api
from organisations import api as organisations_api
from organisations.audit import AuditLogViewSet
from organisations.calendar import CalendarViewSet
from publishing import api as publishing_api
from reports import api as reports_api
from review import api as review_api
from scanning import api as scanning_api
from sites import api as sites_api
from webhooks import api as webhooks_api

router = Router()  # ids in paths are whole numbers (core.api.Router)
# organisations
router.register("organisations", organisations_api.OrganisationViewSet, basename="api-organisation")
router.register("users", organisations_api.UserViewSet, basename="api-user")
router.register("memberships", organisations_api.MembershipViewSet, basename="api-membership")
router.register("calendar", CalendarViewSet, basename="api-calendar")
router.register("audit-log", AuditLogViewSet, basename="api-audit-log")
router.register("tokens", organisations_api.ApiTokenViewSet, basename="api-tokens")
# accounts
router.register("accounts", accounts_api.AccountViewSet, basename="api-account")
router.register("filings", accounts_api.FilingViewSet, basename="api-filing")
# sites
router.register("sites", sites_api.SiteViewSet, basename="api-site")
router.register("columns", sites_api.ColumnViewSet, basename="api-column")
router.register("probes", sites_api.ProbeViewSet, basename="api-probe")
router.register("broken-links", sites_api.BrokenLinkViewSet, basename="api-broken-link")
# publishing (posts/ is publishing's endpoint with review's transitions: submit/, withdraw/, an edit in review)
router.register("posts", review_api.PostViewSet, basename="api-post")
router.register("word-lists", publishing_api.WordListViewSet, basename="api-word-list")
# review
router.register("review-tasks", review_api.ReviewTaskViewSet, basename="api-review-task")
router.register("review-policies", review_api.ReviewPolicyViewSet, basename="api-review-policy")
# notifications
router.register("notifications", notifications_api.NotificationViewSet, basename="api-notification")
# webhooks
router.register("webhooks", webhooks_api.WebhookViewSet, basename="api-webhook")
# inspections
router.register("inspections", inspections_api.InspectionViewSet, basename="api-inspection")
router.register("findings", inspections_api.FindingViewSet, basename="api-finding")
router.register("error-reports", inspections_api.ErrorReportViewSet, basename="api-error-report")
router.register("messages", inspections_api.MessageViewSet, basename="api-message")
router.register("message-policies", inspections_api.MessagePolicyViewSet, basename="api-message-policy")
router.register("checklist-versions", checklist_api.ChecklistVersionViewSet, basename="api-checklist-version")
# scanning
router.register("scans", scanning_api.ScanViewSet, basename="api-scan")
# reports
router.register("bulletins", reports_api.BulletinViewSet, basename="api-bulletin")
router.register("self-inspections", reports_api.SelfInspectionViewSet, basename="api-self-inspection")

extra_urlpatterns = [
    # Bulk update records (API.md "Other systems")
    path("account-updates/", accounts_api.AccountUpdateBulkView.as_view(), name="api-account-updates"),
    path("column-updates/", sites_api.ColumnUpdateBulkView.as_view(), name="api-column-updates"),
    path("register/", review_api.RegisterView.as_view(), name="api-register"),
    # Site scanning (API.md "Site scanning"): actions on sites and findings that belong to the scanning room.
    path("sites/<int:pk>/scan/", scanning_api.SiteScanView.as_view(), name="api-site-scan"),
    path("findings/<int:pk>/dismiss/", scanning_api.FindingDismissView.as_view(), name="api-finding-dismiss"),
    path("countdown/", inspections_api.CountdownView.as_view(), name="api-countdown"),
    path("organisations/<int:pk>/checklist/", checklist_api.OrganisationChecklistView.as_view(), name="api-organisation-checklist"),
    path("reports/monthly/", reports_api.MonthlyReportView.as_view(), name="api-report-monthly"),
    path("reports/quarterly/", reports_api.QuarterlyReportView.as_view(), name="api-report-quarterly"),
    path("reports/exports/", reports_api.ExportView.as_view(), name="api-report-exports"),
    path("reports/exports/<str:token>/", reports_api.ExportStatusView.as_view(), name="api-report-export"),
    path(
        "reports/exports/<str:token>/download/", reports_api.ExportDownloadView.as_view(),
        name="api-report-export-download",
    ),
]
