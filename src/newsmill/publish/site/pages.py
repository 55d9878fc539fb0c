"""Rendering: article pages, list entries and the fixed pages, through the templates.

Every page gets the same context (`PageRenderer.context`); the parts many pages
share are rendered once: the header once per folder depth, a list entry once
per article with a placeholder (`ROOT`) for the relative link prefix.
"""

from __future__ import annotations

import html
import json
from typing import Any

from markupsafe import Markup

from newsmill.dates import in_zone
from newsmill.model import Article
from newsmill.publish.site.assets import static_files
from newsmill.publish.site.catalog import Catalog, Item, show_head
from newsmill.publish.site.context import BuildContext
from newsmill.publish.site.keys import digest
from newsmill.publish.site.labels import Namespace
from newsmill.publish.site.paths import absolute, category_dir, root_of, tag_dir
from newsmill.publish.site.render import make_environment

# Stands for a page's relative root in fragments rendered once and reused on many pages.
ROOT = "\ue000newsmill-root\ue000"


class PageRenderer:
    """The templates of one build, and what its pages share."""

    def __init__(self, ctx: BuildContext, catalog: Catalog) -> None:
        self.ctx = ctx
        self.catalog = catalog
        self.env = make_environment(ctx.options.templates)
        self.article_template = self.env.get_template("article.html")
        self.list_template = self.env.get_template("list.html")
        self.card_template = self.env.get_template("_card.html")
        self._headers: dict[str, Markup] = {}

    def render(self, template: str, path: str, **values: Any) -> str:
        return self.env.get_template(template).render(self.context(path, **values))

    def context(self, path: str, **values: Any) -> dict[str, Any]:
        root = values.get("root", root_of(path))
        ctx = self.ctx
        page: dict[str, Any] = {
            "site": ctx.site_ctx,
            "t": ctx.t,
            "nav": ctx.nav,
            "root": root,
            "page_path": path,
            "lang": ctx.lang,
            "feeds": [],
            "header": self._header(root),
        }
        page.update(values)
        return page

    def _header(self, root: str) -> Markup:
        """The site header for pages `root` away from the top, rendered once per depth."""
        header = self._headers.get(root)
        if header is None:
            ctx = self.ctx
            values = {"site": ctx.site_ctx, "t": ctx.t, "nav": ctx.nav, "root": root}
            header = Markup(self.env.get_template("_header.html").render(values))
            self._headers[root] = header
        return header

    def cards(self, items: list[Item], root: str, kept: dict[tuple[str, str], str]) -> list[Markup]:
        """The list entries of `items` on a page `root` away from the top; `kept` holds
        entries of the last build's pages, by (root, id), that are still right."""
        template = self.card_template
        values = {"site": self.ctx.site_ctx, "t": self.ctx.t, "root": ROOT}
        cards = []
        for item in items:
            if item.card is None:
                old = kept.get((root, item.id))
                if old is not None:
                    cards.append(Markup(old))
                    continue
                item.card = template.render(values, item=item)
            cards.append(Markup(item.card.replace(ROOT, root)))
        return cards

    def article(self, article: Article, item: Item) -> str:
        """An article's page."""
        show_head(item, article)
        self.catalog.show([*item.also, item.primary])
        content = article.content_html
        lead = article.lead_image
        if lead and (lead in content or html.escape(lead, quote=True) in content):
            lead = None  # the content shows it already
        levels = item.categories
        updated = None
        if article.updated and article.updated != article.published:
            when = in_zone(article.updated, self.ctx.tz)
            updated = Namespace(date=when.strftime("%Y-%m-%d %H:%M"), iso=when.isoformat())
        page = self.context(
            item.path,
            lang=self.ctx.lang,  # the page's own words; the article says its language
            item=item,
            article=article,
            content=Markup(content),  # sanitized by the clean stage before it was stored
            lead_image=lead,
            breadcrumbs=crumbs(levels),
            channel=levels[2] if len(levels) > 2 else "",
            tags=tag_links(item),
            editor=article.editor,
            updated=updated,
            also=item.also,
            primary=item.primary,
            canonical=absolute(self.ctx.base, item.path),
            zone=zone_label(item.first_seen_iso or item.iso),
        )
        return self.article_template.render(page)

    def fixed_pages(self) -> None:
        """The 404 page, robots.txt, the static files and the search page."""
        ctx, files, site_key = self.ctx, self.ctx.files, self.ctx.site_key
        files.emit(
            "404.html",
            digest(site_key, "404"),
            lambda: self.render("404.html", "404.html", root="", base_path=ctx.base_path),
        )
        robots = "User-agent: *\nAllow: /\n"
        if ctx.base.startswith(("http://", "https://")):
            robots += f"Sitemap: {absolute(ctx.base, 'sitemap.xml')}\n"
        files.emit("robots.txt", digest(robots), lambda: robots)
        for path, data in static_files(ctx.options.templates).items():
            files.emit_data(path, data)
        if ctx.options.search:
            labels = json.dumps(
                {k: ctx.t[k] for k in ("results", "searching", "failed")}, ensure_ascii=False
            )
            path = "search/index.html"
            files.emit(
                path,
                digest(site_key, "search"),
                lambda: self.render("search.html", path, search_page=True, search_labels=labels),
            )


def zone_label(iso: str) -> str:
    """`UTC+08:00` for a local time written `...+08:00`: the page's times are the site's
    local times, and a reader elsewhere needs to know which (said once, after them)."""
    offset = iso[19:].lstrip(".0123456789")  # past the seconds and any fraction
    return "UTC" if offset in ("", "Z", "+00:00") else f"UTC{offset}"


def tag_links(item: Item) -> list[tuple[str, str | None]]:
    """(tag, its list page) of each of an article's tags. A duplicate is listed under
    its story's primary, so only the tags they share have a list page that is sure
    to exist; its other tags are shown without a link (`plan` keys the page on the
    primary's tags)."""
    shared = None if item.primary is None else set(item.primary.tags)
    return [
        (tag, tag_dir(tag) + "index.html" if shared is None or tag in shared else None)
        for tag in item.tags
    ]


def crumbs(levels: tuple[str, ...]) -> list[tuple[str, str]]:
    """(name, page) of each category level, from the top."""
    return [(name, category_dir(levels[: i + 1]) + "index.html") for i, name in enumerate(levels)]
