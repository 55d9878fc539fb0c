"""Clean stage: sanitizing, URL fixing and plain text (boilerplate removal comes later)."""

from newsmill.clean.sanitize import sanitize_html
from newsmill.clean.text import html_to_text

__all__ = ["html_to_text", "sanitize_html"]
