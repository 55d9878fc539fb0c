"""`make_writers`: every configured output, each reading the store for what it shows.

The pipeline calls every writer the same way (`Writer.publish_store`), so which
articles an output gets is the writer's own declaration: every article of a story
for JSON Lines and the site, the canonical ones for posts unless the
configuration's `[dedupe] publish_duplicates` asks for all.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.common import sample_article

from newsmill.config import config_from_dict
from newsmill.model import Article
from newsmill.publish.writers import make_writers
from newsmill.store import Store


def configured(folder: Path, publish_duplicates: bool) -> list:
    config = config_from_dict(
        {
            "site": {"timezone": "Asia/Shanghai"},
            "store": {"url": f"sqlite:///{folder / 'store.db'}"},
            "sources": [{"name": "src", "url": "https://feed.example/rss", "categories": ["x"]}],
            "dedupe": {"publish_duplicates": publish_duplicates},
            "publish": {
                "hexo": {"dir": "hexo"},
                "jsonl": {"path": "a.jsonl"},
                "hugo": {"dir": "hugo"},
                "jekyll": {"dir": "jekyll"},
                "site": {"dir": "site"},
            },
        },
        folder / "newsmill.toml",
    )
    return make_writers(config)


def stocked(folder: Path) -> Store:
    """Three articles, the second a duplicate of the first."""
    store = Store(f"sqlite:///{folder / 'store.db'}")
    store.upsert_articles("src", [sample_article(str(n), f"Story {n}") for n in range(3)])
    first, second = (Article.make_id("src", g) for g in "01")
    store.save_dedupe([(second, None, first, first)])
    return store


@pytest.mark.parametrize("publish_duplicates", [False, True])
def test_each_output_gets_the_articles_it_declares(
    tmp_path: Path, publish_duplicates: bool
) -> None:
    store = stocked(tmp_path)
    writers = configured(tmp_path, publish_duplicates)
    assert [w.name for w in writers] == ["hexo", "jsonl", "hugo", "jekyll", "site"]
    declared = {w.name: w.wants_duplicates for w in writers}
    posts_too = publish_duplicates
    assert declared == {"hexo": posts_too, "jsonl": True, "hugo": posts_too,
                        "jekyll": posts_too, "site": True}  # fmt: skip
    reports = [w.publish_store(store) for w in writers]
    store.close()
    assert all(r.ok for r in reports), [str(r) for r in reports]
    posts = 3 if publish_duplicates else 2
    for folder, suffix in (("hexo", "md"), ("hugo", "md"), ("jekyll", "html")):
        assert len(list((tmp_path / folder).glob(f"*.{suffix}"))) == posts, folder
    assert len((tmp_path / "a.jsonl").read_text("utf-8").splitlines()) == 3
