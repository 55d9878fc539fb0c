"""The exact bytes of Hexo, Hugo and Jekyll posts and of the posts' manifest.

Any changed byte rewrites every post of every archive on the next run (and a
changed manifest renders them all again), so these are pinned: key order,
quoting, date formats, the blank line before the body, the file names.
A deliberate change updates `tests/data/posts/*.golden` and raises
`PostWriter.FORMAT`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from helpers.common import sample_article

from newsmill.model import Source
from newsmill.publish import HexoWriter
from newsmill.publish.hugo import HugoWriter
from newsmill.publish.jekyll import JekyllWriter
from newsmill.publish.manifest import MANIFEST
from newsmill.publish.posts import PostWriter
from newsmill.store import Store

GOLDEN = Path(__file__).parent.parent / "data" / "posts"
TZ = ZoneInfo("Asia/Shanghai")
SOURCES = {"wire": Source("wire", "https://wire.example/rss", ("世界", "Wire"), author="Wire Desk")}
# Every optional key present: updated, tags, publisher, lead image, summary, a CJK
# language, undated (with first seen), microseconds, a title YAML must quote and a
# body with Hugo shortcode and Liquid/Nunjucks syntax.
RICH = sample_article(
    "rich", 'He said: "no" — #1 story', source="wire",
    published=datetime(2026, 11, 28, 0, 7, 44, 123456, tzinfo=UTC),
    updated=datetime(2026, 11, 28, 3, 0, tzinfo=UTC),
    fetched=datetime(2026, 11, 28, 5, 30, 1, 999, tzinfo=UTC),
    date_is_fallback=True, tags=["港口", "strike"], publisher="Harbor Times",
    lead_image="https://img.example/lead.jpg", summary="港口罢工进入第二周。",
    language="zh-Hans", content_html="<p>{{< not a shortcode >}} {% raw %} 正文</p>",
)  # fmt: skip
# Every optional key absent: no source configured, no author, image, tags or language,
# updated equal to published, local date a day after the UTC one.
PLAIN = sample_article(
    "plain", "Plain", source="elsewhere", author="", tags=[], language=None, summary="",
    published=datetime(2026, 1, 2, 16, 0, tzinfo=UTC),
    updated=datetime(2026, 1, 2, 16, 0, tzinfo=UTC),
)  # fmt: skip


def posts_of(kind: type[PostWriter]) -> str:
    """Each article's file name and text, with and without a placeholder image."""
    parts = []
    for placeholder in ("", "https://cdn.example/ph.png"):
        writer = kind(Path("/posts"), TZ, SOURCES, placeholder)
        for article in (RICH, PLAIN):
            parts.append(f"===== {placeholder!r} {writer.path_for(article).name}\n")
            parts.append(writer.render(article))
    return "".join(parts)


@pytest.mark.parametrize("kind", [HexoWriter, HugoWriter, JekyllWriter])
def test_posts_are_written_to_the_byte(kind: type[PostWriter]) -> None:
    expected = (GOLDEN / f"{kind.name}.golden").read_text("utf-8")
    assert posts_of(kind) == expected


def test_the_manifest_is_written_to_the_byte(tmp_path: Path) -> None:
    chinese = sample_article("zh", "港口罢工进入第二周", source="wire")  # a name not in ASCII
    store = Store(f"sqlite:///{tmp_path / 's.db'}")
    store.upsert_articles("wire", [RICH, PLAIN, chinese])
    writer = HugoWriter(tmp_path / "posts", TZ, SOURCES)
    writer.publish_store(store)
    versions = {row.id: row.version for row in store.article_versions()}
    store.close()
    names = {a.id: writer.path_for(a).name for a in (RICH, PLAIN, chinese)}
    records = {i: [versions[i], names[i]] for i in sorted(names)}
    expected = {"v": 1, "settings": writer.settings_key(), "posts": records}
    data = (tmp_path / "posts" / MANIFEST).read_bytes()
    assert data == json.dumps(expected, ensure_ascii=False).encode()
