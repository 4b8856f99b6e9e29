"""Checks that talk to the network, against local HTTP and HTTPS servers only: outbound links and TLS; and the
homepage's identity marks and domain."""
import datetime as dt
import ipaddress
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import trustme

from scanning import checks
from scanning.checks import (
    OUTBOUND_LINK_BAD,
    SITE_DOMAIN,
    SITE_IDENTITY_MISSING,
    SITE_TLS,
    WordLists,
    check_domain,
    check_identity,
    check_outbound,
    check_tls,
)
from tests.sites.conftest import LocalWeb

TODAY = dt.date(2026, 10, 9)
WORDS = WordLists.from_words(sensitive=["六合彩"], advertising=["澳门威尼斯人", "在线博彩"])


@pytest.fixture
def web():
    server = LocalWeb()
    yield server
    server.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- outbound links -------------------------------------------------------------------------------------------

def test_a_live_link_and_a_redirect_within_the_same_domain_are_fine(web):
    web.route("/ok", "<html><body>国家统计局 数据发布</body></html>")
    web.route("/same", status=301, headers={"Location": "/ok"})
    assert check_outbound(web.url("/ok"), words=WORDS) is None
    assert check_outbound(web.url("/same"), words=WORDS) is None


def test_only_http_links_are_fetched():
    assert check_outbound("file:///etc/passwd", words=WORDS) is None
    assert check_outbound("ftp://127.0.0.1/", words=WORDS) is None


def test_dead_links(web):
    web.route("/gone", "<h1>Not Found</h1>", status=404)
    web.route("/error", "oops", status=503)
    hit = check_outbound(web.url("/gone"), words=WORDS)
    assert (hit.rule, hit.match, hit.detail["reason"], hit.detail["status"]) == (
        OUTBOUND_LINK_BAD, web.url("/gone"), "dead", 404)
    assert check_outbound(web.url("/error"), words=WORDS).detail["reason"] == "dead"
    refused = f"http://127.0.0.1:{free_port()}/"
    hit = check_outbound(refused, words=WORDS)
    assert hit.detail["reason"] == "dead" and "无法连接" in hit.detail["error"]


def test_a_hanging_server_is_dead_after_the_timeout(web):
    web.route("/hang", "slow", delay=30)
    hit = check_outbound(web.url("/hang"), words=WORDS, timeout=0.5)
    assert hit.detail["reason"] == "dead" and "超时" in hit.detail["error"]


def test_a_redirect_to_another_registrable_domain_is_reported_with_the_chain(web):
    port = web.server.server_address[1]
    web.route("/landing", "<html><body>欢迎</body></html>")
    web.route("/step", status=302, headers={"Location": f"http://localhost:{port}/landing"})
    web.route("/old-partner", status=301, headers={"Location": "/step"})
    hit = check_outbound(web.url("/old-partner"), words=WORDS)
    assert hit.detail["reason"] == "redirect"
    assert hit.detail["final_domain"] == "localhost" and hit.detail["domain"] == "127.0.0.1"
    assert hit.detail["chain"] == [web.url("/old-partner"), web.url("/step"), f"http://localhost:{port}/landing"]
    assert "localhost" in hit.excerpt


def test_redirect_loops_and_endless_chains_stop(web):
    web.route("/loop", status=302, headers={"Location": "/loop"})
    for n in range(10):
        web.route(f"/c{n}", status=302, headers={"Location": f"/c{n + 1}"})
    assert check_outbound(web.url("/loop"), words=WORDS).detail["reason"] == "dead"
    hit = check_outbound(web.url("/c0"), words=WORDS)
    assert hit.detail["reason"] == "dead" and "重定向超过" in hit.detail["error"]
    assert len(hit.detail["chain"]) == checks.MAX_REDIRECTS + 1


def test_a_landing_page_with_listed_words_is_reported_even_in_gbk(web):
    body = "<html><head><meta charset='gbk'></head><body>澳门威尼斯人 在线博彩 六合彩</body></html>".encode("gbk")
    web.route("/expired-domain", body, content_type="text/html")
    hit = check_outbound(web.url("/expired-domain"), words=WORDS)
    assert hit.detail["reason"] == "words"
    assert hit.detail["words"] == ["六合彩", "澳门威尼斯人", "在线博彩"]


