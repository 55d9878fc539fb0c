"""Publish stage: writers that turn stored articles into files.

Its names load on first use: a build loads the writers it is configured with
(`writers.make_writers`), not every writer's templates and YAML.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsmill.lazy import lazy_exports

if TYPE_CHECKING:
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
_WHERE = {
    "HexoWriter": "newsmill.publish.hexo",
    "JsonlWriter": "newsmill.publish.jsonl",
    "OutputError": "newsmill.files",
    "PublishReport": "newsmill.model",
    "Writer": "newsmill.publish.writers",
    "apply_retention": "newsmill.publish.retention",
    "make_writers": "newsmill.publish.writers",
    "render_hexo_post": "newsmill.publish.hexo",
}


__getattr__ = lazy_exports(__name__, _WHERE)
