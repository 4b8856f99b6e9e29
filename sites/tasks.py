"""Celery tasks of the site monitoring: thin wrappers, idempotent, safe to run twice."""
from celery import shared_task


@shared_task
def probe_sites() -> int:
    """Probe every running site's homepage once (skips sites probed in the last few minutes)."""
    from .monitoring import probe_sites as run

    return len(run())


@shared_task
def check_links() -> int:
    """Queue one link check per running site, so one slow site never holds up the others."""
    from .models import Site, SiteStatus

    ids = list(Site.objects.filter(status=SiteStatus.RUNNING).values_list("pk", flat=True))
    for pk in ids:
        check_site_links.delay(pk)
    return len(ids)


@shared_task
def check_site_links(site_id: int) -> int | None:
    from .linkcheck import check_site_links as run
    from .models import Site

    site = Site.objects.filter(pk=site_id).first()
    return run(site).broken_count if site else None


@shared_task
def poll_feeds() -> dict:
    from .feeds import poll_feeds as run

    return run()


@shared_task
def crawl_column_pages() -> dict:
    """Read the homepages and the column list pages for their newest dates."""
    from .crawl import crawl_columns, crawl_homepages

    return {"homepages": crawl_homepages(), "columns": crawl_columns()}
