"""What a scan checks on a published page (SPEC "Site scanning" rule table): pure functions returning `Hit`s.

The crawler and services (scanning/crawler.py, services.py) decide what is fetched and turn hits into findings;
nothing here touches the database except reading the organisation's word lists through `publishing.checks`, whose
Aho–Corasick automata and lists are the very ones posts are checked against (one matcher, one set of lists).

- content_sensitive / content_correction: one automaton pass per list kind over the page's text.
- content_pii: compiled regular expressions, then a check digit (ISO 7064 MOD 11-2), a birth date and a region for
  ID numbers, Luhn and an issuer prefix for bank cards; numbers already masked (* or x runs) or inside longer digit
  runs are not personal data. Excerpts never show the number.
- hidden_link: lxml for the document, tinycss2 for declarations, cssselect for <style> selectors.
- outbound_link_bad: real HTTP, redirects followed by hand; registrable domains from tldextract's bundled
  public-suffix snapshot (configured never to fetch one).
- site_identity_missing, site_domain, site_tls (the certificate as read in the handshake).
"""
from __future__ import annotations

import datetime as dt
import functools
import re
import socket
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import cssselect
import lxml.etree
import tinycss2
import tldextract
from cryptography import x509
from django.conf import settings

from publishing import checks as post_checks
from publishing.models import WordListKind
from rules.models import ItemKind

from . import text as scan_text

CONTENT_SENSITIVE = "content_sensitive"
CONTENT_PII = "content_pii"
CONTENT_CORRECTION = "content_correction"
HIDDEN_LINK = "hidden_link"
OUTBOUND_LINK_BAD = "outbound_link_bad"
SITE_IDENTITY_MISSING = "site_identity_missing"
SITE_DOMAIN = "site_domain"
SITE_TLS = "site_tls"

WARNING = str(ItemKind.WARNING)
EXCERPT_RADIUS = 20  # characters either side of a match: ~40 around it, as the contract says
MAX_HITS_PER_RULE = 500  # a page stuffed with one word is still one page: distinct matches are capped
MAX_REDIRECTS = 5
OUTBOUND_BYTES = 512 * 1024
TLS_EXPIRY_DAYS = 30  # default only: services pass the threshold in force (rules/thresholds.py)
GOVERNMENT_SUFFIXES = (".gov.cn", ".政务", ".xn--zfr164b")


@dataclass(frozen=True)
class Hit:
    rule: str
    match: str  # the exact matched text (masked for personal data): with the page, it keys a dismissal
    excerpt: str  # ~40 characters around the match, personal data masked
    severity: str = ""  # "" = the rule's own severity (rules/definitions.py); "warning" where a hit is only that
    detail: dict = field(default_factory=dict, hash=False)


# --- word lists -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class WordLists:
    """The automata of one organisation's lists (and those above it), built once per scan."""

    sensitive: object = None
    advertising: object = None
    correction: object = None

    @classmethod
    def for_organisation(cls, organisation) -> WordLists:
        lists = post_checks.lists_for(organisation)
        return cls(**{
            name: post_checks.automaton_for(kind, lists.get(kind, []))
            for name, kind in (("sensitive", WordListKind.SENSITIVE), ("advertising", WordListKind.ADVERTISING),
                               ("correction", WordListKind.CORRECTION))
        })

    @classmethod
    def from_words(cls, *, sensitive=(), advertising=(), correction=()) -> WordLists:
        """Lists given directly (benchmarks, the demo): the same automaton builder as the posts'."""
        def build(words):
            return post_checks.build_automaton([(w, "") if isinstance(w, str) else w for w in words])

        return cls(sensitive=build(sensitive), advertising=build(advertising), correction=build(correction))

    def words_in(self, text: str) -> list[str]:
        """Distinct sensitive or advertising words in `text`, in order of first appearance."""
        seen: dict[str, None] = {}
        for automaton in (self.sensitive, self.advertising):
            for start, end, _word, _ in post_checks.find(automaton, text):
                seen.setdefault(text[start:end], None)
        return list(seen)


