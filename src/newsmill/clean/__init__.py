"""Clean stage: boilerplate removal, sanitizing, URL fixing and plain text."""

from newsmill.clean.boilerplate import clean_tree, iframes_to_links, resolve_lazy_images
from newsmill.clean.fragment import clean_fragment
from newsmill.clean.rules import (
    RuleBook,
    RuleError,
    SiteRule,
    default_rules,
    first_match,
    load_rules,
)
from newsmill.clean.sanitize import sanitize_html
from newsmill.clean.text import html_to_text

__all__ = [
    "RuleBook",
    "RuleError",
    "SiteRule",
    "clean_fragment",
    "clean_tree",
    "default_rules",
    "first_match",
    "html_to_text",
    "iframes_to_links",
    "load_rules",
    "resolve_lazy_images",
    "sanitize_html",
]
