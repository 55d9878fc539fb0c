"""Enrich stage: lead image, publisher, editor, language and summary."""

from newsmill.enrich.images import content_images, looks_like_chrome, pick_lead_image
from newsmill.enrich.keywords import keywords
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
