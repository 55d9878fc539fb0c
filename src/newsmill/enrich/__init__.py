"""Enrich stage: lead image, publisher, editor, language and summary."""

from newsmill.enrich.images import pick_lead_image
from newsmill.enrich.metadata import find_editor, find_publisher, guess_language, make_summary

__all__ = ["find_editor", "find_publisher", "guess_language", "make_summary", "pick_lead_image"]