def test_registrable_domains_come_from_the_bundled_list_without_any_network(web, monkeypatch):
    """Every socket to a non-loopback address fails during the check: the suffix list is never fetched."""
    attempts = []
    real_connect = socket.socket.connect

    def loopback_only(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        try:
            local = ipaddress.ip_address(host).is_loopback
        except ValueError:
            local = False
        if not local:
            attempts.append(address)
            raise OSError(f"network blocked in test: {address}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", loopback_only)
    with pytest.raises(OSError):  # the guard is real
        socket.create_connection(("203.0.113.7", 80), timeout=1)
    attempts.clear()
    checks._extractor.cache_clear()  # a fresh extractor, loaded under the guard
    port = web.server.server_address[1]
    web.route("/away", status=302, headers={"Location": f"http://localhost:{port}/x"})
    web.route("/x", "ok")
    assert check_outbound(web.url("/away"), words=WORDS).detail["reason"] == "redirect"
    assert checks.registrable_domain("https://www.beijing.gov.cn/a") == "beijing.gov.cn"
    assert checks.registrable_domain("http://a.b.example.co.uk/") == "example.co.uk"
    assert checks.registrable_domain("http://xn--fiqs8s.政务/") == "xn--fiqs8s.政务"
    assert attempts == []


# --- TLS ------------------------------------------------------------------------------------------------------

class _Hello(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def ca():
    return trustme.CA()


@pytest.fixture
def tls_server():
    started = []

    def start(cert: trustme.LeafCert) -> str:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cert.configure_cert(context)
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
        return f"https://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in started:
        server.shutdown()
        server.server_close()


def leaf(ca, not_before: dt.date, not_after: dt.date):
    return ca.issue_cert("127.0.0.1", "localhost",
                         not_before=dt.datetime.combine(not_before, dt.time(), tzinfo=dt.UTC),
                         not_after=dt.datetime.combine(not_after, dt.time(12), tzinfo=dt.UTC))


def test_a_valid_trusted_certificate_is_fine(ca, tls_server, tmp_path):
    url = tls_server(leaf(ca, dt.date(2020, 1, 1), dt.date(2040, 1, 1)))
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    assert check_tls(url, today=TODAY, cafile=str(tmp_path / "ca.pem")) is None


def test_the_same_certificate_from_an_unknown_ca_is_untrusted(ca, tls_server):
    url = tls_server(leaf(ca, dt.date(2020, 1, 1), dt.date(2040, 1, 1)))
    hit = check_tls(url, today=TODAY)
    assert (hit.rule, hit.match, hit.severity) == (SITE_TLS, "untrusted", "")
    assert "certificate" in hit.detail["untrusted"]


def test_a_certificate_expiring_in_ten_days_is_a_warning(ca, tls_server, tmp_path):
    url = tls_server(leaf(ca, dt.date(2026, 1, 1), TODAY + dt.timedelta(days=10)))
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    hit = check_tls(url, today=TODAY, cafile=str(tmp_path / "ca.pem"))
    assert (hit.match, hit.severity, hit.detail["days_left"]) == ("expiring", "warning", 10)
    assert hit.detail["not_after"] == "2026-10-19"


def test_the_expiry_threshold_is_the_one_passed_in(ca, tls_server, tmp_path):
    url = tls_server(leaf(ca, dt.date(2020, 1, 1), dt.date(2040, 1, 1)))
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    twenty_days_before = dt.date(2039, 12, 12)
    assert check_tls(url, today=twenty_days_before, cafile=str(tmp_path / "ca.pem")).detail["days_left"] == 20
    assert check_tls(url, today=twenty_days_before, cafile=str(tmp_path / "ca.pem"), days=10) is None


def test_an_expired_certificate_is_read_and_reported(ca, tls_server):
    url = tls_server(leaf(ca, dt.date(2025, 9, 1), dt.date(2026, 9, 30)))
    hit = check_tls(url, today=TODAY)
    assert (hit.match, hit.detail["reason"], hit.detail["not_after"]) == ("expired", "expired", "2026-09-30")
    assert "2026-09-30" in hit.excerpt


def test_no_https(web):
    web.route("/", "<html>plain</html>")
    host, port = web.server.server_address[:2]
    hit = check_tls(f"https://{host}:{port}/", today=TODAY, timeout=2)  # a plain HTTP server on that port
    assert (hit.match, hit.detail["reason"]) == ("no_https", "no_https")
    assert check_tls(f"https://127.0.0.1:{free_port()}/", today=TODAY, timeout=2) is None  # down: another rule


# --- identity and domain --------------------------------------------------------------------------------------

FOOTER = {
    "icp": '<p>主办：通辽市人民政府办公室 <a href="https://beian.miit.gov.cn/">蒙ICP备05003245号-1</a></p>',
    "police": '<p><img src="/images/ga.png"><a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode='
              '15050202000123">蒙公网安备 15050202000123号</a></p>',
    "site_code": "<p>网站标识码：<span>1505000012</span></p>",
    "party_government": '<span id="_ideConac"><a href="https://bszs.conac.cn/sitename?method=show&amp;id=1" '
                        'target="_blank"><img id="imgConac" src="https://dcs.conac.cn/image/red.png" '
                        'alt="党政机关"></a></span>',
    "error_report": '<script id="_jiucuo_" sitecode="1505000012" '
                    'src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script>',
}


def homepage(*without: str) -> str:
    marks = "".join(v for k, v in FOOTER.items() if k not in without)
    return f"<html><body><h1>通辽市人民政府</h1><div class='footer'>{marks}</div></body></html>"


def missing(html, party_government=True):
    return [(h.rule, h.detail["mark"]) for h in check_identity(html, party_government=party_government)]


def test_a_homepage_with_every_mark_lacks_nothing():
    assert missing(homepage()) == []
    text_only = homepage("error_report").replace("</div>", "<a href='/jiucuo'>我为政府网站找错</a></div>")
    assert missing(text_only) == []
    spelled_out = homepage("police").replace("</div>", "<p>公安机关备案号：15050202000123</p></div>")
    assert missing(spelled_out) == []


@pytest.mark.parametrize("mark", list(FOOTER))
def test_each_missing_mark_is_one_hit(mark):
    assert missing(homepage(mark)) == [(SITE_IDENTITY_MISSING, mark)]


def test_the_party_government_mark_is_only_asked_of_party_government_sites():
    assert missing(homepage("party_government"), party_government=False) == []
    hits = check_identity("<html><body>欢迎</body></html>", party_government=False)
    assert [h.match for h in hits] == ["政府网站标识码", "ICP备案号", "公安机关备案号", "“我为政府网站找错”入口"]


def test_site_domain():
    assert check_domain("https://www.tongliao.gov.cn/", party_government=True) is None
    assert check_domain("http://tongliao.政务/", party_government=True) is None
    assert check_domain("http://xn--abc.xn--zfr164b/", party_government=True) is None
    assert check_domain("http://www.tongliao-edu.com/", party_government=False) is None
    hit = check_domain("http://www.tongliao-edu.com/", party_government=True)
    assert (hit.rule, hit.match) == (SITE_DOMAIN, "www.tongliao-edu.com")
    assert check_domain("http://fake-gov.cn.example.com/", party_government=True) is not None
