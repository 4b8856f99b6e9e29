"""Content checks on submit (SPEC "Content rules"): blocking problems and warnings, each with its position.

Word lists are data (`WordList`); the lists of an organisation and of every organisation above it apply.
Matching uses an Aho–Corasick automaton (pyahocorasick) per kind and set of list versions, built once per
process and rebuilt when any of those lists changes (its `version` moves).
"""
from __future__ import annotations

import re
import threading
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit

import ahocorasick
from django.conf import settings

from .models import CoProducer, Origin, Post, PostKind, WordEntry, WordList, WordListKind
from .text import image_sources, parse

# ASCII only: lower() on some non-ASCII letters changes the length and would shift every offset.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_ASCII_CAPITALS = re.compile(r"[A-Z]+")
DRAFT_FOR_COMMENT_TRIGGERS = ("征求意见", "意见征集", "公开征求")
DRAFT_FOR_COMMENT_MARKS = ("征求意见稿", "草案")


def fold(text: str) -> str:
    # str.translate looks up every character, ~0.3 µs each on Chinese text; only ASCII capitals change, so a
    # regex pass over runs of them is several times faster on a whole published page and gives the same string.
    if text.isascii():
        return text.translate(_ASCII_LOWER)
    return _ASCII_CAPITALS.sub(lambda m: m.group(0).translate(_ASCII_LOWER), text)


@dataclass
class Problem:
    code: str
    message: str
    field: str = "body"
    offset: int | None = None
    length: int = 0
    text: str = ""
    suggestion: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Result:
    blocking: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


class _Cache:
    """Automata keyed by (kind, ((list id, version), ...)); a small bounded dict per process."""

    def __init__(self, limit: int = 64):
        self.limit = limit
        self.data: dict = {}
        self.lock = threading.Lock()
        self.builds = 0

    def get(self, key, build):
        with self.lock:
            found = self.data.get(key)
        if found is not None:
            return found
        automaton = build()
        with self.lock:
            if len(self.data) >= self.limit:
                self.data.pop(next(iter(self.data)))
            self.data[key] = automaton
            self.builds += 1
        return automaton


automata = _Cache()


def build_automaton(entries) -> ahocorasick.Automaton | None:
    automaton = ahocorasick.Automaton()
    for text, suggestion in entries:
        key = fold(text.strip())
        if key:
            automaton.add_word(key, (text.strip(), suggestion))
    if len(automaton) == 0:
        return None
    automaton.make_automaton()
    return automaton


def lists_for(organisation) -> dict[str, list[tuple[int, int]]]:
    """{kind: [(list id, version), ...]} of the organisation and everything above it: one query."""
    found: dict[str, list[tuple[int, int]]] = {}
    rows = WordList.objects.filter(organisation_id__in=organisation.ancestor_ids()).values_list("kind", "id", "version")
    for kind, pk, version in sorted(rows):
        found.setdefault(kind, []).append((pk, version))
    return found


def automaton_for(kind: str, versions: list[tuple[int, int]]):
    if not versions:
        return None
    key = (kind, tuple(versions))

    def build():
        entries = WordEntry.objects.filter(word_list_id__in=[pk for pk, _ in versions]).values_list("text", "suggestion")
        return build_automaton(entries)

    return automata.get(key, build)


def find(automaton, text: str):
    """Yield (start, end, matched entry, suggestion) for every occurrence, longest first at each start."""
    if automaton is None or not text:
        return []
    hits = {}
    for end, (word, suggestion) in automaton.iter(fold(text)):
        start = end - len(word) + 1
        best = hits.get(start)
        if best is None or best[1] < end + 1:
            hits[start] = (start, end + 1, word, suggestion)
    return [hits[k] for k in sorted(hits)]


def host_of(url: str) -> str:
    if url.lower().startswith("www."):
        url = "http://" + url
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def host_allowed(host: str, allowed: list[str]) -> bool:
    return any(host == d or host.endswith("." + d) for d in allowed)


def image_hosts_allowed() -> list[str]:
    """Hosts images in a post body may come from: settings.POST_IMAGE_HOSTS (the one list, which the CSP's
    img-src also reads) and our own site (SITE_URL)."""
    hosts = [h.lower().strip().lstrip("*.").strip(".") for h in settings.POST_IMAGE_HOSTS]
    own = host_of(settings.SITE_URL) if settings.SITE_URL else ""
    return [h for h in hosts + [own] if h]