# --- content: words and personal data -----------------------------------------------------------------------------

# Not a digit, an ASCII letter, or a mask character on either side: a number inside a longer run, a code or a
# partly masked number is not a number on its own.
_EDGE_BEFORE = r"(?<![0-9A-Za-z*＊×])"
_EDGE_AFTER = r"(?![0-9A-Za-z*＊×])"
ID18 = re.compile(_EDGE_BEFORE + r"([1-9]\d{5})((?:19|20)\d{2})(\d{2})(\d{2})\d{3}[0-9Xx]" + _EDGE_AFTER)
ID15 = re.compile(_EDGE_BEFORE + r"([1-9]\d{5})(\d{2})(\d{2})(\d{2})\d{3}" + _EDGE_AFTER)
# 16–19 digits, run together or in groups of four separated by one space or hyphen (as printed on the card).
CARD = re.compile(_EDGE_BEFORE + r"(\d{16,19}|\d{4}(?:[ -]\d{4}){3}(?:[ -]?\d{1,3})?)" + _EDGE_AFTER)
MOBILE = re.compile(_EDGE_BEFORE + r"(1[3-9]\d{9})" + _EDGE_AFTER)
# 15-digit IDs have no check digit: only taken as one when the text says it is one, just before it.
ID15_CONTEXT = re.compile(r"(身份证|证件号|身份号码|公民身份)[^\n]{0,12}$")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
# Provinces (GB/T 2260) and 81/82/83 of the Hong Kong, Macao and Taiwan residence permits.
PROVINCES = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
             53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83}
# Issuer prefixes of cards in use in China with their lengths: UnionPay 62 and bank-own 60/9x (16–19), Visa 4
# (16 or 19), Mastercard 51–55 and 2221–2720 (16), JCB 35, Diners 30/36/38, Discover 65.
CARD_PREFIXES = (
    (re.compile(r"^(?:62|60|65|35|3[068]|9[4-9])"), range(16, 20)),
    (re.compile(r"^4"), (16, 19)),
    (re.compile(r"^(?:5[1-5]|2[2-7])"), (16,)),
)


def id_check_digit(first17: str) -> str:
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS)) % 11]


def _plausible_birth(year: int, month: int, day: int, today: dt.date) -> bool:
    try:
        born = dt.date(year, month, day)
    except ValueError:
        return False
    return 1900 <= year and born <= today


def valid_id18(number: str, today: dt.date) -> bool:
    if len(number) != 18 or int(number[:2]) not in PROVINCES:
        return False
    if not _plausible_birth(int(number[6:10]), int(number[10:12]), int(number[12:14]), today):
        return False
    return id_check_digit(number[:17]) == number[17].upper()


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def plausible_card(digits: str) -> bool:
    return any(prefix.match(digits) and len(digits) in lengths for prefix, lengths in CARD_PREFIXES) \
        and luhn_ok(digits)


def mask_id(number: str) -> str:
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_card(digits: str) -> str:
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]


def mask_mobile(number: str) -> str:
    return number[:3] + "****" + number[-4:]


