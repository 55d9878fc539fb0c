"""Clean stage: boilerplate removal, sanitizing, URL fixing and plain text."""

from newsmill.clean.fragment import clean_fragment
from newsmill.clean.rules import RuleBook, SiteRule, load_rules
from newsmill.clean.sanitize import sanitize_html
from newsmill.clean.text import html_to_text

__all__ = ["RuleBook", "SiteRule", "clean_fragment", "html_to_text", "load_rules", "sanitize_html"]
