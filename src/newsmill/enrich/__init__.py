"""Enrich stage: lead image, publisher, editor, language and summary.

Its names load on first use: the site build asks only whether a language is
written right to left, and must not wait for the metadata module's tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

# Bound here, not lazily: the function has its module's name, and importing that
# module sets the package's attribute to the module, which a lazy name never replaces.
from newsmill.enrich.keywords import keywords
from newsmill.lazy import lazy_exports

if TYPE_CHECKING:
    from newsmill.enrich.images import content_images, looks_like_chrome, pick_lead_image
    from newsmill.enrich.language import article_language, detect_language, is_rtl
    from newsmill.enrich.language import primary as primary_language
    from newsmill.enrich.metadata import (
        AUTHOR,
        EDITOR,
        EDITOR_EN,
        LABEL,
        PUBLISHER,
        editor_names,
        find_editor,
        find_publisher,
        find_source_note,
        looks_like_outlet,
        make_summary,
        publisher_name,
        split_byline,
    )

__all__ = [
    "AUTHOR",
    "EDITOR",
    "EDITOR_EN",
    "LABEL",
    "PUBLISHER",
    "article_language",
    "content_images",
    "detect_language",
    "editor_names",
    "find_editor",
    "find_publisher",
    "find_source_note",
    "is_rtl",
    "keywords",
    "looks_like_chrome",
    "looks_like_outlet",
    "make_summary",
    "pick_lead_image",
    "primary_language",
    "publisher_name",
    "split_byline",
]
_METADATA = "newsmill.enrich.metadata"
_LANGUAGE = "newsmill.enrich.language"
_IMAGES = "newsmill.enrich.images"
_WHERE = {
    **dict.fromkeys(("content_images", "looks_like_chrome", "pick_lead_image"), _IMAGES),
    **dict.fromkeys(("article_language", "detect_language", "is_rtl"), _LANGUAGE),
    "primary_language": f"{_LANGUAGE}:primary",
    **dict.fromkeys(
        (
            "AUTHOR",
            "EDITOR",
            "EDITOR_EN",
            "LABEL",
            "PUBLISHER",
            "editor_names",
            "find_editor",
            "find_publisher",
            "find_source_note",
            "looks_like_outlet",
            "make_summary",
            "publisher_name",
            "split_byline",
        ),
        _METADATA,
    ),
}


__getattr__ = lazy_exports(__name__, _WHERE)
