"""Page metadata: title, time, author, publisher (来源), editor, image, language, tags.

Sources are tried from the most to the least explicit: site rules, meta tags
and JSON-LD, then patterns in the visible text, which is where Chinese news
pages put 来源, 作者 and 责任编辑.
"""

from __future__ import annotations

import json
import re
import string
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, NamedTuple
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from newsmill.clean import SiteRule, first_match
from newsmill.enrich import (
    AUTHOR,
    EDITOR,
    LABEL,
    editor_names,
    find_editor,
    find_publisher,
    find_source_note,
    looks_like_outlet,
    publisher_name,
    split_byline,
)
from newsmill.extract.dates import (
    SHANGHAI,
    find_date_in_text,
    first_time_span,
    has_time,
    parse_date,
    year_hint,
)
from newsmill.htmltools import mark_words

_TITLE_SEPARATORS = re.compile(r"\s*(?:_|\||｜|—|–|-{1,2}|·|::|»)\s*")
_TITLE_SPLIT = re.compile(f"({_TITLE_SEPARATORS.pattern})")
_BY = re.compile(
    r"(?m)^[ \t]*(?:By|BY|by)[ \t]+"
    r"(?P<name>[A-Z][\w.'’-]+(?:[ \t]+(?:and[ \t]+)?[A-Z][\w.'’-]+){0,4})"
)
_NOT_CJK = re.compile(r"[^\u3400-\u9fff]+")
_NOT_LATIN_LETTER = bytes(sorted(set(range(256)) - set(string.ascii_letters.encode())))

_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "published_time",
    "pubdate",
    "publishdate",
    "publish_date",
    "publication_date",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "bytedance:published_time",
    "weibo:article:create_at",
    "article.published",
    "datepublished",
)
_AUTHOR_META = (
    "author",
    "article:author",
    "og:article:author",
    "dc.creator",
    "byl",
    "sailthru.author",
)


@dataclass
class PageMeta:
    title: str = ""
    author: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    lead_image: str | None = None
    publisher: str | None = None
    shown_outlet: str | None = None  # unlabelled, beside the byline's time
    editor: str | None = None
    language: str | None = None
    tags: list[str] = field(default_factory=list)


def _meta(root: HtmlElement) -> dict[str, str]:
    """Every <meta name|property|itemprop=... content=...>, keys lower-cased, first wins."""
    found: dict[str, str] = {}
    for element in root.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop")
        content = element.get("content")
        if key and content and content.strip():
            found.setdefault(key.strip().lower(), content.strip())
    for element in root.iter("time"):
        if element.get("itemprop") and element.get("datetime"):
            found.setdefault(element.get("itemprop", "").lower(), element.get("datetime", ""))
    return found


def _json_ld(root: HtmlElement) -> list[dict[str, Any]]:
    """Article-like objects from JSON-LD scripts (including @graph lists)."""
    objects: list[dict[str, Any]] = []
    for script in root.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                if isinstance(item.get("@graph"), list):
                    stack.extend(item["@graph"])
                kind = item.get("@type")
                kinds = kind if isinstance(kind, list) else [kind]
                if any(
                    isinstance(k, str) and ("Article" in k or k == "BlogPosting") for k in kinds
                ):
                    objects.append(item)
    return objects


# Where a page without a findable headline prints its byline and time: its first lines.
_PAGE_TOP = 1800
# A publish time that a page's own script data carries ("pubtime": "2020-07-08 16:37:45",
# pubDate: '2024-05-13'): portals that render the byline in the browser keep it there.
_SCRIPT_TIME = re.compile(
    r"""(?=[pPdr])(?:[pP]ub_?(?:[tT]ime|[dD]ate)|[pP]ublish_?(?:[tT]ime|[dD]ate)|ptime"""
    r"""|datePublished|publishedAt|releaseTime)["']?\s*[:=]\s*["'](?P<value>[^"'\n]{8,40})["']"""
)  # the lookahead lets the scan skip most positions at C speed


