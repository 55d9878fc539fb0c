"""The outputs a configuration asks for, and what the pipeline may ask of each.

Every writer reads the store itself, as much of it as it needs: the post
writers and the site only what changed since their last run (each keeps a
manifest of what it wrote), JSON Lines every article, since its file is one
document. Which articles is the writer's to say too (`wants_duplicates`), so
the pipeline runs every output the same way and knows none of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

from newsmill.model import Article, PublishReport

if TYPE_CHECKING:
    from newsmill.config import Config
    from newsmill.store import Store


class Writer(Protocol):
    """One output: its name in reports, which articles it shows, and the two ways to
    make it.

    `wants_duplicates`: True, every article of a story (JSON Lines lists them
    with their cluster, the site shows them under "also reported by"); False,
    the canonical article of each story only (the post writers, unless
    `[dedupe] publish_duplicates`).

    `publish_store` is what a run calls: the writer reads what it needs of the
    store. `publish` takes the articles to show instead, every one of them, for
    tests and small sets.
    """

    name: str
    wants_duplicates: bool

    def publish_store(self, store: Store) -> PublishReport: ...

    def publish(self, articles: Iterable[Article]) -> PublishReport: ...


def make_writers(config: Config) -> list[Writer]:
    """The configured outputs, in the order a run publishes them."""
    by_name = {s.name: s for s in config.resolved_sources()}
    tz, publish = config.site.tz, config.publish
    duplicates = config.dedupe.publish_duplicates  # what the post writers show
    writers: list[Writer] = []
    # Each writer's module is loaded only when it is configured: a build of the site
    # alone does not wait for the post writers' YAML and templates.
    if publish.hexo:
        from newsmill.publish.hexo import HexoWriter

        placeholder = publish.hexo.placeholder_image
        writers.append(HexoWriter(publish.hexo.dir, tz, by_name, placeholder, duplicates))
    if publish.jsonl:
        from newsmill.publish.jsonl import JsonlWriter

        writers.append(JsonlWriter(publish.jsonl.path, by_name))
    if publish.hugo:
        from newsmill.publish.hugo import HugoWriter

        placeholder = publish.hugo.placeholder_image
        writers.append(HugoWriter(publish.hugo.dir, tz, by_name, placeholder, duplicates))
    if publish.jekyll:
        from newsmill.publish.jekyll import JekyllWriter

        placeholder = publish.jekyll.placeholder_image
        writers.append(JekyllWriter(publish.jekyll.dir, tz, by_name, placeholder, duplicates))
    if publish.site:  # last: the site is the slowest output and the one people read
        from newsmill.publish.site import SiteWriter

        writers.append(SiteWriter(publish.site, config.site, by_name))
    return writers
