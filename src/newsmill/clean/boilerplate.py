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
from newsmill.clean.text import LINE_TAGS
from newsmill.htmltools import TextCounts, drop_keep_tail, remove_junk

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
_LAZY_SET = frozenset(LAZY_ATTRIBUTES)
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


def _script_loaded_source(img: HtmlElement) -> str | None:
    """The picture's real URL when its `src` is missing or a placeholder, else None.

    The attribute names are read once: most images have neither a lazy attribute
    nor a srcset, and then nothing more is looked up or matched.
    """
    names = img.keys()
    lazy = None
    if not _LAZY_SET.isdisjoint(names):
        lazy = next((img.get(a) for a in LAZY_ATTRIBUTES if (img.get(a) or "").strip()), None)
    srcset = None
    if "srcset" in names or "data-srcset" in names:
        srcset = img.get("data-srcset") or img.get("srcset")
    if not lazy and not srcset:
        return None
    src = (img.get("src") or "").strip()
    if src and not _PLACEHOLDER_SRC.search(src):
        return None
    return lazy.strip() if lazy else _best_srcset(srcset or "")


def resolve_lazy_images(root: HtmlElement) -> None:
    """Make `src` the real picture where a page loads it with script."""
    for img in root.iter("img"):
        if real := _script_loaded_source(img):
            img.set("src", real)
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


def _drop(element: etree._Element, counts: TextCounts | None) -> None:
    """Drop an element, keeping its tail, and the text counts true if there are any."""
    if counts is None:
        drop_keep_tail(element)
    else:
        counts.drop(element)


def drop_tracking_pixels(root: HtmlElement, counts: TextCounts | None = None) -> None:
    for img in list(root.iter("img")):
        if _is_tracking_pixel(img) or not (img.get("src") or "").strip():
            _drop(img, counts)


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


def drop_selected(root: HtmlElement, rule: SiteRule, counts: TextCounts | None = None) -> None:
    selectors = rule.selector_set("drop")
    if selectors is None:
        return
    for element in selectors.select(root):
        if element is not root and element.getparent() is not None:
            _drop(element, counts)


# Longest block (characters, white space collapsed) that drop_text patterns judge.
_MAX_BLOCK = 200


def _block_text(element: HtmlElement) -> str:
    """The text, white space collapsed (str.split() knows the same white space as \\s)."""
    return " ".join(element.text_content().split())


def _surely_long(element: HtmlElement, counts: TextCounts | None) -> bool:
    """Longer than _MAX_BLOCK, known from the counts without collecting its text.

    A character weighs at most four (its UTF-8 bytes) and white space nothing.
    """
    c = counts.get(element) if counts is not None else None
    return c is not None and c.text > 4 * _MAX_BLOCK


def drop_matching_text(root: HtmlElement, rule: SiteRule, counts: TextCounts | None = None) -> None:
    """Remove blocks whose whole text is boilerplate (责任编辑, share prompts...).

    Only small blocks are judged, so a pattern can never take an article's
    paragraphs with it.
    """
    if not rule.drop_text:
        return
    is_boilerplate = rule.text_matcher()
    for element in list(root.iter(*_TEXT_BLOCKS)):
        if element is root or element.getparent() is None or _surely_long(element, counts):
            continue
        text = _block_text(element)
        if text and len(text) <= _MAX_BLOCK and is_boilerplate(text):
            _drop(element, counts)


def _br_lines(block: HtmlElement) -> list[tuple[etree._Element | None, list[etree._Element]]]:
    """A block's lines at its own <br>s: for each, the <br> it starts after (None for
    the first) and the inline children it holds, ending <br> included."""
    lines: list[tuple[etree._Element | None, list[etree._Element]]] = [(None, [])]
    for child in block:
        lines[-1][1].append(child)
        if child.tag == "br":
            lines.append((child, []))
    return lines


def drop_matching_lines(
    root: HtmlElement, rule: SiteRule, counts: TextCounts | None = None
) -> None:
    """Remove the lines of a block, cut by <br>, that are boilerplate as a whole.

    Older portals set a whole article in one box of <br> lines, its 来源, 校对
    and 刊号 lines with it: a block-level pattern never sees those lines alone.
    """
    if not rule.drop_text:
        return
    is_boilerplate = rule.text_matcher()
    for block in list(root.iter(*_TEXT_BLOCKS)):
        if block.find("br") is None or block.getparent() is None:
            continue
        # Last line first: dropping a line's ending <br> moves the next line's text.
        for start, children in reversed(_br_lines(block)):
            if any(
                isinstance(c.tag, str) and c.tag in LINE_TAGS and c.tag != "br" for c in children
            ):
                continue  # a line holding a block is no line of text
            lead = block.text if start is None else start.tail
            pieces = [lead or ""]
            for child in children:
                if child.tag != "br":
                    pieces.append(child.text_content() if isinstance(child.tag, str) else "")
                    pieces.append(child.tail or "")
            text = " ".join("".join(pieces).split())
            if not text or len(text) > _MAX_BLOCK or not is_boilerplate(text):
                continue
            if counts is not None:
                counts.forget_text(block, lead)
            if start is None:
                block.text = None
            else:
                start.tail = None
            # A <br> only ever ends a line, and its tail is the next line's text: kept.
            for child in children:
                if child.tag != "br":
                    if counts is not None:
                        counts.forget_text(block, child.tail)
                    child.tail = None
                _drop(child, counts)


def drop_empty(root: HtmlElement, counts: TextCounts | None = None) -> None:
    """Elements left with no text and no picture, innermost first."""
    for element in reversed(list(root.iter(etree.Element))):
        if element is root or element.tag in _KEEP_EMPTY or element.getparent() is None:
            continue
        if (element.text or "").strip() or len(element):
            continue
        _drop(element, counts)


def clean_tree(
    root: HtmlElement,
    rule: SiteRule,
    base_url: str,
    remove_chrome: bool = True,
    counts: TextCounts | None = None,
    embeds_done: bool = False,
) -> TextCounts | None:
    """Every boilerplate step, in the order that keeps the article's own pictures.

    `remove_chrome=False` skips the class-word pass for a tree that had it already,
    and `embeds_done=True` the lazy-image and iframe passes for one whose page had
    them. Text counts given (or made by the class-word pass) are kept true and
    returned, for pruning after.
    """
    for comment in list(root.iter(etree.Comment)):
        drop_keep_tail(comment)  # a comment weighs nothing: its tail stays counted
    if not embeds_done:
        resolve_lazy_images(root)
        iframes_to_links(root, base_url)
    if remove_chrome:
        counts = remove_junk(root, counts)
    drop_selected(root, rule, counts)
    drop_tracking_pixels(root, counts)
    drop_matching_text(root, rule, counts)
    drop_matching_lines(root, rule, counts)
    drop_empty(root, counts)
    return counts
