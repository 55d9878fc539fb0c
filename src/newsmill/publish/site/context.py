"""What every stage of a site build shares: the settings, the last build's manifest,
the site folder, and the key that changes whenever the settings or templates do.

Made once per build, before any article is read; nothing in it changes after.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from newsmill.config import SiteConfig, SiteOutputConfig
from newsmill.files import OutputError
from newsmill.model import Source
from newsmill.publish.site.assets import templates_fingerprint
from newsmill.publish.site.files import SiteFiles
from newsmill.publish.site.keys import digest
from newsmill.publish.site.labels import Namespace, labels_for
from newsmill.publish.site.manifest import SITE_FORMAT, Manifest, read_manifest
from newsmill.publish.site.paths import category_dir

log = logging.getLogger("newsmill.publish.site")


@dataclass(frozen=True, slots=True, eq=False)
class BuildContext:
    options: SiteOutputConfig
    site: SiteConfig
    sources: Mapping[str, Source]
    tz: ZoneInfo
    t: Namespace  # the site's words, in its language
    base: str  # absolute base URL for feeds and the sitemap (root-relative without one)
    base_path: str  # the site's path, for the 404 page's <base>
    nav: list[Namespace]  # the groups every page's header shows
    site_ctx: Namespace  # what templates read as `site`
    fingerprint: str  # of the templates
    site_key: str  # part of every page's key: settings, templates, groups
    old: Manifest  # what the last build wrote
    cache_ok: bool  # the last build had these settings: its records stand for its pages
    files: SiteFiles  # the one door to the site folder

    @property
    def dir(self) -> Path:
        return self.options.dir

    @property
    def lang(self) -> str:
        return self.site.language


def build_context(
    options: SiteOutputConfig, site: SiteConfig, sources: Mapping[str, Source]
) -> BuildContext:
    """The settings of a build into `options.dir`, which is made if it is missing."""
    try:
        options.dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{options.dir}: cannot create: {exc.strerror}") from None
    old = read_manifest(options.dir)
    base, base_path = _base_urls(options, site)
    if not base.startswith(("http://", "https://")):
        log.warning(
            "site %s: no absolute base_url ([site] or [publish.site]): its feeds and "
            "sitemap carry root-relative links, which feed readers and search engines "
            'reject; set base_url = "https://your.host/path/"',
            options.dir,
        )
    nav = _nav(sources)
    fingerprint = templates_fingerprint(options.templates)
    site_ctx = Namespace(
        title=site.title, language=site.language, search=options.search, base_path=base_path
    )
    site_key = digest(
        SITE_FORMAT,
        fingerprint,
        site_ctx,
        site.tz.key,
        base,
        options.page_size,
        [(g["name"], g["path"]) for g in nav],
    )
    return BuildContext(
        options=options,
        site=site,
        sources=sources,
        tz=site.tz,
        t=Namespace(labels_for(site.language)),
        base=base,
        base_path=base_path,
        nav=nav,
        site_ctx=site_ctx,
        fingerprint=fingerprint,
        site_key=site_key,
        old=old,
        cache_ok=old.site_key == site_key,
        files=SiteFiles(options.dir, old.pages),
    )


def _base_urls(options: SiteOutputConfig, site: SiteConfig) -> tuple[str, str]:
    """(absolute base for feeds and the sitemap, path for the 404 page's <base>).

    Feeds need absolute links; when no base URL is absolute they carry
    root-relative paths, which readers resolve against the feed's own URL.
    """
    candidates = [options.base_url, site.base_url]
    absolute_base = next((u for u in candidates if u.startswith(("http://", "https://"))), "")
    path = urlsplit(absolute_base).path if absolute_base else options.base_url or "/"
    path = "/" + path.strip("/") + "/" if path.strip("/") else "/"
    return (absolute_base.rstrip("/") or path.rstrip("/")), path


def _nav(sources: Mapping[str, Source]) -> list[Namespace]:
    """The configured groups (first category level), known before any article is read,
    so every page can show them without waiting for the end of the pass."""
    seen: dict[str, Namespace] = {}
    for source in sources.values():
        if source.categories:
            folder = category_dir(source.categories[:1])
            name = source.categories[0]
            seen.setdefault(folder, Namespace(name=name, path=folder + "index.html"))
    return sorted(seen.values(), key=lambda g: g["path"])
