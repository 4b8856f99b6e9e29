"""Site scanning: a generated local site of 5,000 pages with attachments, scanned in full with the rate limit off.

Figures, each beside its floor measured in the same run:
- pages a second of `scan_site(site, full=True)` (crawl, text, every check, findings), beside a plain HTTP GET loop
  over the same URLs with the same client (what the network and server alone allow), and the incremental rescan
  (conditional requests: every page answers 304);
- milliseconds of checking a 20,000-character page against 10,000 words (`check_text`), beside one raw pass of the
  same automata and regular expressions over the same text; and a whole HTML page (text, checks, hidden links);
- the scan's peak memory (resident set of a fresh interpreter running only the scan).

Sizes from BENCH_SCAN_* variables: PAGES (5,000; a twentieth on SQLite), WORDS (10,000), CHARS (20,000). The site is
served by a separate process (so its work does not share the scanner's interpreter), on 127.0.0.1.
"""
import io
import multiprocessing
import os
import random
import statistics
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.core.management import call_command
from django.db import connection

ORG = "基准测试县人民政府（扫描）"
COMMON = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定"
          "行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日")
# Listed words are drawn from other characters than page text, as on a real site: a page holds a few of them,
# not hundreds (random words over the page's own alphabet would match everywhere and measure finding writes).
LISTED = ("赌博彩票六合澳门威尼斯葡京娱乐真人棋牌老虎机代开发票办证刻章枪支弹药冰毒海洛因私服外挂贷款套现裸聊约炮"
          "翻墙赔率庄闲百家乐博彩投注返水充值提现竞猜足球盘口")
LISTED = "".join(sorted(set(LISTED) - set(COMMON)))
FANOUT = 10
ATTACHMENT_EVERY = 20  # one page in twenty links to an attachment (PDF, DOCX, XLSX in turn)
BODY_CHARS = 3000
FOOTER = ("<div class='footer'>主办：基准测试县人民政府办公室 蒙ICP备05003245号-1 蒙公网安备 15050202000123号 "
          "网站标识码：1505000012 <a href='/jiucuo'>我为政府网站找错</a></div>")


