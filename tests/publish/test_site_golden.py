"""The site's bytes, pinned: a fixed set of articles built into a site must give the
same files, byte for byte, as the recorded build did (tests/data/site-golden).

This keeps a redesign of the build (issue 17) from changing what readers, feeds
and search engines get. A change of output that is meant goes with a new record:
run this test with NEWSMILL_UPDATE_GOLDEN=1 and commit tests/data/site-golden.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import replace
from pathlib import Path

from helpers.common import DATA
from helpers.site import HOSTILE_TITLE, corpus, site_writer

from newsmill.publish.site.manifest import MANIFEST

GOLDEN = DATA / "site-golden" / "files.json"


def golden_articles() -> list:
    """60 articles of three sources with every shape a page can take: a hostile title
    and tags, a publisher and editor, a right-to-left language, an undated article and
    a duplicate of another story."""
    articles = corpus(60)
    articles[3] = replace(
        articles[3], title=HOSTILE_TITLE, publisher="新华社", editor="李四",
        lead_image="https://img.example/lead.jpg?a=1&b=2", tags=["{{ tag }}", "<b>tag</b>"],
    )  # fmt: skip
    articles[10] = replace(articles[10], date_is_fallback=True, date_source="first_seen")
    articles[59] = replace(articles[59], language="ur")
    articles[58] = replace(articles[58], duplicate_of=articles[57].id)
    return articles


def site_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file the site holds but its manifest (the build's own notes)."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


def test_the_site_is_byte_identical_to_the_recorded_build(tmp_path: Path) -> None:
    # From a list, not a store: a stored article's version holds the time its row was
    # written, which names the search index's segment.
    articles = sorted(golden_articles(), key=lambda a: a.published, reverse=True)
    site_writer(tmp_path / "site", page_size=7).publish(articles)
    got = site_hashes(tmp_path / "site")
    if os.environ.get("NEWSMILL_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n", "utf-8")
    want = json.loads(GOLDEN.read_text("utf-8"))
    assert sorted(got) == sorted(want), "the site holds other files than the recorded build"
    changed = [path for path in want if got[path] != want[path]]
    assert changed == [], f"{len(changed)} files differ from the recorded build: {changed[:10]}"
