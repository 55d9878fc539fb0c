"""Publish stage: writers that turn stored articles into files."""

from newsmill.model import PublishReport
from newsmill.publish.files import OutputError
from newsmill.publish.hexo import HexoWriter, render_hexo_post
from newsmill.publish.jsonl import JsonlWriter

__all__ = ["HexoWriter", "JsonlWriter", "OutputError", "PublishReport", "render_hexo_post"]
