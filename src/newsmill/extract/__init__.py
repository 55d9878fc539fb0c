"""Extract stage: an article page to its main content and metadata."""

from newsmill.extract.page import ExtractedPage, ExtractError, extract_page

__all__ = ["ExtractError", "ExtractedPage", "extract_page"]
