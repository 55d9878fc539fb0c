"""Posts from the store: only new and changed articles are rendered, and the folder
holds a post for every (canonical) article of the store and nothing else of ours."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from helpers.common import ARTICLE_TIME
from helpers.common import sample_article as article

from newsmill.model import Article
from newsmill.publish import HexoWriter
from newsmill.publish.manifest import MANIFEST
from newsmill.store import Store

TZ = ZoneInfo("Asia/Shanghai")


class CountingHexo(HexoWriter):
    """The real Hexo writer, noting which articles it renders."""

    def __init__(self, folder: Path, placeholder: str = "", wants_duplicates: bool = False) -> None:
        super().__init__(folder, TZ, {}, placeholder, wants_duplicates)
        self.rendered: list[str] = []

    def render(self, article: Article) -> str:
        self.rendered.append(article.title)
        return super().render(article)


def stocked(tmp_path: Path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 's.db'}")
    store.upsert_articles(
        "src",
        [
            article(str(n), f"Story {n}", published=ARTICLE_TIME - timedelta(hours=n))
            for n in range(5)
        ],
    )
    return store


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.glob("*.md")}


def test_only_new_and_changed_articles_are_rendered(tmp_path: Path) -> None:
    store, posts = stocked(tmp_path), tmp_path / "posts"
    writer = CountingHexo(posts)
    first = writer.publish_store(store)
    assert first.written == 5 and sorted(writer.rendered) == [f"Story {n}" for n in range(5)]
    before = snapshot(posts)

    writer.rendered.clear()
    again = writer.publish_store(store)
    assert writer.rendered == [] and again.unchanged == 5 and again.written == 0
    assert snapshot(posts) == before

    store.upsert_articles("src", [article("2", "Story two, retitled", published=ARTICLE_TIME)])
    store.upsert_articles("src", [article("9", "Story 9")])
    changed = writer.publish_store(store)
    assert sorted(writer.rendered) == ["Story 9", "Story two, retitled"]
    assert (changed.written, changed.removed, changed.unchanged) == (2, 1, 4)
    after = snapshot(posts)
    assert len(after) == 6 and not any("story-2-" in name for name in after)
    assert {n: v for n, v in after.items() if n in before} == {
        n: v for n, v in before.items() if "story-2-" not in n
    }


def test_a_deleted_post_or_other_settings_render_again(tmp_path: Path) -> None:
    store, posts = stocked(tmp_path), tmp_path / "posts"
    CountingHexo(posts).publish_store(store)
    gone = sorted(posts.glob("*.md"))[1]
    gone.unlink()
    writer = CountingHexo(posts)
    writer.publish_store(store)
    assert len(writer.rendered) == 1 and gone.exists()

    other = CountingHexo(posts, placeholder="https://img.example/none.png")
    other.publish_store(store)
    assert len(other.rendered) == 5  # the placeholder shows in every post without an image
    assert all("none.png" in p.read_text("utf-8") for p in posts.glob("*.md"))


def test_duplicates_and_deleted_articles_leave_and_user_files_stay(tmp_path: Path) -> None:
    store, posts = stocked(tmp_path), tmp_path / "posts"
    CountingHexo(posts).publish_store(store)
    mine = posts / "2020-01-01-my-own-post.md"
    mine.write_text("---\ntitle: mine\n---\n", "utf-8")
    ids = [Article.make_id("src", str(n)) for n in range(5)]
    store.save_dedupe([(ids[1], None, ids[0], ids[0])])  # story 1 duplicates story 0
    store.delete_articles([ids[3]])
    writer = CountingHexo(posts)
    report = writer.publish_store(store)
    assert writer.rendered == [] and report.removed == 2
    names = {p.name for p in posts.glob("*.md")}
    assert not any(i[:10] in n for n in names for i in (ids[1], ids[3])) and mine.name in names
    with_duplicates = CountingHexo(posts, wants_duplicates=True)
    with_duplicates.publish_store(store)
    assert with_duplicates.rendered == ["Story 1"]


def test_a_damaged_manifest_means_rendering_everything_again(tmp_path: Path) -> None:
    store, posts = stocked(tmp_path), tmp_path / "posts"
    CountingHexo(posts).publish_store(store)
    for damage in ("{not json", '{"v": 1, "settings": "x", "posts": []}', '{"posts": {"a": 1}}'):
        (posts / MANIFEST).write_text(damage, "utf-8")
        writer = CountingHexo(posts)
        report = writer.publish_store(store)
        assert len(writer.rendered) == 5 and report.written == 0  # the same bytes again


def test_articles_whose_ids_begin_alike_keep_both_posts(tmp_path: Path) -> None:
    from dataclasses import replace

    store, posts = Store(f"sqlite:///{tmp_path / 's.db'}"), tmp_path / "posts"
    twins = [replace(article(g, f"Twin {g}"), id=f"0123456789{g * 6}") for g in "ab"]
    store.upsert_articles("src", twins)
    assert sorted(row[0][:10] for row in store.article_versions()) == ["0123456789"] * 2
    first = CountingHexo(posts)
    assert first.publish_store(store).written == 2
    again = CountingHexo(posts)
    report = again.publish_store(store)
    assert again.rendered == [] and (report.unchanged, report.removed) == (2, 0)
    assert len(list(posts.glob("*-0123456789.md"))) == 2


def test_a_post_that_cannot_be_written_stops_no_other_and_is_tried_again(tmp_path: Path) -> None:
    store, posts = stocked(tmp_path), tmp_path / "posts"
    writer = CountingHexo(posts)
    blocked = writer.path_for(next(a for a in store.iter_articles() if a.guid == "2"))
    blocked.mkdir(parents=True)  # a folder where its post goes: that one write fails
    report = writer.publish_store(store)
    assert report.written == 4 and report.failed == 1 and not report.ok
    assert report.error and "article " in report.error and str(blocked) in report.error
    assert len(list(posts.glob("*.md"))) == 4 + 1  # four posts and the folder in the way
    blocked.rmdir()
    again = CountingHexo(posts).publish_store(store)
    assert again.ok and again.written == 1 and again.unchanged == 4
    store.close()
