"""The lead image: the picture a reader should see first, never a promo or a pixel."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from newsmill.model import Entry

_BOILERPLATE = re.compile(
    r"qr|qrcode|erweima|二维码|promo|appendqr|share|logo|icon|avatar|emoji|sprite|banner|"
    r"advert|\bads?\b|tracking|pixel|beacon|badge|follow",
    re.IGNORECASE,
)
_IMAGE_TYPES = ("image/",)
_MIN_SIDE = 100


def _int(value: str | None) -> int | None:
    if not value:
        return None
    match = re.match(r"\s*(\d+)", value)
    return int(match.group(1)) if match else None


def looks_like_chrome(url: str) -> bool:
    """A logo, icon, QR code or generic share card, judged by the file name."""
    return bool(_BOILERPLATE.search(url.rsplit("/", 1)[-1].split("?", 1)[0]))


def _looks_like_boilerplate(img: etree._Element) -> bool:
    src = img.get("src") or ""
    if _BOILERPLATE.search(src.rsplit("/", 1)[-1]) or _BOILERPLATE.search(img.get("alt") or ""):
        return True
    width, height = _int(img.get("width")), _int(img.get("height"))
    if (width is not None and width < _MIN_SIDE) or (height is not None and height < _MIN_SIDE):
        return True
    for ancestor in img.iterancestors():
        marks = " ".join(filter(None, (ancestor.get("class"), ancestor.get("id"))))
        if marks and _BOILERPLATE.search(marks):
            return True
    return False


def content_images(html: str, base_url: str = "") -> list[str]:
    """Absolute URLs of the images in `html` that are not boilerplate, in order."""
    if "<img" not in html:
        return []
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return []
    found = []
    for img in root.iter("img"):
        src = urljoin(base_url, (img.get("src") or "").strip())
        if src.startswith(("http://", "https://")) and not _looks_like_boilerplate(img):
            found.append(src)
    return found


def pick_lead_image(entry: Entry, raw_html: str, clean_html: str, base_url: str) -> str | None:
    """Feed-declared images first (enclosure, media:thumbnail), then the content's own.

    Content images are judged in the raw HTML, where the class names that mark
    a QR promo still exist, and must also have survived sanitizing.
    """
    for enclosure in entry.enclosures:
        if enclosure.type.startswith(_IMAGE_TYPES) and enclosure.url.startswith("http"):
            return enclosure.url
    for thumb in entry.thumbnails:
        if thumb.startswith("http"):
            return thumb
    kept = set(content_images(clean_html, base_url))
    return next((src for src in content_images(raw_html, base_url) if src in kept), None)