class Declared(NamedTuple):
    """What a page states for machines, read before its scripts are dropped."""

    meta: dict[str, str]
    json_ld: list[dict[str, Any]]
    scripts: list[str]  # inline script texts, searched only when nothing else dates the page


def _script_texts(root: HtmlElement) -> list[str]:
    return [
        script.text
        for script in root.iter("script")
        if script.text and (script.get("type") or "").lower() != "application/ld+json"
    ]


def script_time(scripts: list[str], tz: tzinfo) -> datetime | None:
    """The first time in the page's script data that reads as a date."""
    for text in scripts:
        for match in _SCRIPT_TIME.finditer(text, 0, 400_000):
            if parsed := parse_date(match.group("value"), tz):
                return parsed
    return None


def _name(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return _name(value.get("name"))
    if isinstance(value, list):
        names = [n for n in (_name(v) for v in value) if n]
        return ", ".join(names) or None
    return None


_BADGE_WORDS = {"tag", "label", "badge", "original", "icon", "flag", "mark", "sign"}


def _text_of(element: HtmlElement | None) -> str:
    """An element's text, or the content of a <meta> a rule pointed at."""
    if element is None:
        return ""
    if element.tag == "meta":
        return (element.get("content") or "").strip()
    return re.sub(r"\s+", " ", element.text_content()).strip()


def heading_text(element: HtmlElement | None) -> str:
    """A headline without the badges sites print inside it (原创, 独家, LIVE)."""
    if element is None:
        return ""
    parts = [element.text or ""]
    for child in element:
        words = mark_words(child)
        if not (words & _BADGE_WORDS and len(child.text_content().strip()) <= 6):
            parts.append(child.text_content())
        parts.append(child.tail or "")
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def _same_text(text: str) -> str:
    return re.sub(r"\s+", "", text)


def headline_text(root: HtmlElement, declared: list[str]) -> str:
    """The page's <h1> headline. A page may hold several h1s (a logo, a promo banner
    such as qq.com's "全新首页 焕新登场", the article's headline): the one that the
    <title> or og:title also names is the headline, else the first that says anything."""
    named = [_same_text(t) for t in declared if t]
    first = ""
    for h1 in root.iter("h1"):
        text = heading_text(h1)
        if not text:
            continue
        key = _same_text(text)
        if len(key) >= 4 and any(key in title for title in named):
            return text
        first = first or text
    return first


def _titled_headings(root: HtmlElement, title_tag: str) -> list[str]:
    """h2/h3 headings the <title> starts with: the headline of a page without an h1."""
    if not title_tag:
        return []
    wanted = _same_text(title_tag)
    found = []
    for heading in root.iter("h2", "h3"):
        text = heading_text(heading)
        if len(text) >= 6 and wanted.startswith(_same_text(text)):
            found.append(text)
    return sorted(found, key=len, reverse=True)[:1]


def _title_parts(raw: str) -> list[str]:
    """The <title> split at its separators, except inside brackets: the "·" of
    "崛起中争先出彩（推动高质量发展·权威发布）" belongs to the headline."""
    parts: list[str] = []
    depth = 0
    pieces = _TITLE_SPLIT.split(raw)  # text, separator, text, ...
    for index, piece in enumerate(pieces):
        if depth > 0:
            parts[-1] += piece
        elif index % 2 == 0:
            parts.append(piece)
        if index % 2 == 0:
            opened = sum(map(piece.count, "（(《【["))
            depth = max(0, depth + opened - sum(map(piece.count, "）)》】]")))
    return [p for p in parts if p]


def clean_title(raw: str, candidates: list[str]) -> str:
    """A headline without the site's suffix (`_网易新闻`, `| 澎湃新闻`, `- Reuters`).

    A heading or og:title that the <title> contains is the headline itself; else
    the longest part of the <title> between separators is.
    """
    raw = re.sub(r"\s+", " ", raw).strip()
    for candidate in candidates:
        candidate = re.sub(r"\s+", " ", candidate).strip()
        # og:title is often the <title> itself: that names no headline.
        if len(candidate) >= 4 and raw.startswith(candidate) and candidate != raw:
            return candidate
    parts = _title_parts(raw)
    if len(parts) <= 1:
        return raw
    # Keep the leading run of parts as long as it is clearly the headline.
    longest = max(parts, key=len)
    return longest if len(longest) >= 0.4 * len(raw) or len(parts[0]) < len(longest) else parts[0]


def _script_counts(sample: str) -> tuple[int, int]:
    """How many CJK characters and Latin letters: counted in C, not matched one by one.

    Latin letters are the UTF-8 bytes left when every other byte is deleted (bytes of
    other characters are all above 0x7F); CJK characters what is left of the text when
    each run of other characters is removed.
    """
    latin = len(sample.encode("utf-8").translate(None, _NOT_LATIN_LETTER))
    cjk = 0 if sample.isascii() else len(_NOT_CJK.sub("", sample))
    return cjk, latin


def _language(root: HtmlElement, text: str) -> str | None:
    """The page's declared language (its primary subtag) when its script agrees with
    the text's, else `zh` for a page in Chinese. Other undeclared languages are the
    enrich stage's to detect: a Latin script says nothing of which language it is."""
    declared = (root.get("lang") or root.get("xml:lang") or "").strip().lower()
    cjk, latin = _script_counts(text[:3000])
    chinese = cjk + latin > 0 and cjk * 2 >= latin / 4
    primary = declared.replace("_", "-").split("-")[0]
    if primary and (primary in ("zh", "ja", "ko")) == chinese:
        return primary
    return "zh" if chinese else None


def page_timezone(language: str | None, url: str) -> tzinfo:
    """Beijing time for Chinese pages (what their shown times mean), else UTC."""
    from datetime import UTC

    if language == "zh" or url.rsplit("/", 1)[0].endswith((".cn", ".com.cn")):
        return SHANGHAI
    return UTC


def headline_windows(page_text: str, title: str, size: int) -> list[str]:
    """The text after each of the headline's first three appearances: a page may
    print it in a nav bar or breadcrumb before the one its byline row follows."""
    key = title[:20]
    windows: list[str] = []
    at = page_text.find(key) if key else -1
    while at >= 0 and len(windows) < 3:
        windows.append(page_text[at : at + size])
        at = page_text.find(key, at + len(key))
    return windows


def _photo_credit(match: re.Match[str], text: str) -> bool:
    """ "新华社记者 张三 摄": the photographer, not the writer."""
    return text[match.end() : match.end() + 3].lstrip().startswith("摄")


def shown_time(page_text: str, title: str, tz: tzinfo, year: int | None) -> datetime | None:
    """The time printed by the headline: the first of its appearances whose window
    shows a date with a time (a nav bar's copy of the headline shows none), else
    the first date shown, else one in the page's first lines."""
    windows = headline_windows(page_text, title, 600) or [page_text[:_PAGE_TOP]]
    date_only = None
    for window in windows:
        found = find_date_in_text(window, tz, year)
        if found is not None and has_time(found):
            return found
        date_only = date_only or found
    return date_only


def outlet_beside_time(window: str, title: str) -> str | None:
    """The outlet a byline row prints next to its time without a label:
    "2009年11月09日13:48 新浪娱乐", "TNW中文站2016年10月14日07:17", or the first
    word of the next line when the time ends its own."""
    span = first_time_span(window)
    if span is None:
        return None
    start, end = span
    before = window[window.rfind("\n", 0, start) + 1 : start]
    if title and title in before:
        before = before[before.index(title) + len(title) :]  # the headline on the same line
    line_end = window.find("\n", end)
    after = window[end : line_end if line_end >= 0 else None]
    if not after.strip() and line_end >= 0:
        after = window[line_end + 1 :].split("\n", 1)[0]
    words = [*before.split()[-1:], *after.split()[:1]]
    for word in words:
        word = word.strip(" ：:|｜·-_()（）[]【】")
        if looks_like_outlet(word):
            return word
    return None


_HOST_WORDS = {"www", "com", "cn", "net", "org", "news", "gov", "edu", "co", "uk", "m", "new"}


def site_names(meta: dict[str, str], title_tag: str, title: str, url: str) -> set[str]:
    """The names a page gives its own site: og:site_name, application-name, the
    <title> parts beside the headline ("_网易新闻"), its host's labels."""
    names = {meta.get("og:site_name", ""), meta.get("application-name", "")}
    names |= {p for p in _TITLE_SEPARATORS.split(title_tag) if p and p not in title}
    host = urlsplit(url).hostname or ""
    names |= {label for label in host.split(".") if label not in _HOST_WORDS and len(label) > 2}
    return {n.strip() for n in names if n.strip() and len(n.strip()) <= 30}


def page_url(root: HtmlElement, url: str) -> str:
    """The page's own address: `url` when it is a web address, else the absolute
    http(s) URL the page declares (<link rel=canonical>, then og:url), so that a
    saved page gets its site's rules. A site's home page is no article's address."""
    if urlsplit(url).scheme in ("http", "https"):
        return url
    declared = [
        link.get("href") or ""
        for link in root.iter("link")
        if "canonical" in (link.get("rel") or "").lower().split()
    ]
    declared += [
        meta.get("content") or ""
        for meta in root.iter("meta")
        if (meta.get("property") or meta.get("name") or "").lower() == "og:url"
    ]
    for candidate in (c.strip() for c in declared):
        parts = urlsplit(candidate)
        if parts.scheme in ("http", "https") and parts.hostname and parts.path.strip("/"):
            return candidate
    return url


def read_declared(root: HtmlElement) -> Declared:
    """Meta tags, JSON-LD objects and script-data times; read before scripts are dropped."""
    return Declared(_meta(root), _json_ld(root), _script_texts(root))


def read_metadata(
    root: HtmlElement,
    url: str,
    rule: SiteRule,
    page_text: str,
    declared_data: Declared,
) -> PageMeta:
    """Metadata from the whole page, before any of it is removed as chrome."""
    meta, ld, scripts = declared_data
    result = PageMeta()
    result.language = _language(root, page_text)
    tz = page_timezone(result.language, url)

    og = [t for t in (meta.get("og:title", ""), meta.get("twitter:title", "")) if t]
    ld_title = next((o["headline"] for o in ld if isinstance(o.get("headline"), str)), "")
    title_tag = _text_of(next(iter(root.iter("title")), None))
    ruled = first_match(root, rule.selectors("title")) if rule.title else None
    if ruled is not None:
        h1_text = heading_text(ruled) if ruled.tag != "meta" else _text_of(ruled)
    else:
        h1_text = headline_text(root, [title_tag, *og, ld_title])
    site_name = meta.get("og:site_name", "")
    if h1_text and (ruled is not None or (len(h1_text) >= 8 and h1_text not in site_name)):
        # The page's own headline; <title> is often an SEO variant with a suffix.
        result.title = h1_text
    else:
        candidates = [t for t in (h1_text, *og, ld_title) if t]
        candidates += _titled_headings(root, title_tag)
        result.title = clean_title(title_tag, candidates) if title_tag else ""
        result.title = result.title or (candidates[0] if candidates else "")

    # Publish time: a site rule, then the time shown by the headline (what the
    # reader sees, in the page's zone), then meta tags and JSON-LD.
    shown = None
    for selector in rule.selectors("published"):
        for element in selector(root):
            value = element.get("datetime") or element.get("content") or _text_of(element)
            shown = parse_date(value, tz) or find_date_in_text(value, tz, year_hint(url))
            if shown:
                break
        if shown:
            break
    if shown is None:
        shown = shown_time(page_text, h1_text or result.title, tz, year_hint(url))
    declared = None
    for key in _PUBLISHED_META:
        if key in meta and (declared := parse_date(meta[key], tz)):
            break
    if declared is None:
        for obj in ld:
            value = obj.get("datePublished")
            if isinstance(value, str) and (declared := parse_date(value, tz)):
                break
    if declared is None and (shown is None or not has_time(shown)):
        declared = script_time(scripts, tz)
    if shown is not None and declared is not None and not has_time(shown):
        # A date shown alone and a declared time of that day: the time is the page's.
        shown = declared if declared.astimezone(tz).date() == shown.date() else shown
    result.published = shown or declared
    modified = meta.get("article:modified_time") or next(
        (o["dateModified"] for o in ld if isinstance(o.get("dateModified"), str)), ""
    )
    result.updated = parse_date(modified, tz) if modified else None

    # Author and publisher: every place that may name them, most explicit first; a
    # value that is no person's name (the site, an editor, a widget) is passed over.
    # Where bylines are printed: after the headline's appearances, else the page's top.
    windows = headline_windows(page_text, h1_text or result.title, 400)
    bylines = "\n".join(windows) or page_text[:_PAGE_TOP]
    editors = editor_names(page_text)
    not_authors = editors | site_names(meta, title_tag, result.title, url)
    candidates = [_text_of(first_match(root, rule.selectors("author"))) if rule.author else ""]
    candidates += [meta[k] for k in _AUTHOR_META if meta.get(k)]
    candidates += [n for n in (_name(o.get("author")) for o in ld) if n]
    # Chinese articles also sign off above the editor's credit: "（记者 张三）".
    credits = [m.start() for m in EDITOR.finditer(page_text)]
    for at in dict.fromkeys(credits[:1] + credits[-1:]):
        bylines += "\n" + page_text[max(0, at - 150) : at]
    candidates += [
        m.group("name") for m in AUTHOR.finditer(bylines) if not _photo_credit(m, bylines)
    ]
    candidates += [m.group("name") for m in _BY.finditer(bylines)]
    outlets: list[str] = []
    for candidate in candidates:
        author, outlet = split_byline(candidate, not_authors)
        if outlet:
            outlets.append(outlet)
        if author:
            result.author = author
            break

    publisher = _text_of(first_match(root, rule.selectors("publisher"))) if rule.publisher else ""
    if publisher:
        # "来源：新华社 | 2026-11-28" or "Source: Xinhua | ...": the name alone.
        publisher = re.split(r"\s*[|｜]\s*|\s{2,}", LABEL.sub("", publisher))[0].strip("：: ")
    # 来源 as a reprint note names it, then as the site's rule finds it (maybe the
    # account that posted it), as labelled by the headline, as declared, as a byline
    # names it. The byline row's unlabelled name beside the time is kept apart: a
    # "来源：" signed under the article beats it.
    result.publisher = (
        find_source_note(page_text)
        or publisher_name(publisher)
        or find_publisher(bylines)
        or publisher_name(LABEL.sub("", meta.get("source", "")))
        or next(iter(outlets), None)
    )
    result.shown_outlet = next(
        filter(None, (outlet_beside_time(w, result.title) for w in windows)), None
    )
    result.editor = find_editor(page_text)
    image = meta.get("og:image") or meta.get("og:image:url") or meta.get("twitter:image")
    if not image:
        for obj in ld:
            candidate = obj.get("image")
            if isinstance(candidate, list) and candidate:
                candidate = candidate[0]
            if isinstance(candidate, dict):
                candidate = candidate.get("url")
            if isinstance(candidate, str):
                image = candidate
                break
    result.lead_image = urljoin(url, image) if image else None

    keywords = meta.get("keywords") or meta.get("news_keywords") or ""
    tags = [t.strip() for t in re.split(r"[,，;；]", keywords) if t.strip()]
    result.tags = list(dict.fromkeys(t for t in tags if len(t) <= 30))[:10]
    return result