def find_pii(text: str, today: dt.date | None = None) -> list[tuple[int, int, str, str]]:
    """(start, end, kind, masked) of every unmasked ID number, bank card and mobile number, in text order."""
    today = today or dt.date.today()
    found: list[tuple[int, int, str, str]] = []
    taken: list[tuple[int, int]] = []

    def free(start, end):
        return all(end <= a or start >= b for a, b in taken)

    for m in ID18.finditer(text):
        if valid_id18(m.group(0), today):
            found.append((m.start(), m.end(), "id_card", mask_id(m.group(0).upper())))
            taken.append((m.start(), m.end()))
    for m in ID15.finditer(text):
        if not free(m.start(), m.end()) or int(m.group(0)[:2]) not in PROVINCES:
            continue
        if not ID15_CONTEXT.search(text[max(0, m.start() - 20):m.start()]):
            continue
        if _plausible_birth(1900 + int(m.group(2)), int(m.group(3)), int(m.group(4)), today):
            found.append((m.start(), m.end(), "id_card", mask_id(m.group(0))))
            taken.append((m.start(), m.end()))
    for m in CARD.finditer(text):
        digits = re.sub(r"[ -]", "", m.group(0))
        if not 16 <= len(digits) <= 19 or not free(m.start(), m.end()):
            continue
        if plausible_card(digits):
            found.append((m.start(), m.end(), "bank_card", mask_card(digits)))
            taken.append((m.start(), m.end()))
    for m in MOBILE.finditer(text):
        if free(m.start(), m.end()):
            found.append((m.start(), m.end(), "mobile", mask_mobile(m.group(0))))
    found.sort()
    return found


def _masked_text(text: str, pii) -> str:
    """The text with every personal number masked in place (same length, so offsets still hold)."""
    if not pii:
        return text
    parts, cursor = [], 0
    for start, end, _kind, masked in pii:
        parts.append(text[cursor:start])
        original = text[start:end]
        if len(masked) == len(original):
            parts.append(masked)
        else:  # grouped card number: mask digit by digit, keeping the separators
            keep = {i for i, c in enumerate(original) if c.isdigit()}
            digits = [i for i in range(len(original)) if i in keep]
            shown = set(digits[:4] + digits[-4:])
            parts.append("".join(c if (i in shown or i not in keep) else "*" for i, c in enumerate(original)))
        cursor = end
    parts.append(text[cursor:])
    return "".join(parts)


def excerpt(text: str, start: int, end: int, radius: int = EXCERPT_RADIUS) -> str:
    left, right = max(0, start - radius), min(len(text), end + radius)
    piece = " ".join(text[left:right].split())
    return ("…" if left > 0 else "") + piece + ("…" if right < len(text) else "")


PII_LABELS = {"id_card": "身份证号码", "bank_card": "银行卡号", "mobile": "手机号码"}


def check_text(text: str, words: WordLists, *, today: dt.date | None = None) -> list[Hit]:
    """content_sensitive, content_pii and content_correction on a page's or attachment's text.

    One hit per rule and distinct match (its first place, with the number of times it occurs); excerpts come
    from the text with all personal numbers masked.
    """
    if not text:
        return []
    pii = find_pii(text, today)
    shown = _masked_text(text, pii)
    hits: dict[tuple[str, str], Hit] = {}
    counts: dict[tuple[str, str], int] = {}
    per_rule: dict[str, int] = {}

    def add(rule, match, start, end, severity="", **detail):
        key = (rule, match)
        if key in hits:
            counts[key] += 1
            return
        if per_rule.get(rule, 0) >= MAX_HITS_PER_RULE:
            return
        per_rule[rule] = per_rule.get(rule, 0) + 1
        counts[key] = 1
        hits[key] = Hit(rule, match, excerpt(shown, start, end), severity, {"offset": start, **detail})

    for list_name, automaton in (("sensitive", words.sensitive), ("advertising", words.advertising)):
        for start, end, word, _ in post_checks.find(automaton, text):
            add(CONTENT_SENSITIVE, shown[start:end], start, end, list=list_name, word=word)
    for start, end, kind, masked in pii:
        add(CONTENT_PII, masked, start, end, WARNING if kind == "mobile" else "", kind=kind, label=PII_LABELS[kind])
    for start, end, word, suggestion in post_checks.find(words.correction, text):
        add(CONTENT_CORRECTION, shown[start:end], start, end, WARNING, word=word, suggestion=suggestion)

    return [Hit(h.rule, h.match, h.excerpt, h.severity, {**h.detail, "count": counts[key]}) for key, h in hits.items()]


# --- hidden links ---------------------------------------------------------------------------------------------

