"""The post body: sanitising rich text, and mapping between its HTML and its plain text.

Content checks run on the plain text a reader sees (so a word split by a tag is still found) and report
offsets into that text; `mark_html` puts the marks back into the HTML for reviewers.
"""
from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass

import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "h2", "h3", "h4", "blockquote",
    "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "div", "hr",
}
# <span> and <font> are not kept: without their style or class they mean nothing, and Word wraps every run in one.
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
# Block-level tags end a line in the plain text, so words in two paragraphs never run together.
BLOCK_TAGS = {"p", "br", "h2", "h3", "h4", "blockquote", "li", "tr", "div", "hr", "table", "ul", "ol"}

_TAG = re.compile(r"<(/?)([a-zA-Z0-9]+)([^>]*)>")
_ATTR = re.compile(r"""(href|src)\s*=\s*("([^"]*)"|'([^']*)')""", re.I)
_IMG_SRC = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*("([^"]*)"|'([^']*)')""", re.I)
URL_IN_TEXT = re.compile(r"(?:https?://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+", re.I)


def image_sources(body: str) -> list[str]:
    """The `src` of every image in a (sanitised) body, unescaped as `parse` reports links."""
    return [html.unescape(m.group(2) if m.group(2) is not None else m.group(3)) for m in _IMG_SRC.finditer(body or "")]


# What Word (and WPS) put on the clipboard besides the text: the list bullets it draws itself between
# <![if !supportLists]> … <![endif]> (the text would keep a stray "·" or "1."), conditional comments holding XML,
# and Office's own namespaced tags (<o:p>, <w:…>, <v:…>).
_WORD_FAKE_BULLETS = re.compile(r"<!\[if\s+!supportLists\]>.*?<!\[endif\]>", re.I | re.S)
_WORD_CONDITIONAL = re.compile(r"<!--\[if.*?<!\[endif\]-->", re.I | re.S)
_OFFICE_TAGS = re.compile(r"</?[a-z]+:[a-z0-9]+\b[^>]*>", re.I)
# Paragraphs left holding nothing a reader sees (Word's spacing lines: <p class=MsoNormal><o:p>&nbsp;</o:p></p>).
_EMPTY_BLOCK = re.compile(r"<(p|div|h2|h3|h4)>(?:\s|&nbsp;|\u00a0|<br>|<br />)*</\1>", re.I)


def _strip_office(body: str) -> str:
    body = _WORD_FAKE_BULLETS.sub("", body)
    body = _WORD_CONDITIONAL.sub("", body)
    return _OFFICE_TAGS.sub("", body)


def sanitise(body: str) -> str:
    """Keep only the allow-listed tags and attributes; links get rel=noopener noreferrer. Text pasted from Word
    comes out as plain paragraphs: its classes, mso- styles, comments, <font>/<span> wrappers, Office tags, the
    bullets it draws itself and its empty spacing paragraphs are dropped (the text inside is kept)."""
    cleaned = nh3.clean(
        _strip_office(body or ""), tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer",
    )
    return _EMPTY_BLOCK.sub("", cleaned).strip()


@dataclass
class Segment:
    plain_start: int
    text: str  # unescaped text of one run of characters between tags
    synthetic: bool = False  # a line break we put in for a block tag, not the author's text


@dataclass
class Parsed:
    plain: str
    pieces: list  # ("tag", raw) or ("text", Segment)
    links: list  # (plain offset, url)


