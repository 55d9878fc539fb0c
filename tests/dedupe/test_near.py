"""Fingerprints and the LSH index: rewrites are found among many unrelated articles."""

from __future__ import annotations

import random

import pytest

from newsmill.dedupe.near import (
    BandTable,
    NearDuplicateIndex,
    decode,
    encode,
    fingerprint,
    similarity,
)

WORDS = (
    "council harbor budget rail vote school river storm market bank wage price fleet "
    "court nurse farm grain power grid water tax port bridge strike union ferry mayor "
    "audit clinic tunnel drought flood permit tariff loan bond yield index fund"
).split()


def story(rng: random.Random, sentences: int = 8) -> list[str]:
    return [" ".join(rng.choices(WORDS, k=14)) + "." for _ in range(sentences)]


def test_a_condensed_rewrite_is_found_among_unrelated_articles() -> None:
    rng = random.Random(3)
    index = NearDuplicateIndex(threshold=0.5)
    for n in range(3000):
        index.add(f"other-{n}", fingerprint(" ".join(story(rng))))
    original = story(rng, 12)
    index.add("original", fingerprint(" ".join(original)))
    # Another outlet keeps seven of twelve sentences, reordered, under its own byline.
    kept = [original[i] for i in (0, 1, 3, 2, 5, 8, 10)]
    rewrite = fingerprint("By our correspondent. " + " ".join(kept))

    found = index.matches(rewrite)
    assert [key for key, _ in found] == ["original"]
    assert found[0][1] >= 0.5
    assert index.matches(rewrite, exclude="original") == []


def test_similarity_tracks_shared_text() -> None:
    rng = random.Random(5)
    a = story(rng, 10)
    b = story(rng, 10)
    assert similarity(fingerprint(" ".join(a)), fingerprint(" ".join(a))) == 1.0
    assert similarity(fingerprint(" ".join(a)), fingerprint(" ".join(b))) < 0.2
    assert similarity(fingerprint(""), fingerprint("")) == 0.0  # empty resembles nothing
    # Full-width punctuation and case do not change a Chinese or English fingerprint.
    zh = "江州市人民银行11月28日宣布，下调辖内农商行存款利率。"
    assert similarity(fingerprint(zh), fingerprint(zh.replace("，", ","))) == 1.0
    assert similarity(fingerprint(" ".join(a)), fingerprint(" ".join(a).upper())) == 1.0


def test_a_replaced_article_no_longer_matches_its_old_text() -> None:
    rng = random.Random(7)
    old, new = " ".join(story(rng)), " ".join(story(rng))
    index = NearDuplicateIndex(threshold=0.5)
    index.add("a", fingerprint(old))
    index.add("a", fingerprint(new))  # its text was edited
    assert len(index) == 1
    assert index.matches(fingerprint(old)) == []
    assert [k for k, _ in index.matches(fingerprint(new))] == ["a"]


def test_bulk_loaded_and_recent_entries_are_both_searched() -> None:
    rng = random.Random(11)
    texts = {f"k{n}": " ".join(story(rng)) for n in range(50)}
    index = NearDuplicateIndex(threshold=0.5)
    index.add_many((k, fingerprint(t)) for k, t in list(texts.items())[:25])
    for k, t in list(texts.items())[25:]:
        index.add(k, fingerprint(t))
    for key, text in texts.items():
        assert [k for k, _ in index.matches(fingerprint(text))] == [key]


def test_band_table_keeps_every_row_of_a_shared_bucket_across_merges(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import numpy as np

    monkeypatch.setattr(BandTable, "MERGE_AT", 4)
    table = BandTable()
    for row in range(10):  # rows 0..9 share bucket 7; merges happen along the way
        table.insert(row, np.array([7, 1000 + row], dtype=np.uint64))
    assert table.query(np.array([7], dtype=np.uint64)).tolist() == list(range(10))
    assert table.query(np.array([1003, 5], dtype=np.uint64)).tolist() == [3]
    assert table.query(np.array([5], dtype=np.uint64)).tolist() == []


def test_fingerprints_round_trip_and_foreign_ones_are_refused() -> None:
    fp = fingerprint(
        "江州港集团11月25日发布数据，今年前10个月江州港累计完成集装箱吞吐量412万标准箱。"
    )
    back = decode(encode(fp))
    assert back.count == fp.count and (back.values == fp.values).all()
    with pytest.raises(ValueError, match="fingerprint"):
        decode("212:" + encode(fp).split(":", 2)[2])  # the datasketch scheme's form


def test_a_crowded_bucket_yields_its_newest_members_only() -> None:
    """A template bulletin repeated hundreds of times: a new copy is compared with
    the newest few, not with every copy, and still finds its story."""
    text = " ".join(story(random.Random(13)))
    index = NearDuplicateIndex(threshold=0.5)
    index.add_many((f"old-{n}", fingerprint(text)) for n in range(150))
    for n in range(150):
        index.add(f"new-{n}", fingerprint(text))
    found = [key for key, _ in index.matches(fingerprint(text))]
    assert len(found) == BandTable.BUCKET_LIMIT
    assert set(found) == {f"new-{n}" for n in range(150 - BandTable.BUCKET_LIMIT, 150)}