def check_post(post: Post) -> Result:
    """Run every content rule on the post as it stands; nothing is written."""
    result = Result()
    lists = lists_for(post.organisation)
    parsed = parse(post.body or "")
    texts = {"title": post.title or "", "body": parsed.plain}

    sensitive = automaton_for(WordListKind.SENSITIVE, lists.get(WordListKind.SENSITIVE, []))
    advertising = automaton_for(WordListKind.ADVERTISING, lists.get(WordListKind.ADVERTISING, []))
    correction = automaton_for(WordListKind.CORRECTION, lists.get(WordListKind.CORRECTION, []))

    for field_name, text in texts.items():
        for start, end, word, _ in find(sensitive, text):
            result.blocking.append(Problem(
                "sensitive_word", f"含有敏感词“{text[start:end]}”（第{start + 1}字）。", field_name, start, end - start, text[start:end],
            ))
        for start, end, word, _ in find(advertising, text):
            result.blocking.append(Problem(
                "advertising", f"含有商业广告内容“{text[start:end]}”（第{start + 1}字）。", field_name, start, end - start, text[start:end],
            ))
        for start, end, word, suggestion in find(correction, text):
            hint = f"，建议改为“{suggestion}”" if suggestion else ""
            result.warnings.append(Problem(
                "correction", f"“{text[start:end]}”可能有误{hint}（第{start + 1}字）。", field_name, start, end - start,
                text[start:end], suggestion,
            ))

    allowed = []
    if lists.get(WordListKind.ALLOWLIST):
        allowed = [fold(t).strip().lstrip("*.").strip(".") for t in WordEntry.objects.filter(
            word_list_id__in=[pk for pk, _ in lists[WordListKind.ALLOWLIST]]).values_list("text", flat=True)]
    # Images from outside: refused unless their host is on POST_IMAGE_HOSTS (or is our own site). A reader's
    # browser would fetch them from a third party (tracking, content changed after review); our CSP blocks them.
    image_urls = set(image_sources(post.body or ""))
    image_hosts = image_hosts_allowed()
    for offset, url in parsed.links:
        host = host_of(url) if url in image_urls else ""
        if host and not host_allowed(host, image_hosts):
            result.blocking.append(Problem(
                "external_image", f"正文图片来自白名单以外的网站：{host}（第{offset + 1}字处）。请上传图片或使用允许的图片地址。",
                "body", offset, 0, url,
            ))
    seen_links = set()
    for offset, url in parsed.links:
        if (offset, url) in seen_links or url.lower().startswith("mailto:") or url in image_urls:
            continue
        seen_links.add((offset, url))
        if find(advertising, url):
            result.blocking.append(Problem(
                "advertising_link", f"链接指向商业广告：{url}（第{offset + 1}字处）。", "body", offset, 0, url,
            ))
            continue
        host = host_of(url)
        if host and not host_allowed(host, allowed):
            result.warnings.append(Problem(
                "external_link", f"外部链接不在白名单内：{host}（第{offset + 1}字处）。", "body", offset, 0, url,
            ))

    if post.origin == Origin.REPRINT and not (post.source_name or "").strip():
        result.blocking.append(Problem("reprint_without_source", "转载稿件须注明信息来源。", "source_name"))

    title_marked = any(mark in texts["title"] for mark in DRAFT_FOR_COMMENT_MARKS)
    if not title_marked:
        for field_name in ("title", "body"):
            text = texts[field_name]
            positions = [(text.find(t), t) for t in DRAFT_FOR_COMMENT_TRIGGERS if t in text]
            if positions:
                start, trigger = min(positions)
                result.blocking.append(Problem(
                    "draft_not_marked",
                    f"内容为征求意见的事项草案（第{start + 1}字“{trigger}”），标题须注明“征求意见稿”或“草案”。",
                    field_name, start, len(trigger), trigger,
                ))
                break

    if post.kind == PostKind.POLICY and post.pk and not post.interpretations.exclude(status="withdrawn").exists():
        result.warnings.append(Problem("policy_without_interpretation", "政策文件尚未关联政策解读（须同步发布解读材料）。", "kind"))
    elif post.kind == PostKind.POLICY and not post.pk:
        result.warnings.append(Problem("policy_without_interpretation", "政策文件尚未关联政策解读（须同步发布解读材料）。", "kind"))

    if post.pk:
        for co in CoProducer.objects.filter(post=post, consent_on__isnull=True).select_related("organisation"):
            result.warnings.append(Problem(
                "coproducer_consent_missing", f"共同形成单位“{co.organisation}”的书面同意尚未登记。", "co_producers",
            ))
    return result


def blocking_error(result: Result) -> dict:
    """The 400 body for a blocked submit: each field's messages, plus the structured list with positions."""
    data: dict = {}
    for problem in result.blocking:
        data.setdefault(problem.field, []).append(problem.message)
    data["problems"] = [p.as_dict() for p in result.blocking]
    return data
