"""Enrich stage: lead image, publisher, editor, language and summary."""

from newsmill.enrich.images import pick_lead_image
from newsmill.enrich.language import article_language, detect_language, is_rtl
from newsmill.enrich.language import primary as primary_language
from newsmill.enrich.metadata import find_editor, find_publisher, make_summary

__all__ = [
    "article_language",
    "detect_language",
    "find_editor",
    "find_publisher",
    "is_rtl",
    "make_summary",
    "pick_lead_image",
    "primary_language",
]