# Properties that can hide something; a <style> rule without any of them is never matched against the page.
HIDING_PROPERTIES = {
    "display", "visibility", "width", "height", "max-width", "max-height", "position", "left", "top", "right",
    "bottom", "margin-left", "margin-top", "text-indent", "font-size", "color", "background-color", "background",
    "opacity", "clip", "overflow",
}
OFF_SCREEN_PX = -500  # further out than any screen: a box placed there is meant not to be seen
_LENGTH = re.compile(r"^(-?\d*\.?\d+)(px|pt|em|rem|%|vw|vh|cm|mm|in)?$")
_NAMED_COLOURS = {
    "white": (255, 255, 255), "black": (0, 0, 0), "red": (255, 0, 0), "green": (0, 128, 0), "blue": (0, 0, 255),
    "yellow": (255, 255, 0), "gray": (128, 128, 128), "grey": (128, 128, 128), "silver": (192, 192, 192),
    "navy": (0, 0, 128), "maroon": (128, 0, 0), "orange": (255, 165, 0), "purple": (128, 0, 128),
    "fuchsia": (255, 0, 255), "lime": (0, 255, 0), "aqua": (0, 255, 255), "teal": (0, 128, 128),
    "olive": (128, 128, 0),
}
_translator = cssselect.HTMLTranslator()


def _declarations(css) -> dict[str, str]:
    found = {}
    for item in tinycss2.parse_blocks_contents(css, skip_comments=True, skip_whitespace=True):
        if item.type == "declaration":
            name = item.lower_name
            if name in HIDING_PROPERTIES:
                found[name] = tinycss2.serialize(item.value).strip().lower()
    return found


def _px(value: str | None, font_px: float = 16.0) -> float | None:
    if not value:
        return None
    m = _LENGTH.match(value.replace("!important", "").strip())
    if not m:
        return None
    number, unit = float(m.group(1)), m.group(2) or "px"
    return number * {"px": 1, "pt": 4 / 3, "em": font_px, "rem": 16, "%": font_px / 100, "vw": 19.2, "vh": 10.8,
                     "cm": 37.8, "mm": 3.78, "in": 96}[unit]


def _colour(value: str | None):
    """(r, g, b, alpha) of a CSS colour, or None if it cannot be read."""
    if not value:
        return None
    value = value.replace("!important", "").strip()
    if value == "transparent":
        return (0, 0, 0, 0.0)
    if value in _NAMED_COLOURS:
        return (*_NAMED_COLOURS[value], 1.0)
    m = re.match(r"^#([0-9a-f]{3,8})\b", value)
    if m:
        h = m.group(1)
        if len(h) in (3, 4):
            h = "".join(c * 2 for c in h)
        if len(h) in (6, 8):
            alpha = int(h[6:8], 16) / 255 if len(h) == 8 else 1.0
            return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16), alpha)
        return None
    m = re.match(r"^rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)(?:[\s,/]+([\d.]+%?))?\s*\)", value)
    if m:
        alpha = m.group(4)
        a = 1.0 if alpha is None else (float(alpha[:-1]) / 100 if alpha.endswith("%") else float(alpha))
        return (int(m.group(1)), int(m.group(2)), int(m.group(3)), a)
    return None


UNKNOWN_BACKGROUND = "image"


def _background(style: dict):
    """The declared background colour, UNKNOWN_BACKGROUND for an image or gradient, or None if none is declared."""
    for name in ("background", "background-color"):
        value = style.get(name)
        if value and ("url(" in value or "gradient" in value):
            return UNKNOWN_BACKGROUND
    for name in ("background-color", "background"):
        value = style.get(name)
        if value:
            for token in [value] + value.split():
                found = _colour(token)
                if found is not None:
                    return found
    return None


def _describe(element) -> str:
    name = element.tag if isinstance(element.tag, str) else "?"
    if element.get("id"):
        name += "#" + element.get("id")
    elif element.get("class"):
        name += "." + ".".join(element.get("class").split())
    return name


