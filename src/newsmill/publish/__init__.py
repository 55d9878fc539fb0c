"""Publish stage: writers that turn stored articles into files."""

from newsmill.files import OutputError
from newsmill.model import PublishReport
from newsmill.publish.hexo import HexoWriter, render_hexo_post
from newsmill.publish.jsonl import JsonlWriter
from newsmill.publish.retention import apply_retention
from newsmill.publish.writers import Writer, make_writers

__all__ = [
    "HexoWriter",
    "JsonlWriter",
    "OutputError",
    "PublishReport",
    "Writer",
    "apply_retention",
    "make_writers",
    "render_hexo_post",
]
