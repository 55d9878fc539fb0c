"""Extract stage: an article page to its main content and metadata."""

from newsmill.extract.content import Candidate
from newsmill.extract.explain import Explanation, explain_page
from newsmill.extract.page import (
    ExtractedPage,
    ExtractError,
    extract_page,
)
from newsmill.extract.policy import needs_full_text

__all__ = [
    "Candidate",
    "Explanation",
    "ExtractError",
    "ExtractedPage",
    "explain_page",
    "extract_page",
    "needs_full_text",
]
