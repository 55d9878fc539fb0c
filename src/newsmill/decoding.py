"""Bytes to text, in the order that is right for real Chinese and Western feeds.

Declared charsets lie often (GB2312 feeds holding GB18030-only characters,
servers labelling everything ISO-8859-1 or UTF-8), so every declaration is a
candidate that must decode strictly before it is believed.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

# Superset decoders: every GB2312/GBK byte string is valid GB18030, and the
# reverse is what real "gb2312" feeds need.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "cp936": "gb18030",
    "x-gbk": "gb18030",
    "euc-cn": "gb18030",
    "hz-gb-2312": "gb18030",
    "big5": "big5hkscs",
    "latin-1": "cp1252",
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
}
_SINGLE_BYTE_LATIN = {"cp1252", "iso8859-15"}

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)


def normalize_charset(name: str | None) -> str | None:
    """A Python codec name for a declared charset, widened to its superset."""
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None
    return _SUPERSETS.get(codec, codec)


def charset_from_content_type(content_type: str) -> str | None:
    match = _HEADER_CHARSET.search(content_type or "")
    return match.group(1) if match else None


def declared_in_document(body: bytes) -> str | None:
    """The XML declaration's encoding, else a `<meta charset>` in the first 4 KB."""
    head = body[:4096]
    match = _XML_DECL.match(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii") if match else None


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_document(
    body: bytes, content_type: str = "", override: str | None = None
) -> tuple[str, str]:
    """Decode `body` and return (text, codec used).

    Order: a configured override, a BOM, the HTTP charset, the document's own
    declaration, then detection; the first that decodes strictly wins.
    """
    for bom, bom_codec in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(bom_codec, errors="replace"), bom_codec

    candidates: list[str | None] = [
        normalize_charset(override),
        normalize_charset(charset_from_content_type(content_type)),
        normalize_charset(declared_in_document(body)),
    ]
    for codec in candidates:
        if codec is None:
            continue
        text = _strict(body, codec)
        if text is None:
            continue
        # A Latin-1 label on valid, non-ASCII UTF-8 is a server default, not a choice.
        if codec in _SINGLE_BYTE_LATIN and not body.isascii():
            utf8 = _strict(body, "utf-8")
            if utf8 is not None:
                return utf8, "utf-8"
        return text, codec

    utf8 = _strict(body, "utf-8")
    if utf8 is not None:
        return utf8, "utf-8"
    codec = detect_charset(body)
    return body.decode(codec, errors="replace"), codec


# Among equally plausible detections, the codec real feeds use most.
_PREFERRED = ("utf-8", "gb18030", "big5hkscs", "cp1252", "cp932", "cp949")


def detect_charset(body: bytes) -> str:
    """Detection as the last resort; ties go to the common codec of its family,
    so unlabelled French reads as Windows-1252, not as the Polish code page."""
    matches = list(from_bytes(body[:200_000]))
    if not matches:
        return "utf-8"
    best = min(m.chaos for m in matches)
    tied = {normalize_charset(m.encoding) for m in matches if m.chaos <= best + 0.005}
    for codec in _PREFERRED:
        if codec in tied:
            return codec
    return normalize_charset(matches[0].encoding) or "utf-8"