def _styles(doc) -> dict:
    """{element: declarations} from <style> rules that can hide, in document order, then inline styles on top."""
    found: dict = {}
    for style in doc.iter("style"):
        try:
            rules = tinycss2.parse_stylesheet(style.text or "", skip_comments=True, skip_whitespace=True)
        except Exception:  # noqa: BLE001, S112 - unreadable CSS hides nothing we can prove
            continue
        for rule in rules:
            if rule.type != "qualified-rule":
                continue
            declarations = _declarations(rule.content or [])
            if not declarations:
                continue
            for selector in tinycss2.serialize(rule.prelude).split(","):
                try:
                    xpath = _translator.css_to_xpath(selector.strip())
                    matched = doc.xpath(xpath)
                except Exception:  # noqa: BLE001, S112 - :hover and other dynamic selectors match nothing at rest
                    continue
                for element in matched:
                    found.setdefault(element, {}).update(declarations)
    for element in doc.iter(lxml.etree.Element):
        inline = element.get("style")
        if inline:
            declarations = _declarations(inline)
            if declarations:
                found.setdefault(element, {}).update(declarations)
        if element.get("hidden") is not None:
            found.setdefault(element, {})["display"] = "none"
    return found


def _hidden_reason(link, styles: dict) -> str:
    """Why the link cannot be seen, in Chinese, or "" if nothing hides it."""
    chain = [link] + list(link.iterancestors())
    font_px = None
    for element in reversed(chain):  # root first: font size is inherited and relative
        value = styles.get(element, {}).get("font-size")
        if value is not None:
            size = _px(value, font_px if font_px is not None else 16.0)
            if size is not None:
                font_px = size
    for element in chain:
        style = styles.get(element)
        if not style:
            continue
        where = "该链接" if element is link else f"所在元素 {_describe(element)}"
        display = style.get("display", "")
        if display.startswith("none"):
            return f"{where}设置 display:none"
        if style.get("opacity") is not None:
            try:
                if float(style["opacity"].replace("!important", "").strip()) <= 0.01:
                    return f"{where}设置 opacity:0"
            except ValueError:
                pass
        # A zero-size box hides what it holds only when its overflow is cut off (otherwise the text spills out).
        if style.get("overflow", "").startswith(("hidden", "clip")):
            for name in ("width", "height", "max-width", "max-height"):
                size = _px(style.get(name))
                if size is not None and size <= 1:
                    return f"{where}尺寸为零（{name}:{style[name]}，overflow:{style['overflow']}）"
        if style.get("position", "").startswith(("absolute", "fixed", "relative")):
            for name in ("left", "top", "right", "bottom"):
                size = _px(style.get(name))
                if size is not None and size <= OFF_SCREEN_PX:
                    return f"{where}移出屏幕（{name}:{style[name]}）"
        for name in ("margin-left", "margin-top", "text-indent"):
            size = _px(style.get(name))
            if size is not None and size <= OFF_SCREEN_PX:
                return f"{where}移出屏幕（{name}:{style[name]}）"
        clip = style.get("clip", "").replace(" ", "").replace(",", "")
        if clip.startswith("rect(") and clip.replace("px", "").replace("auto", "0") in {"rect(0000)"}:
            return f"{where}裁剪为零（clip:{style['clip']}）"
    # Visibility is inherited but a descendant may turn it back on: the nearest declaration decides.
    for element in chain:
        value = styles.get(element, {}).get("visibility")
        if value:
            if value.startswith(("hidden", "collapse")):
                where = "该链接" if element is link else f"所在元素 {_describe(element)}"
                return f"{where}设置 visibility:{value}"
            break
    if font_px is not None and font_px <= 1:
        return f"文字过小（font-size 约 {font_px:g}px）"
    own = styles.get(link, {})
    colour = _colour(own.get("color"))
    if colour is not None:
        if colour[3] <= 0.01:
            return "文字颜色透明"
        # Only a background declared on the page counts: an external stylesheet or an image may paint any other,
        # and white text on a dark bar whose colour we cannot see is not hidden.
        background = None
        for element in chain:
            background = _background(styles.get(element, {}))
            if background == UNKNOWN_BACKGROUND or (background is not None and background[3] > 0.01):
                break
            background = None
        if background not in (None, UNKNOWN_BACKGROUND) and colour[:3] == background[:3]:
            return f"文字颜色与背景相同（{own.get('color')}）"
    return ""