def parse(body: str) -> Parsed:
    pieces, links, out, pos = [], [], [], 0
    cursor = 0
    for match in _TAG.finditer(body):
        if match.start() > cursor:
            text = html.unescape(body[cursor:match.start()])
            pieces.append(("text", Segment(pos, text)))
            out.append(text)
            pos += len(text)
        pieces.append(("tag", match.group(0)))
        name = match.group(2).lower()
        for attr in _ATTR.finditer(match.group(3)):
            links.append((pos, html.unescape(attr.group(3) if attr.group(3) is not None else attr.group(4))))
        if name in BLOCK_TAGS and match.group(1) == "/" or name in {"br", "hr"}:
            pieces.append(("text", Segment(pos, "\n", synthetic=True)))
            out.append("\n")
            pos += 1
        cursor = match.end()
    if cursor < len(body):
        text = html.unescape(body[cursor:])
        pieces.append(("text", Segment(pos, text)))
        out.append(text)
        pos += len(text)
    plain = "".join(out)
    for m in URL_IN_TEXT.finditer(plain):
        links.append((m.start(), m.group(0)))
    return Parsed(plain=plain, pieces=pieces, links=links)


def plain_text(body: str) -> str:
    return parse(body).plain


def mark_html(body: str, spans: list[tuple[int, int, str, str]]) -> str:
    """Wrap each (start, end, css class, title) span of the plain text in <mark>, across tags if need be."""
    parsed = parse(body)
    out = []
    for kind, piece in parsed.pieces:
        if kind == "tag":
            out.append(piece)
            continue
        seg: Segment = piece
        if seg.synthetic:
            continue
        start, end = seg.plain_start, seg.plain_start + len(seg.text)
        cuts = sorted({start, end, *[max(start, min(end, s)) for s, e, *_ in spans], *[max(start, min(end, e)) for s, e, *_ in spans]})
        for a, b in zip(cuts, cuts[1:]):
            chunk = html.escape(seg.text[a - start:b - start], quote=False)
            covering = [sp for sp in spans if sp[0] <= a and b <= sp[1] and sp[0] < sp[1]]
            if covering:
                _, _, css, title = covering[0]
                out.append(f'<mark class="{css}" title="{html.escape(title)}">{chunk}</mark>')
            else:
                out.append(chunk)
    return "".join(out)


# --- differences between two revisions ---------------------------------------------------------------------------

# A Latin word, a number (with its decimals) or a run of spaces is one token; every other character (each Chinese
# character, each punctuation mark, each line break) is its own. Chinese has no spaces to split words on.
_TOKEN = re.compile(r"[A-Za-z]+|\d+(?:[.,]\d+)*|[ \t]+|.", re.S)


@dataclass
class Diff:
    html: str  # the new text with <ins> and <del> runs, line breaks as <br>
    added: int  # characters added (spaces and line breaks not counted)
    removed: int  # characters removed

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


def diff_html(old: str, new: str) -> Diff:
    """Differences of two plain texts as runs of inserted and deleted text. Runs are character-level for
    Chinese and word-level for Latin words and numbers; a single unchanged character between two changes is
    folded into them, so a rewritten phrase reads as one deletion and one insertion, not a comb of fragments."""
    a, b = _TOKEN.findall(old or ""), _TOKEN.findall(new or "")
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    runs: list[list[str]] = []  # [deleted, inserted, equal] per step, merged below
    for index, (op, a1, a2, b1, b2) in enumerate(ops):
        gone, came = "".join(a[a1:a2]), "".join(b[b1:b2])
        if op == "equal":
            between = 0 < index < len(ops) - 1
            if between and len(came) == 1 and came != "\n":
                runs.append([gone, came, ""])
            else:
                runs.append(["", "", came])
            continue
        runs.append([gone if op != "insert" else "", came if op != "delete" else "", ""])
    out, added, removed, pending_del, pending_ins = [], 0, 0, [], []

    def flush():
        nonlocal added, removed
        gone, came = "".join(pending_del), "".join(pending_ins)
        if gone:
            out.append(f"<del>{html.escape(gone)}</del>")
            removed += len("".join(gone.split()))
        if came:
            out.append(f"<ins>{html.escape(came)}</ins>")
            added += len("".join(came.split()))
        pending_del.clear()
        pending_ins.clear()

    for gone, came, same in runs:
        if same:
            flush()
            out.append(html.escape(same))
        else:
            pending_del.append(gone)
            pending_ins.append(came)
    flush()
    return Diff(html="".join(out).replace("\n", "<br>"), added=added, removed=removed)
