"""Homepage probes (checklist veto 站点无法访问): fetched in parallel threads, stored afterwards in one insert."""
import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.utils import timezone

from .http import fetch
from .models import Probe, Site, SiteStatus


def probe_one(site_id: int, url: str, *, timeout: float | None = None) -> Probe:
    """Fetch one homepage; the result as an unsaved Probe (no database access: this runs in a thread)."""
    timeout = settings.SITES_PROBE_TIMEOUT if timeout is None else timeout
    checked_at = timezone.now()
    result = fetch(url, timeout=timeout, max_bytes=512 * 1024)
    return Probe(
        site_id=site_id, checked_at=checked_at, ok=result.ok, response_ms=result.elapsed_ms,
        status_code=result.status, error=result.error[:500],
    )


def sites_due_for_probe(now: dt.datetime | None = None):
    """Running sites not probed in the last few minutes, so that a task run twice probes nothing twice."""
    now = now or timezone.now()
    recent = Probe.objects.filter(checked_at__gte=now - dt.timedelta(minutes=settings.SITES_PROBE_MIN_INTERVAL_MINUTES))
    return Site.objects.filter(status=SiteStatus.RUNNING).exclude(pk__in=recent.values("site_id"))


def probe_sites(sites=None) -> list[Probe]:
    """Probe each site's homepage once and store the results. A site that is down only adds a failed probe."""
    targets = list((sites_due_for_probe() if sites is None else sites).values_list("pk", "url"))
    if not targets:
        return []
    workers = max(1, min(settings.SITES_PROBE_CONCURRENCY, len(targets)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        probes = list(pool.map(lambda target: probe_one(*target), targets))
    return Probe.objects.bulk_create(probes)
