"""Boilerplate removal on a parsed fragment or page body, before sanitizing.

It runs while class names and comments still exist (the sanitizer removes
them), and it works the same on a feed item's HTML and an extracted page.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlElement

from newsmill.clean.rules import SiteRule
from newsmill.htmltools import drop_keep_tail, remove_junk

LAZY_ATTRIBUTES = (
    "data-src",
    "data-original",
    "data-actualsrc",
    "data-lazy-src",
    "data-url",
    "data-echo",
    "data-original-src",
    "data-lazyload",
    "data-ks-lazyload",
)
_PLACEHOLDER_SRC = re.compile(
    r"^data:|blank\.|spacer\.|placeholder|loading\.gif|grey\.gif|1x1", re.I
)
_BEACON = re.compile(
    r"pixel|beacon|tracking|/count\?|/stat[s]?\?|analytics|doubleclick|/log\?|/pv\?|\.gif\?|"
    r"hm\.baidu|cnzz|51\.la|tongji|scorecardresearch|quantserve|facebook\.com/tr",
    re.I,
)
_VIDEO_HOSTS = re.compile(
    r"youtube\.com|youtube-nocookie\.com|youtu\.be|vimeo\.com|bilibili\.com|v\.qq\.com|"
    r"youku\.com|ixigua\.com|iqiyi\.com|dailymotion\.com|ted\.com",
    re.I,
)
# Marks the paragraphs made from video embeds, so link-density pruning keeps them;
# the sanitizer removes the class afterwards.
VIDEO_LINK_CLASS = "newsmill-video"
_TEXT_BLOCKS = ("p", "div", "li", "section", "span", "font", "strong", "b", "h2", "h3", "h4", "h5",
                "h6", "center", "blockquote", "td", "figcaption", "dd", "dt")  # fmt: skip
_KEEP_EMPTY = {"img", "br", "hr", "td", "th", "tr", "video", "audio", "source", "col", "iframe"}


def _best_srcset(srcset: str) -> str | None:
    """The widest candidate of a srcset (`url 640w, url 1280w` or `url 1x, url 2x`)."""
    best, best_size = None, -1.0
    for part in srcset.split(","):
        bits = part.strip().split()
        if not bits:
            continue
        size = 1.0
        if len(bits) > 1:
            match = re.match(r"([\d.]+)[wx]$", bits[1])
            size = float(match.group(1)) if match else 1.0
        if size > best_size:
            best, best_size = bits[0], size
    return best


def resolve_lazy_images(root: HtmlElement) -> None:
    """Make `src` the real picture where a page loads it with script."""
    for img in root.iter("img"):
        src = (img.get("src") or "").strip()
        lazy = next((img.get(a) for a in LAZY_ATTRIBUTES if (img.get(a) or "").strip()), None)
        if lazy and (not src or _PLACEHOLDER_SRC.search(src)):
            img.set("src", lazy.strip())
            continue
        if (not src or _PLACEHOLDER_SRC.search(src)) and (
            srcset := img.get("data-srcset") or img.get("srcset")
        ):
            chosen = _best_srcset(srcset)
            if chosen:
                img.set("src", chosen)
    for picture in root.iter("picture"):
        if picture.find(".//img") is None:
            source = picture.find(".//source")
            if source is not None and (chosen := _best_srcset(source.get("srcset") or "")):
                etree.SubElement(picture, "img", src=chosen)


def _is_tracking_pixel(img: HtmlElement) -> bool:
    width, height = img.get("width", ""), img.get("height", "")
    if width.strip() in ("0", "1", "1px", "0px") or height.strip() in ("0", "1", "1px", "0px"):
        return True
    style = (img.get("style") or "").replace(" ", "").lower()
    if "width:1px" in style or "height:1px" in style or "display:none" in style:
        return True
    return bool(_BEACON.search(img.get("src") or ""))


def drop_tracking_pixels(root: HtmlElement) -> None:
    for img in list(root.iter("img")):
        if _is_tracking_pixel(img) or not (img.get("src") or "").strip():
            drop_keep_tail(img)


def iframes_to_links(root: HtmlElement, base_url: str) -> None:
    """A video embed becomes a link to the video; every other iframe goes."""
    for frame in list(root.iter("iframe", "embed", "video")):
        src = urljoin(base_url, (frame.get("src") or frame.get("data-src") or "").strip())
        parent = frame.getparent()
        if parent is None:
            continue
        if src.startswith(("http://", "https://")) and _VIDEO_HOSTS.search(urlsplit(src).netloc):
            paragraph = etree.Element("p", {"class": VIDEO_LINK_CLASS})
            link = etree.SubElement(paragraph, "a", href=src)
            link.text = f"Video: {urlsplit(src).netloc}"
            paragraph.tail = frame.tail
            parent.replace(frame, paragraph)
        else:
            drop_keep_tail(frame)


def drop_selected(root: HtmlElement, rule: SiteRule) -> None:
    selector = rule.union("drop")
    if selector is None:
        return
    for element in selector(root):
        if element is not root and element.getparent() is not None:
            drop_keep_tail(element)


def _block_text(element: HtmlElement) -> str:
    return re.sub(r"\s+", " ", element.text_content()).strip()


def drop_matching_text(root: HtmlElement, rule: SiteRule) -> None:
    """Remove blocks whose whole text is boilerplate (责任编辑, share prompts...).

    Only small blocks are judged, so a pattern can never take an article's
    paragraphs with it.
    """
    if not rule.drop_text:
        return
    for element in list(root.iter(*_TEXT_BLOCKS)):
        if element is root or element.getparent() is None:
            continue
        text = _block_text(element)
        if not text or len(text) > 200:
            continue
        if any(p.search(text) for p in rule.drop_text):
            drop_keep_tail(element)


def drop_empty(root: HtmlElement) -> None:
    """Elements left with no text and no picture, innermost first."""
    for element in reversed(list(root.iter(etree.Element))):
        if element is root or element.tag in _KEEP_EMPTY or element.getparent() is None:
            continue
        if (element.text or "").strip() or len(element):
            continue
        drop_keep_tail(element)


def clean_tree(
    root: HtmlElement, rule: SiteRule, base_url: str, remove_chrome: bool = True
) -> None:
    """Every boilerplate step, in the order that keeps the article's own pictures.

    `remove_chrome=False` skips the class-word pass for a tree that had it already.
    """
    for comment in list(root.iter(etree.Comment)):
        drop_keep_tail(comment)
    resolve_lazy_images(root)
    iframes_to_links(root, base_url)
    if remove_chrome:
        remove_junk(root)
    drop_selected(root, rule)
    drop_tracking_pixels(root)
    drop_matching_text(root, rule)
    drop_empty(root)
