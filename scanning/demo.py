"""The demo's site scanning: the portal points at the demo government site the application itself serves
(/demo-site/, files in scanning/fixture_site/ with problems of every kind planted), so that after `make run` a
supervisor (office_zhang) can press 扫描 on the portal's scan page and see each kind of finding offline."""
import os

from sites.demo import PORTAL
from sites.models import Site

from .models import ScanLimits


def demo_site_url() -> str:
    """Where `make run` serves the application (HOST/PORT as the Makefile and Procfile read them): the worker
    fetches the demo site there. A wildcard listen address is reached through the loopback."""
    host = os.environ.get("HOST", "").strip() or "127.0.0.1"
    if host in ("0.0.0.0", "::", "[::]"):
        host = "127.0.0.1"
    port = os.environ.get("PORT", "").strip() or "8000"
    return f"http://{host}:{port}/demo-site/"


def seed_area(region, stdout=None):
    portal = region["sites"][PORTAL]
    url = demo_site_url()
    Site.objects.filter(pk=portal.pk).update(url=url)
    portal.url = url
    # A small site on our own server: a short pause between requests is enough.
    ScanLimits.objects.update_or_create(site=portal, defaults={"delay": 0.1, "max_pages": 100, "timeout": 10})
    if stdout is not None:
        stdout.write(f"网站扫描：门户网站指向演示站点 {url}（登录 office_zhang，在门户网站的“网站扫描”页点击“扫描”）。")