def _host(url: str) -> str:
    try:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""
    return host.removeprefix("www.")


def is_government_host(host: str) -> bool:
    host = (host or "").lower().rstrip(".")
    return any(host.endswith(suffix) or host == suffix[1:] for suffix in GOVERNMENT_SUFFIXES)


def check_hidden_links(html: str, page_url: str) -> list[Hit]:
    """暗链: links to another host that a reader cannot see (inline styles, <style> rules, hidden ancestors).

    Links to government domains (.gov.cn, .政务) are left out: collapsed menus of sister sites are common and
    hidden until hovered, while 暗链 point to gambling and advertising sites.
    """
    doc = scan_text.parse_html(html)
    if doc is None:
        return []
    own_host = _host(page_url)
    base = page_url
    base_element = doc.find(".//base[@href]")
    if base_element is not None:
        base = urljoin(page_url, base_element.get("href"))
    candidates = []
    for link in doc.iter("a"):
        raw = (link.get("href") or "").strip()
        if not raw or raw.lower().startswith(("javascript:", "mailto:", "tel:", "#")):
            continue
        url = urljoin(base, raw)
        if urlsplit(url).scheme not in ("http", "https"):
            continue
        host = _host(url)
        if not host or host == own_host or is_government_host(host):
            continue
        candidates.append((link, url))
    if not candidates:
        return []
    styles = _styles(doc)
    hits, seen = [], set()
    for link, url in candidates:
        reason = _hidden_reason(link, styles)
        if not reason or url in seen:
            continue
        seen.add(url)
        label = " ".join(link.text_content().split())[:40]
        hits.append(Hit(HIDDEN_LINK, url, f"{label}（{url}）" if label else url, "",
                        {"url": url, "text": label, "reason": reason}))
    return hits


# --- outbound links -------------------------------------------------------------------------------------------

@functools.cache
def _extractor() -> tldextract.TLDExtract:
    # The public-suffix snapshot bundled with tldextract: no URL to fetch, no cache directory to write.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


def registrable_domain(url_or_host: str) -> str:
    """example.com for https://a.b.example.com/x; the host itself for an IP address or a bare name."""
    host = url_or_host
    if "/" in url_or_host:
        try:
            host = urlsplit(url_or_host).hostname or ""
        except ValueError:
            host = ""
    host = host.lower().rstrip(".")
    if not host:
        return ""
    parts = _extractor()(host)
    return parts.top_domain_under_public_suffix or host


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # urllib then raises HTTPError with the 3xx: each hop is ours to judge


_opener = urllib.request.build_opener(_NoRedirect)


def _get(url: str, timeout: float, max_bytes: int):
    """(status, headers, body, error) of one GET, without following redirects."""
    request = urllib.request.Request(url, headers={
        "User-Agent": settings.SITES_USER_AGENT, "Accept": "*/*", "Accept-Encoding": "identity",
    })
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read(max_bytes), ""
    except urllib.error.HTTPError as exc:
        headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
        return exc.code, headers, b"", ""
    except TimeoutError:
        return None, {}, b"", f"超时（超过 {timeout:g} 秒）"
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, (TimeoutError, socket.timeout)):
            return None, {}, b"", f"超时（超过 {timeout:g} 秒）"
        return None, {}, b"", f"无法连接：{exc.reason}"[:300]
    except Exception as exc:  # noqa: BLE001 - any malformed answer is a fact about the link
        return None, {}, b"", f"请求失败：{type(exc).__name__} {exc}"[:300]