def _size(name: str, full: int) -> int:
    default = full if connection.vendor == "postgresql" or name != "PAGES" else max(full // 20, 50)
    return int(os.environ.get(f"BENCH_SCAN_{name}", default))


def _text(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(COMMON) for _ in range(n))


def _attachments() -> dict[str, bytes]:
    """One small file of each kind, with planted personal data, served under many names."""
    import docx
    import openpyxl

    from govmedia.core.documents import CJKFontMissing, new_pdf

    line = "补贴发放名单 张三 身份证号 11010519491231002X 联系电话 13812345678"
    try:
        pdf = new_pdf(title="附件")
        pdf.set_font("cjk", size=11)
    except CJKFontMissing:
        from fpdf import FPDF

        pdf = FPDF()
        pdf.add_page()
        pdf.set_font("helvetica", size=11)
        line = "List: ID 11010519491231002X phone 13812345678"
    for _ in range(20):
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    files = {"pdf": bytes(pdf.output())}
    document = docx.Document()
    for _ in range(20):
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    files["docx"] = buffer.getvalue()
    book = openpyxl.Workbook()
    for i in range(200):
        book.active.append(["张三", f"{i}", "13812345678"])
    buffer = io.BytesIO()
    book.save(buffer)
    files["xlsx"] = buffer.getvalue()
    return files


ATTACHMENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _page_html(i: int, pages: int, bodies: list[str], planted_words: list[str]) -> bytes:
    children = [c for c in range(FANOUT * i + 1, FANOUT * i + FANOUT + 1) if c < pages]
    links = "".join(f"<li><a href='/p/{c}.html'>栏目文章{c}</a></li>" for c in children)
    if i % ATTACHMENT_EVERY == 0:
        kind = ("pdf", "docx", "xlsx")[(i // ATTACHMENT_EVERY) % 3]
        links += f"<li><a href='/f/{i}.{kind}'>附件{i}</a></li>"
    planted = f"联系人身份证号 11010519491231002X。{planted_words[i % len(planted_words)]}" if i % 100 == 7 else ""
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>文章{i}</title>"
            f"<style>.nav li{{float:left}}</style></head><body><ul class='nav'><li><a href='/'>首页</a></li></ul>"
            f"<h1>文章{i}</h1><div class='content'><p>{bodies[i % len(bodies)]}</p><p>{planted}</p></div>"
            f"<ul>{links}</ul>{FOOTER}</body></html>").encode()


def _serve(pages: int, files: dict, planted_words: list[str], ready) -> None:
    rng = random.Random(13)
    bodies = [_text(rng, BODY_CHARS) for _ in range(50)]

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            path = self.path.split("?")[0]
            etag = f'"v1{path}"'
            body, content_type = None, "text/html; charset=utf-8"
            if path == "/robots.txt":
                body, content_type = b"User-agent: *\nAllow: /\n", "text/plain"
            elif path in ("/", "/index.html"):
                body = _page_html(0, pages, bodies, planted_words)
            elif path.startswith("/p/") and path.endswith(".html") and path[3:-5].isdigit() and int(path[3:-5]) < pages:
                body = _page_html(int(path[3:-5]), pages, bodies, planted_words)
            elif path.startswith("/f/") and path.rsplit(".", 1)[-1] in files:
                kind = path.rsplit(".", 1)[-1]
                body, content_type = files[kind], ATTACHMENT_TYPES[kind]
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    ready.send(server.server_address[1])
    server.serve_forever()


def _urls(base: str, pages: int) -> list[str]:
    urls = [base] + [f"{base}p/{i}.html" for i in range(1, pages)]
    urls += [f"{base}f/{i}.{('pdf', 'docx', 'xlsx')[(i // ATTACHMENT_EVERY) % 3]}"
             for i in range(0, pages, ATTACHMENT_EVERY)]
    return urls


def _words(count: int) -> list[str]:
    rng = random.Random(20241001)
    words = set()
    while len(words) < count:
        words.add("".join(rng.choice(LISTED) for _ in range(rng.randint(2, 6))))
    return sorted(words)


def _seed(words: list[str], base: str, pages: int):
    from organisations.models import Organisation, OrganisationKind
    from publishing.models import WordEntry, WordList, WordListKind
    from scanning.models import ScanLimits
    from sites.models import Site

    org = Organisation.objects.filter(name=ORG, parent=None).first()
    if org is None:
        org = Organisation.objects.create(name=ORG, kind=OrganisationKind.GOVERNMENT)
    word_list, _ = WordList.objects.get_or_create(organisation=org, kind=WordListKind.SENSITIVE)
    if word_list.entries.count() != len(words):
        word_list.entries.all().delete()
        WordEntry.objects.bulk_create([WordEntry(word_list=word_list, text=w) for w in words], batch_size=2000)
        word_list.version += 1
        word_list.save(update_fields=["version"])
    Site.objects.filter(owner=org).delete()  # each run scans a fresh site: the first scan is a full one
    site = Site.objects.create(name="基准测试网站（扫描）", url=base, owner=org)
    total = len(_urls(base, pages))
    ScanLimits.objects.create(site=site, delay=0, max_pages=total + 10, max_depth=20, timeout=30,
                              max_total_bytes=50 * 1024 ** 3, check_outbound=False)
    return site


def _rss_mb(field: str = "VmRSS") -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def _scan_child(site_id: int, full: bool, answer) -> None:
    """A fresh interpreter running only the scan: its peak resident set is the scan's."""
    import django

    django.setup()
    from scanning.services import scan_site
    from sites.models import Site

    site = Site.objects.get(pk=site_id)
    start_mb = _rss_mb()
    t0 = time.perf_counter()
    scan = scan_site(site, full=full)
    elapsed = time.perf_counter() - t0
    answer.send({"elapsed": elapsed, "pages": scan.pages, "checked": scan.checked, "opened": scan.opened,
                 "status": scan.status, "error": scan.error[:300], "start_mb": start_mb, "peak_mb": _rss_mb("VmHWM")})


def _run_scan(site_id: int, full: bool) -> dict:
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_scan_child, args=(site_id, full, child))
    process.start()
    result = parent.recv()
    process.join()
    return result


def _checking(words: list[str], chars: int) -> None:
    from publishing import checks as post_checks
    from scanning import checks, text

    third = len(words) // 5
    lists = checks.WordLists.from_words(sensitive=words[:3 * third], advertising=words[3 * third:4 * third],
                                        correction=words[4 * third:])
    rng = random.Random(7)
    # A long page with ten listed words and some personal data spread through it.
    pieces = [_text(rng, (chars - 400) // 10) + words[k * 997] for k in range(10)]
    page_text = ("".join(pieces) + " 身份证号 11010519491231002X 手机 13812345678 卡号 6222600260001072444 " * 4)[:chars]
    runs = 20

    def best(fn):
        timings = []
        for _ in range(runs):
            t0 = time.perf_counter()
            fn()
            timings.append((time.perf_counter() - t0) * 1000)
        return statistics.median(timings)

    hits = checks.check_text(page_text, lists)
    check_ms = best(lambda: checks.check_text(page_text, lists))
    automata = (lists.sensitive, lists.advertising, lists.correction)
    folded = post_checks.fold(page_text)
    patterns = (checks.ID18, checks.ID15, checks.CARD, checks.MOBILE)

    def raw_pass():
        for automaton in automata:
            for _ in automaton.iter(folded):
                pass
        for pattern in patterns:
            pattern.findall(page_text)

    floor_ms = best(raw_pass)
    print(f"scanning.check_text_{chars}_chars_{len(words)}_words_ms {check_ms:.2f} "
          f"(distinct hits {len(hits)}; floor: raw automata + regex pass {floor_ms:.2f} ms)")

    html = (f"<html><head><style>.hide{{display:none}} .nav a{{color:#333}}</style></head><body>"
            f"<div class='nav'>{''.join(f'<a href=/c{i}>栏目{i}</a>' for i in range(40))}</div>"
            f"<div class='content'>{''.join(f'<p>{page_text[i:i + 500]}</p>' for i in range(0, chars, 500))}</div>"
            f"<div class='hide'><a href='http://casino.example.com/'>x</a></div>{FOOTER}</body></html>")
    body = html.encode()

    def whole_page():
        _kind, read = text.extract(body, "text/html; charset=utf-8", "http://bench.example.gov.cn/a.html")
        checks.check_text(read, lists)
        checks.check_hidden_links(html, "http://bench.example.gov.cn/a.html")

    page_ms = best(whole_page)
    parse_ms = best(lambda: text.parse_html(html))
    print(f"scanning.whole_html_page_ms {page_ms:.2f} (text + content checks + hidden links, {len(body) // 1024} KiB; "
          f"floor: one lxml parse {parse_ms:.2f} ms)")


def main():
    from sites.http import fetch

    call_command("migrate", verbosity=0)
    pages, word_count, chars = _size("PAGES", 5000), _size("WORDS", 10000), _size("CHARS", 20000)
    words = _words(word_count)
    _checking(words, chars)

    files = _attachments()
    context = multiprocessing.get_context("fork")
    ready_parent, ready_child = context.Pipe()
    connection.close()  # the server process must not share this database connection
    server = context.Process(target=_serve, args=(pages, files, words[::997], ready_child), daemon=True)
    server.start()
    try:
        port = ready_parent.recv()
        base = f"http://127.0.0.1:{port}/"
        urls = _urls(base, pages)

        t0 = time.perf_counter()
        fetched = sum(1 for url in urls if fetch(url, timeout=30).ok)
        get_s = time.perf_counter() - t0
        site = _seed(words, base, pages)
        connection.close()

        full = _run_scan(site.pk, True)
        again = _run_scan(site.pk, False)
    finally:
        server.terminate()
        server.join()
    if full["error"] or again["error"]:
        print(f"scanning.error {full['error'] or again['error']}")
    print(f"scanning.full_scan_pages_per_s {full['pages'] / full['elapsed']:.1f} "
          f"({full['pages']} pages and attachments in {full['elapsed']:.1f} s, checked {full['checked']}, "
          f"findings {full['opened']}, {connection.vendor}; floor: plain GET loop {fetched / get_s:.1f} pages/s)")
    print(f"scanning.incremental_rescan_pages_per_s {again['pages'] / again['elapsed']:.1f} "
          f"({again['pages']} pages, checked {again['checked']}, new findings {again['opened']})")
    print(f"scanning.full_scan_peak_rss_mb {full['peak_mb']:.0f} (interpreter at start {full['start_mb']:.0f} MB)")
