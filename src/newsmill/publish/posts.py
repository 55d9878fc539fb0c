"""One file per article in a generator's posts folder: what the Hexo, Hugo and Jekyll writers share.

A post is rewritten only when its bytes change; a post whose name changed
(new title or date) or whose article is gone is removed. Files are
recognized as newsmill's by the short article id that ends their name, so a
user's own posts in the same folder are never touched.

From the store (`publish_store`) a run renders only the posts of articles
added or changed since the last one: a manifest in the folder (see
`publish.manifest`) keeps each post's article version and file name, and the
store gives every article's version from an index. Re-rendering an archive of tens of
thousands of posts on every run cost about a fifth of a millisecond of YAML
each, plus reading each file back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from zoneinfo import ZoneInfo

from newsmill import __version__
from newsmill.dates import in_zone
from newsmill.files import OutputError, remove_stale_temporaries, write_if_changed
from newsmill.model import Article, PublishReport, Source
from newsmill.publish.manifest import MANIFEST, read_manifest, remove_manifest, write_manifest
from newsmill.publish.naming import ID_SUFFIX, post_stem
from newsmill.store import Store


def _reason(exc: BaseException) -> str:
    """An error as one line: OutputError's message names the file already."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


class PostWriter:
    """Subclasses set `name` and `suffix` and implement `render`.

    A writer of the pipeline's `Writer` protocol: it reads the store itself and
    posts canonical articles only, unless made with `wants_duplicates` (the
    configuration's `[dedupe] publish_duplicates`).
    """

    name = "posts"
    suffix = ".md"
    # Raised whenever the bytes a writer renders for the same article change, so that
    # `publish_store` renders the existing posts again (with newsmill's version).
    FORMAT = 2  # 2: the article's language

    def __init__(
        self,
        folder: Path,
        tz: ZoneInfo,
        sources: Mapping[str, Source],
        placeholder: str = "",
        wants_duplicates: bool = False,
    ) -> None:
        self.folder = folder
        self.tz = tz
        self.sources = sources
        self.placeholder = placeholder
        self.wants_duplicates = wants_duplicates

    def render(self, article: Article) -> str:
        raise NotImplementedError

    def path_for(self, article: Article) -> Path:
        date_prefix = in_zone(article.published, self.tz).strftime("%Y-%m-%d")
        path = self.folder / f"{post_stem(article, date_prefix)}{self.suffix}"
        # pathlib keeps ".." and separators as they are: a name that would leave the
        # folder gives another parent, so this compare is the whole check.
        if path.parent != self.folder:
            raise OutputError(f"{path}: outside the output folder {self.folder}")
        return path

    def _managed_files(self) -> set[str]:
        """The names of the posts in the folder that are ours (they end in a short id)."""
        if not self.folder.is_dir():
            return set()
        return {
            path.name
            for path in self.folder.iterdir()
            if ID_SUFFIX.search(path.name) and path.suffix == self.suffix and path.is_file()
        }

    def publish(self, articles: Iterable[Article]) -> PublishReport:
        """A post for each of `articles`, rendered; every other post of ours removed."""
        report = PublishReport(self.name)
        existing = self._prepare()
        current: set[str] = set()
        self._write_posts(articles, report, current, {})
        self._remove(existing - current, report)
        remove_manifest(self.folder)  # it would not list these
        return report

    def publish_store(self, store: Store) -> PublishReport:
        """`publish` of the store's articles (canonical ones only, unless `wants_duplicates`),
        rendering only those the manifest does not show unchanged with their file in place."""
        report = PublishReport(self.name)
        existing = self._prepare()
        settings = self.settings_key()
        old = read_manifest(self.folder, settings)
        posts: dict[str, list[str]] = {}
        wanted: list[str] = []
        current: set[str] = set()  # the file names of the posts this run keeps
        for article_id, version, primary in store.article_versions():
            if primary and not self.wants_duplicates:
                continue
            record = old.get(article_id)
            if record and record[0] == version and record[1] in existing:
                posts[article_id] = record
                current.add(record[1])
                report.unchanged += 1
            else:
                posts[article_id] = [version, ""]
                wanted.append(article_id)
        self._write_posts(store.articles_by_id(wanted), report, current, posts)
        self._remove(existing - current, report)
        posts = {i: record for i, record in posts.items() if record[1]}  # gone or failed
        if posts != old:
            try:
                write_manifest(self.folder, settings, posts)
            except OSError as exc:  # the posts stand; the next run renders them again
                report.error = report.error or f"{self.folder / MANIFEST}: {_reason(exc)}"
        return report

    def settings_key(self) -> str:
        """Everything besides the article that a post shows: the writer and its options."""
        sources = sorted((s.name, s.author) for s in self.sources.values())
        parts = [__version__, self.FORMAT, self.name, self.suffix, self.tz.key, self.placeholder]
        parts.append(sources)
        raw = json.dumps(parts, ensure_ascii=False).encode()
        return hashlib.blake2b(raw, digest_size=12).hexdigest()

    def _prepare(self) -> set[str]:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{self.folder}: cannot create: {exc.strerror}") from None
        remove_stale_temporaries(self.folder)
        return self._managed_files()

    def _write_posts(
        self,
        articles: Iterable[Article],
        report: PublishReport,
        current: set[str],
        posts: dict[str, list[str]],
    ) -> None:
        for article in articles:
            try:
                path = self.path_for(article)
                written = write_if_changed(path, self.render(article).encode("utf-8"))
            except Exception as exc:  # one article's post must not stop the others
                report.failed += 1
                report.error = report.error or f"article {article.id}: {_reason(exc)}"
                continue  # not in the manifest: the next run tries it again
            if written:
                report.written += 1
            else:
                report.unchanged += 1
            current.add(path.name)
            if article.id in posts:
                posts[article.id][1] = path.name

    def _remove(self, names: set[str], report: PublishReport) -> None:
        """Posts of ours that no article has any more: renamed, deleted, now duplicates.
        By whole file name, so two articles whose ids begin alike keep both posts."""
        for name in sorted(names):
            try:
                (self.folder / name).unlink(missing_ok=True)
            except OSError as exc:
                report.failed += 1
                reason = f"{self.folder / name}: cannot remove: {_reason(exc)}"
                report.error = report.error or reason
                continue
            report.removed += 1

    def image_for(self, article: Article) -> str | None:
        return article.lead_image or self.placeholder or None

    def source_author(self, article: Article) -> str:
        source = self.sources.get(article.source)
        return (source.author if source and source.author else "") or article.author