def check_outbound(url: str, *, words: WordLists, timeout: float = 10) -> Hit | None:
    """outbound_link_bad: dead, redirected to another registrable domain, or landing on listed words."""
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return None  # ftp:, file: and the like are never fetched
    chain = [url]
    current = url
    status, headers, body, error = None, {}, b"", ""
    while True:
        status, headers, body, error = _get(current, timeout, OUTBOUND_BYTES)
        if status not in (301, 302, 303, 307, 308) or not headers.get("location"):
            break
        nxt = urljoin(current, headers["location"].strip())
        if urlsplit(nxt).scheme not in ("http", "https") or nxt in chain:
            error, status = f"重定向异常：{nxt}"[:300], None
            break
        if len(chain) > MAX_REDIRECTS:
            error, status = f"重定向超过 {MAX_REDIRECTS} 次", None
            break
        chain.append(nxt)
        current = nxt

    detail = {"url": url, "final_url": current, "status": status, "chain": chain}
    if error or status is None or (status >= 400 and status != 429):
        why = error or f"HTTP {status}"
        return Hit(OUTBOUND_LINK_BAD, url, f"外部链接失效（{why}）：{url}", "", {**detail, "reason": "dead", "error": why})

    start_domain, final_domain = registrable_domain(url), registrable_domain(current)
    if final_domain and final_domain != start_domain and not is_government_host(_host(current)):
        return Hit(OUTBOUND_LINK_BAD, url, f"外部链接跳转到其他域名 {final_domain}：{url} → {current}", "",
                   {**detail, "reason": "redirect", "domain": start_domain, "final_domain": final_domain})

    kind, landing = scan_text.extract(body, headers.get("content-type"), current)
    found = words.words_in(landing) if kind in ("html", "text") else []
    if found:
        shown = "、".join(found[:5])
        return Hit(OUTBOUND_LINK_BAD, url, f"外部链接落地页含有“{shown}”：{url}", "",
                   {**detail, "reason": "words", "words": found[:20]})
    return None


# --- the site itself ------------------------------------------------------------------------------------------

# How each mark appears on real homepages (national checklist; tongliao §6): the visible text, or the standard
# snippets that draw it (the 开普云/国办 找错 script "jiucuo", the 中国机构编制网 conac.cn 党政机关 mark).
IDENTITY_MARKS = [
    ("site_code", "政府网站标识码", re.compile(r"标识码\s*[:：]?\s*[0-9A-Za-z]{6,12}"), None),
    ("icp", "ICP备案号", re.compile(r"ICP\s*[备證证]\s*[:：]?\s*\d{4,}", re.IGNORECASE), None),
    ("police", "公安机关备案号", re.compile(r"(?:公网安备|公安机关备案号|公安备案号?)\s*[:：]?\s*\d{6,}"), None),
    ("party_government", "党政机关网站标识", None,
     re.compile(r"conac\.cn|_ideConac|alt\s*=\s*[\"'][^\"']*党政机关|title\s*=\s*[\"'][^\"']*党政机关", re.IGNORECASE)),
    ("error_report", "“我为政府网站找错”入口", re.compile(r"我为政府网站找错"),
     re.compile(r"jiucuo|exposure/|我为政府网站找错", re.IGNORECASE)),
]


def check_identity(html: str, *, party_government: bool) -> list[Hit]:
    """site_identity_missing: one hit per mark the homepage lacks."""
    visible = scan_text.html_text(html or "")
    hits = []
    for key, label, in_text, in_markup in IDENTITY_MARKS:
        if key == "party_government" and not party_government:
            continue
        present = bool(in_text and in_text.search(visible)) or bool(in_markup and in_markup.search(html or ""))
        if not present:
            hits.append(Hit(SITE_IDENTITY_MISSING, label, f"首页未见{label}", "", {"mark": key}))
    return hits


