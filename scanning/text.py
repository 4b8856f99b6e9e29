"""What a scan reads: bytes of a page or attachment to text (SPEC "Site scanning").

- `decode`: the charset from the Content-Type header, then the page's own <meta>, then detection
  (charset-normalizer). GB2312/GBK labels are read as GB18030, their superset, as browsers do: pages labelled
  GB2312 routinely hold GBK-only characters.
- `extract`: the visible text of HTML (lxml: libxml2's lenient HTML parser copes with the broken markup of real
  sites and is an order of magnitude faster than the pure-Python parsers), text of PDF (pypdf), Word (python-docx)
  and Excel (openpyxl read-only) attachments. Everything is bounded (pages, cells, unpacked size, characters), and a
  broken or hostile file gives ("other", "") instead of raising.
- `links`: the page's anchors as absolute http(s) URLs, by the link checker's own extractor.
"""
from __future__ import annotations

import codecs
import io
import re
import zipfile

import charset_normalizer
import docx
import lxml.etree
import lxml.html
import openpyxl
import pypdf

from sites.linkcheck import extract_links
from sites.models import LinkKind

# Bounds: a scan reads many thousands of files, so no single one may take the memory or time of the rest.
MAX_TEXT_CHARS = 2_000_000
MAX_PDF_PAGES = 300
MAX_XLSX_CELLS = 200_000
MAX_UNPACKED_BYTES = 64 * 1024 * 1024  # a DOCX/XLSX is a zip: refuse zip bombs before opening one
DETECT_BYTES = 64 * 1024  # detection on a sample is as good as on the whole page and stays fast

GB_FAMILY = {"gb2312", "gbk", "gb18030", "gb_2312-80", "x-gbk", "csgb2312", "chinese", "euc-cn", "cp936", "ms936",
             "windows-936", "iso-ir-58"}
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")

HTML_TYPES = {"text/html", "application/xhtml+xml"}
TEXT_TYPES = {"text/plain", "text/csv", "text/xml", "application/xml"}
PDF_TYPES = {"application/pdf", "application/x-pdf"}
DOCX_TYPES = {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
XLSX_TYPES = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
# Tags whose text a reader never sees as text.
INVISIBLE_TAGS = ("script", "style", "noscript", "template", "head")
# Tags that end a line, so that words of two paragraphs or cells never run together.
BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "tr", "td", "th", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    "section", "article", "header", "footer", "nav", "aside", "blockquote", "pre", "hr", "dd", "dt", "dl",
    "form", "title", "option", "caption", "figcaption", "address", "main",
}


