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
from typing import Any
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
    publisher_name,
    split_byline,
)
from newsmill.extract.dates import SHANGHAI, find_date_in_text, parse_date, year_hint
from newsmill.htmltools import mark_words

_TITLE_SEPARATORS = re.compile(r"\s*(?:_|\||｜|—|–|-{1,2}|·|::|»)\s*")
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


def clean_title(raw: str, candidates: list[str]) -> str:
    """A headline without the site's suffix (`_网易新闻`, `| 澎湃新闻`, `- Reuters`).

    A heading or og:title that the <title> contains is the headline itself; else
    the longest part of the <title> between separators is.
    """
    raw = re.sub(r"\s+", " ", raw).strip()
    for candidate in candidates:
        candidate = re.sub(r"\s+", " ", candidate).strip()
        if len(candidate) >= 4 and raw.startswith(candidate):
            return candidate
    parts = [p for p in _TITLE_SEPARATORS.split(raw) if p]
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


def header_window(page_text: str, title: str, size: int = 600) -> str:
    """The text from the headline on: where bylines, times and 来源 are printed."""
    at = page_text.find(title[:20]) if title else -1
    return page_text[at : at + size] if at >= 0 else page_text[: size * 3]


def _photo_credit(match: re.Match[str], text: str) -> bool:
    """ "新华社记者 张三 摄": the photographer, not the writer."""
    return text[match.end() : match.end() + 3].lstrip().startswith("摄")


def byline_text(page_text: str, title: str, size: int = 400) -> str:
    """The text after each of the headline's first three appearances: a page may
    print it in a nav bar or breadcrumb before the one its byline row follows."""
    key = title[:20]
    if not key:
        return page_text[:1800]
    windows: list[str] = []
    at = page_text.find(key)
    while at >= 0 and len(windows) < 3:
        windows.append(page_text[at : at + size])
        at = page_text.find(key, at + len(key))
    return "\n".join(windows) or page_text[:1800]


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


def read_declared(root: HtmlElement) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """Meta tags and JSON-LD objects; read before scripts are dropped."""
    return _meta(root), _json_ld(root)


def read_metadata(
    root: HtmlElement,
    url: str,
    rule: SiteRule,
    page_text: str,
    declared_data: tuple[dict[str, str], list[dict[str, Any]]],
) -> PageMeta:
    """Metadata from the whole page, before any of it is removed as chrome."""
    meta, ld = declared_data
    result = PageMeta()
    result.language = _language(root, page_text)
    tz = page_timezone(result.language, url)

    h1 = first_match(root, rule.selectors("title")) if rule.title else None
    if h1 is None:
        h1 = next(iter(root.iter("h1")), None)
    h1_text = heading_text(h1) if h1 is not None and h1.tag != "meta" else _text_of(h1)
    og = [t for t in (meta.get("og:title", ""), meta.get("twitter:title", "")) if t]
    ld_title = next((o["headline"] for o in ld if isinstance(o.get("headline"), str)), "")
    title_tag = _text_of(next(iter(root.iter("title")), None))
    site_name = meta.get("og:site_name", "")
    if h1_text and (rule.title or (len(h1_text) >= 8 and h1_text not in site_name)):
        # The page's own headline; <title> is often an SEO variant with a suffix.
        result.title = h1_text
    else:
        candidates = [t for t in (h1_text, *og, ld_title) if t]
        result.title = clean_title(title_tag, candidates) if title_tag else ""
        result.title = result.title or (candidates[0] if candidates else "")
    header = header_window(page_text, h1_text or result.title)

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
        shown = find_date_in_text(header, tz, year_hint(url))
    declared = None
    for key in _PUBLISHED_META:
        if key in meta and (declared := parse_date(meta[key], tz)):
            break
    if declared is None:
        for obj in ld:
            value = obj.get("datePublished")
            if isinstance(value, str) and (declared := parse_date(value, tz)):
                break
    result.published = shown or declared
    modified = meta.get("article:modified_time") or next(
        (o["dateModified"] for o in ld if isinstance(o.get("dateModified"), str)), ""
    )
    result.updated = parse_date(modified, tz) if modified else None

    # Author and publisher: every place that may name them, most explicit first; a
    # value that is no person's name (the site, an editor, a widget) is passed over.
    bylines = byline_text(page_text, h1_text or result.title)
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
    result.publisher = (
        publisher_name(publisher)
        or find_publisher(bylines)
        or publisher_name(LABEL.sub("", meta.get("source", "")))
        or next(iter(outlets), None)
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
