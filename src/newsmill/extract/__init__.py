"""Extract stage: an article page to its main content and metadata."""

from newsmill.extract.page import ExtractedPage, ExtractError, extract_page
from newsmill.extract.policy import needs_full_text

__all__ = ["ExtractError", "ExtractedPage", "extract_page", "needs_full_text"]