def check_domain(url: str, *, party_government: bool) -> Hit | None:
    """site_domain: a 党政机关 site must be under .gov.cn or .政务."""
    if not party_government:
        return None
    try:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        host = ""
    try:
        unicode_host = host.encode("ascii").decode("idna") if "xn--" in host else host
    except UnicodeError:
        unicode_host = host
    if is_government_host(host) or is_government_host(unicode_host):
        return None
    return Hit(SITE_DOMAIN, host or url, f"党政机关网站域名 {host or url} 不在 .gov.cn 或 .政务 下", "", {"host": host})


def _peer_certificate(host: str, port: int, timeout: float, context: ssl.SSLContext, server_name: str | None):
    with socket.create_connection((host, port), timeout=timeout) as raw, \
            context.wrap_socket(raw, server_hostname=server_name) as tls:
        return tls.getpeercert(binary_form=True)


def check_tls(url: str, *, today: dt.date, timeout: float = 10, days: int = TLS_EXPIRY_DAYS,
              cafile: str | None = None) -> Hit | None:
    """site_tls: no HTTPS, or a certificate expired, expiring within `days`, not yet valid or untrusted.

    The certificate is read in a handshake that does not verify, so an expired or self-signed one is still read
    and judged by its dates; a second, verifying handshake (system trust store, or `cafile` for an office's own
    CA) says whether browsers trust it.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host:
        return None
    port = parts.port if parts.scheme == "https" and parts.port else 443
    unverified = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    unverified.check_hostname = False
    unverified.verify_mode = ssl.CERT_NONE
    try:
        der = _peer_certificate(host, port, timeout, unverified, host)
    except (ssl.SSLError, ConnectionError, OSError) as exc:
        if parts.scheme == "https" and not isinstance(exc, ssl.SSLError):
            return None  # the site is down, not badly configured: site_unreachable says so
        why = f"{type(exc).__name__}: {exc}"[:300]
        return Hit(SITE_TLS, "no_https", f"网站未提供 HTTPS 访问：{host}", "",
                   {"reason": "no_https", "host": host, "port": port, "error": why})
    certificate = x509.load_der_x509_certificate(der)
    not_after = certificate.not_valid_after_utc.date()
    not_before = certificate.not_valid_before_utc.date()
    detail = {"host": host, "port": port, "not_before": not_before.isoformat(), "not_after": not_after.isoformat(),
              "issuer": certificate.issuer.rfc4514_string()[:300], "subject": certificate.subject.rfc4514_string()[:300]}

    verified = ssl.create_default_context(cafile=cafile)
    trust_error = ""
    try:
        _peer_certificate(host, port, timeout, verified, host)
    except ssl.SSLCertVerificationError as exc:
        trust_error = (exc.verify_message or str(exc))[:300]
    except (ssl.SSLError, OSError) as exc:
        trust_error = f"{type(exc).__name__}: {exc}"[:300]
    if trust_error:
        detail["untrusted"] = trust_error

    if not_after < today:
        return Hit(SITE_TLS, "expired", f"HTTPS 证书已于 {not_after.isoformat()} 过期：{host}", "",
                   {**detail, "reason": "expired"})
    if not_before > today:
        return Hit(SITE_TLS, "not_yet_valid", f"HTTPS 证书自 {not_before.isoformat()} 起才生效：{host}", "",
                   {**detail, "reason": "not_yet_valid"})
    left = (not_after - today).days
    if left <= days:
        return Hit(SITE_TLS, "expiring", f"HTTPS 证书将于 {not_after.isoformat()} 过期（剩 {left} 天）：{host}",
                   WARNING, {**detail, "reason": "expiring", "days_left": left})
    if trust_error:
        return Hit(SITE_TLS, "untrusted", f"HTTPS 证书不受信任（{trust_error}）：{host}", "",
                   {**detail, "reason": "untrusted"})
    return None
