"""One file per article in a generator's posts folder: the part Hugo and Jekyll writers share.

A post is rewritten only when its bytes change; a post whose name changed
(new title or date) or whose article is gone is removed. Files are
recognized as newsmill's by the short article id that ends their name, so a
user's own posts in the same folder are never touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from zoneinfo import ZoneInfo

from newsmill.model import Article, Source
from newsmill.publish.files import OutputError, remove_stale_temporaries, write_if_changed
from newsmill.publish.naming import ID_SUFFIX, post_stem, short_id
from newsmill.publish.report import PublishReport


class PostWriter:
    """Subclasses set `name` and `suffix` and implement `render`."""

    name = "posts"
    suffix = ".md"

    def __init__(
        self, folder: Path, tz: ZoneInfo, sources: Mapping[str, Source], placeholder: str = ""
    ) -> None:
        self.folder = folder
        self.tz = tz
        self.sources = sources
        self.placeholder = placeholder

    def render(self, article: Article) -> str:
        raise NotImplementedError

    def path_for(self, article: Article) -> Path:
        date_prefix = article.published.astimezone(self.tz).strftime("%Y-%m-%d")
        path = self.folder / f"{post_stem(article, date_prefix)}{self.suffix}"
        # pathlib keeps ".." and separators as they are: a name that would leave the
        # folder gives another parent, so this compare is the whole check.
        if path.parent != self.folder:
            raise OutputError(f"{path}: outside the output folder {self.folder}")
        return path

    def _managed_files(self) -> dict[str, list[Path]]:
        found: dict[str, list[Path]] = {}
        if not self.folder.is_dir():
            return found
        for path in self.folder.iterdir():
            match = ID_SUFFIX.search(path.name)
            if match and path.suffix == self.suffix and path.is_file():
                found.setdefault(match.group(1), []).append(path)
        return found

    def publish(self, articles: Iterable[Article]) -> PublishReport:
        report = PublishReport(self.name)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{self.folder}: cannot create: {exc.strerror}") from None
        remove_stale_temporaries(self.folder)
        existing = self._managed_files()
        for article in articles:
            path = self.path_for(article)
            if write_if_changed(path, self.render(article).encode("utf-8")):
                report.written += 1
            else:
                report.unchanged += 1
            for old in existing.pop(short_id(article), []):
                if old != path:
                    old.unlink(missing_ok=True)
                    report.removed += 1
        for leftovers in existing.values():
            for old in leftovers:
                old.unlink(missing_ok=True)
                report.removed += 1
        return report

    def image_for(self, article: Article) -> str | None:
        return article.lead_image or self.placeholder or None

    def source_author(self, article: Article) -> str:
        source = self.sources.get(article.source)
        return (source.author if source and source.author else "") or article.author