def _normal(name: str | None) -> str | None:
    """A codec name Python knows, with the GB family widened to GB18030; None for an unknown label."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    if name in GB_FAMILY:
        return "gb18030"
    try:
        found = codecs.lookup(name).name
    except LookupError:
        return None
    return "gb18030" if found in GB_FAMILY else found


def header_charset(content_type: str | None) -> str | None:
    for part in (content_type or "").split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "charset" and value:
            return value.strip().strip("\"'")
    return None


def meta_charset(body: bytes) -> str | None:
    found = _META_CHARSET.search(body[:4096])
    return found.group(1).decode("ascii", "ignore") if found else None


def detect_charset(body: bytes) -> str | None:
    best = charset_normalizer.from_bytes(body[:DETECT_BYTES]).best()
    return best.encoding if best is not None else None


def decode(body: bytes, content_type: str | None = None) -> str:
    """Bytes of an HTML or text page to text: BOM, header charset, <meta>, UTF-8, then detection."""
    if not body:
        return ""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return body.decode(encoding, errors="replace")
    tried = []
    # A declared charset that does not decode the bytes is a wrong label (common after a CMS migration):
    # fall through to the next source rather than show mojibake.
    for candidate in (header_charset(content_type), meta_charset(body), "utf-8"):
        encoding = _normal(candidate)
        if encoding is None or encoding in tried:
            continue
        tried.append(encoding)
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    detected = _normal(detect_charset(body))
    if detected:
        return body.decode(detected, errors="replace")
    return body.decode(tried[0] if tried else "utf-8", errors="replace")


def parse_html(html: str):
    """The lxml document of a page, or None for one with nothing to parse."""
    html = _XML_DECLARATION.sub("", html or "", count=1)
    if not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return None


def tidy(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()[:MAX_TEXT_CHARS]


def html_text(html: str) -> str:
    """The text a reader sees: no scripts or styles, block elements on their own lines, the title first."""
    doc = parse_html(html)
    if doc is None:
        return ""
    title = doc.findtext(".//title") or ""
    lxml.etree.strip_elements(doc, *INVISIBLE_TAGS, with_tail=False)
    for element in doc.iter(lxml.etree.Element):
        if isinstance(element.tag, str) and element.tag.lower() in BLOCK_TAGS:
            element.tail = "\n" + (element.tail or "")
    return tidy(title + "\n" + doc.text_content())


def _zip_ok(body: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return sum(info.file_size for info in archive.infolist()) <= MAX_UNPACKED_BYTES
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def pdf_text(body: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(body), strict=False)
    parts, size = [], 0
    for number, page in enumerate(reader.pages):
        if number >= MAX_PDF_PAGES or size >= MAX_TEXT_CHARS:
            break
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text)
    return tidy("\n".join(parts))


def docx_text(body: bytes) -> str:
    document = docx.Document(io.BytesIO(body))
    parts, size = [], 0
    for paragraph in document.paragraphs:
        parts.append(paragraph.text)
        size += len(paragraph.text)
        if size >= MAX_TEXT_CHARS:
            break
    for table in document.tables:
        if size >= MAX_TEXT_CHARS:
            break
        for row in table.rows:
            line = " ".join(cell.text for cell in row.cells)
            parts.append(line)
            size += len(line)
    return tidy("\n".join(parts))


def xlsx_text(body: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    try:
        parts, cells = [], 0
        for sheet in book.worksheets:
            parts.append(sheet.title)
            for row in sheet.iter_rows(values_only=True):
                values = [str(v) for v in row if v is not None and str(v) != ""]
                cells += len(row)
                if values:
                    parts.append(" ".join(values))
                if cells >= MAX_XLSX_CELLS:
                    break
            if cells >= MAX_XLSX_CELLS:
                break
        return tidy("\n".join(parts))
    finally:
        book.close()


def kind_of(body: bytes, content_type: str | None, url: str) -> str:
    """The kind of a fetched file, by its first bytes, then its declared type, then its name."""
    media = (content_type or "").split(";")[0].strip().lower()
    path = (url or "").split("?")[0].split("#")[0].lower()
    head = body[:1024].lstrip().lower()
    if body.startswith(b"%PDF") or media in PDF_TYPES:
        return "pdf"
    if body.startswith(b"PK\x03\x04"):
        if media in DOCX_TYPES or path.endswith(".docx"):
            return "docx"
        if media in XLSX_TYPES or path.endswith(".xlsx"):
            return "xlsx"
        # Declared as something generic: the parts inside tell.
        if b"word/" in body[:4096]:
            return "docx"
        if b"xl/" in body[:4096]:
            return "xlsx"
        return "other"
    if media in HTML_TYPES or path.endswith((".html", ".htm", ".shtml", ".jhtml", ".xhtml")) \
            or head.startswith((b"<!doctype html", b"<html")):
        return "html"
    if media in TEXT_TYPES or path.endswith((".txt", ".csv")):
        return "text"
    if not media and (b"<html" in head or b"<body" in head):
        return "html"
    return "other"


def extract(body: bytes, content_type: str | None, url: str) -> tuple[str, str]:
    """(kind, text) of a fetched page or attachment; ("other", "") for anything unreadable, never an exception."""
    kind = kind_of(body or b"", content_type, url)
    try:
        if kind == "html":
            return kind, html_text(decode(body, content_type))
        if kind == "text":
            return kind, tidy(decode(body, content_type))
        if kind == "pdf":
            return kind, pdf_text(body)
        if kind in ("docx", "xlsx"):
            if not _zip_ok(body):
                return "other", ""
            return kind, docx_text(body) if kind == "docx" else xlsx_text(body)
    except Exception:  # noqa: BLE001 - a broken attachment is data about the site, never a failed scan
        return "other", ""
    return "other", ""


def links(html: str, base_url: str) -> list[str]:
    """Absolute http(s) URLs of the page's anchors, without fragments, once each, in page order."""
    return [url for kind, url in extract_links(html or "", base_url) if kind == LinkKind.LINK]
