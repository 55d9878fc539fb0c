"""Near-duplicate detection: quality on labelled pairs, speed at 100,000 articles.

Quality: bench/data/dedupe/pairs.jsonl (article pairs written for this
project, Chinese and English; label 1 = the same story rewritten by another
outlet, 0 = a different story, often on the same topic and day). Each pair
goes through the real decision (StoryIndex: exact keys, LSH candidates,
estimated Jaccard >= threshold); precision and recall of "same story" are
printed per language and at several thresholds.

Real corpus: the 280 real feeds of ../shared/data/feeds/ processed and
deduplicated as a run stores them (bench/realcorpus.py). Every pair the deduper
forms (a duplicate and the canonical article it is filed under) is looked up in
bench/data/dedupe/realfeeds.json, labelled by hand (see its README); precision
is over the labelled pairs formed, and every unlabelled one is listed. Recall is
over the labelled cross-source copies (one article carried by two feeds): the
share of them the deduper puts in one story.

Speed: 100,000 generated articles (a quarter of them rewrites of others) are
clustered by the same StoryIndex; then 1,000 more are checked one by one
against that index.

    python bench/dedupe.py [--articles 100000] [--skip-speed] [--skip-real]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsmill.dedupe.clusters import DedupeSettings, Member, StoryIndex, match_text
from newsmill.dedupe.hashing import content_hash
from newsmill.dedupe.near import fingerprint

PAIRS = Path(__file__).parent / "data" / "dedupe" / "pairs.jsonl"
REAL_LABELS = Path(__file__).parent / "data" / "dedupe" / "realfeeds.json"
SAME = ("copy", "same-story", "same-link")  # labels under which forming the pair is right
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def member(key: str, title: str, text: str, minutes: int = 0) -> Member:
    return Member(
        id=key, source=key, published=T0 + timedelta(minutes=minutes), length=len(text),
        canonical_url=f"https://{key}.example/a", content_hash=content_hash(title, text),
        cluster=None, duplicate_of=None,
    )  # fmt: skip


def same_story(pair: dict, threshold: float) -> bool:
    index = StoryIndex(DedupeSettings(threshold=threshold))
    a, b = pair["a"], pair["b"]
    first = index.add(
        member("a", a["title"], a["text"]), fingerprint(match_text(a["title"], a["text"]))
    )
    second = index.add(
        member("b", b["title"], b["text"], 30), fingerprint(match_text(b["title"], b["text"]))
    )
    return first == second


def quality() -> None:
    if not PAIRS.exists():
        print(f"no labelled pairs at {PAIRS}")
        return
    pairs = [json.loads(line) for line in PAIRS.read_text("utf-8").splitlines() if line.strip()]
    print(f"labelled pairs: {len(pairs)} ({sum(p['label'] for p in pairs)} same story)")
    print(
        f"{'threshold':>9} {'lang':>5} {'precision':>9} {'recall':>7} {'tp':>4} {'fp':>4} {'fn':>4}"
    )
    default = DedupeSettings().threshold
    for threshold in (0.3, 0.4, default, 0.6, 0.7):
        predicted = [same_story(p, threshold) for p in pairs]
        for lang in ("all", "zh", "en"):
            rows = [
                (p, y) for p, y in zip(pairs, predicted, strict=True) if lang in ("all", p["lang"])
            ]
            tp = sum(1 for p, y in rows if y and p["label"])
            fp = sum(1 for p, y in rows if y and not p["label"])
            fn = sum(1 for p, y in rows if not y and p["label"])
            precision = tp / (tp + fp) if tp + fp else 1.0
            recall = tp / (tp + fn) if tp + fn else 1.0
            mark = "  <- default" if threshold == default and lang == "all" else ""
            print(
                f"{threshold:9.2f} {lang:>5} {precision:9.3f} {recall:7.3f} {tp:4d} {fp:4d} {fn:4d}{mark}"
            )
    misses = [
        p["id"] + ":" + p["kind"]
        for p, y in zip(pairs, [same_story(p, default) for p in pairs], strict=True)
        if y != bool(p["label"])
    ]
    print(f"wrong at the default threshold: {', '.join(misses) or 'none'}")


def real_corpus() -> None:
    """Precision over every pair formed on the 280 real feeds, recall on their copies."""
    from realcorpus import FEEDS, stored_corpus

    if not FEEDS.is_dir():
        print(f"\nno real feeds at {FEEDS}")
        return
    labels = {}
    for row in json.loads(REAL_LABELS.read_text("utf-8")):
        a, b = (row["a"]["feed"], row["a"]["guid"]), (row["b"]["feed"], row["b"]["guid"])
        labels[frozenset((a, b))] = row["label"]
    started = time.perf_counter()
    with stored_corpus() as store:
        articles = {a.id: a for a in store.iter_articles()}
    elapsed = time.perf_counter() - started
    key = {i: (a.source, a.guid) for i, a in articles.items()}
    formed = [(i, a.duplicate_of) for i, a in articles.items() if a.duplicate_of]
    verdicts = [labels.get(frozenset((key[i], key[j]))) for i, j in formed]
    labelled = [v for v in verdicts if v is not None]
    right = sum(v in SAME for v in labelled)
    cluster = {key[i]: a.cluster or i for i, a in articles.items()}
    copies = [pair for pair, label in labels.items() if label == "copy"]
    found = sum(len({cluster.get(side) for side in pair}) == 1 for pair in copies)
    stories = [pair for pair, label in labels.items() if label == "same-story"]
    joined = sum(len({cluster.get(side) for side in pair}) == 1 for pair in stories)
    print(
        f"\nreal corpus: {len(articles):,} articles of 280 real feeds, stored and "
        f"deduplicated in {elapsed:.1f} s"
    )
    print(
        f"pairs formed: {len(formed)} ({len(labelled)} labelled, "
        f"{len(formed) - len(labelled)} not): precision "
        f"{right / len(labelled) if labelled else 1.0:.3f} ({right} right, "
        f"{len(labelled) - right} wrong; target 0.98)"
    )
    print(
        f"cross-source copies: {len(copies)} labelled, {found} in one story: recall "
        f"{found / len(copies) if copies else 1.0:.3f} (target 0.90); same event in "
        f"other words: {joined} of {len(stories)} joined"
    )
    for (i, j), verdict in zip(formed, verdicts, strict=True):
        if verdict not in SAME:
            a, b = articles[i], articles[j]
            print(f"  {verdict or 'UNLABELLED'}: {a.source} {a.guid!r} ~ {b.source} {b.guid!r}")
    for pair in copies:
        if len({cluster.get(side) for side in pair}) != 1:
            print(f"  copy missed: {sorted(pair)}")


def vocabulary(rng: random.Random) -> tuple[list[str], list[str]]:
    """Pseudo-words with natural-language statistics: a large vocabulary, drawn
    by Zipf's law, so unrelated texts share about as much as real ones do."""
    syllables = [c + v for c in "bcdfghklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]
    english = sorted(
        {"".join(rng.choice(syllables) for _ in range(rng.randint(1, 4))) for _ in range(30_000)}
    )
    chinese = [chr(cp) for cp in range(0x4E00, 0x4E00 + 3500)]
    return english, chinese


def zipf_sampler(rng: random.Random, words: list[str]):
    weights = [1 / (rank + 1) ** 1.05 for rank in range(len(words))]
    return lambda k: rng.choices(words, weights=weights, k=k)


def generate(count: int, seed: int = 7) -> list[tuple[str, str, str]]:
    """(id, title, text): stories plus rewrites (a sentence cut, two swapped, a byline added)."""
    rng = random.Random(seed)
    english, chinese = vocabulary(rng)
    draw_en, draw_zh = zipf_sampler(rng, english), zipf_sampler(rng, chinese)
    articles: list[tuple[str, str, str]] = []
    originals: list[tuple[bool, list[str]]] = []
    while len(articles) < count:
        if originals and rng.random() < 0.25:
            zh, base = rng.choice(originals)
            sentences = list(base)
            del sentences[rng.randrange(len(sentences))]
            i = rng.randrange(len(sentences) - 1)
            sentences[i], sentences[i + 1] = sentences[i + 1], sentences[i]
            sentences.insert(0, "本报讯（记者 王林）" if zh else "(Wire) -")
        else:
            zh = rng.random() < 0.5
            if zh:
                sentences = [
                    "".join(draw_zh(rng.randint(20, 40))) + "。" for _ in range(rng.randint(6, 12))
                ]
            else:
                sentences = [
                    " ".join(draw_en(rng.randint(12, 25))) + "." for _ in range(rng.randint(6, 12))
                ]
            originals.append((zh, sentences))
        articles.append((f"g{len(articles):06d}", sentences[-1][:30], "\n".join(sentences)))
    return articles


def speed(count: int) -> None:
    articles = generate(count + 1000)
    settings = DedupeSettings()
    index = StoryIndex(settings)
    started, cpu_started = time.perf_counter(), time.process_time()
    for n, (key, title, text) in enumerate(articles[:count]):
        index.add(member(key, title, text, n), fingerprint(match_text(title, text)))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    stories = len({m.cluster for m in index.members.values()})
    # CPU seconds as well: on a busy machine the wall clock counts other processes' turns.
    print(
        f"\nclustered {count:,} generated articles into {stories:,} stories in {elapsed:.1f} s "
        f"({cpu:.1f} CPU s; {count / elapsed:,.0f}/s; target under 60 s)"
    )
    timings = []
    for n, (key, title, text) in enumerate(articles[count:]):
        t0 = time.perf_counter()
        index.add(member(key, title, text, count + n), fingerprint(match_text(title, text)))
        timings.append(time.perf_counter() - t0)
    timings.sort()
    print(
        f"a new article against that index: median {timings[len(timings) // 2] * 1000:.2f} ms, "
        f"p99 {timings[int(len(timings) * 0.99)] * 1000:.2f} ms (target under 5 ms)"
    )
    print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--skip-speed", action="store_true", help="no generated-corpus timing")
    parser.add_argument("--skip-real", action="store_true", help="no real-corpus run")
    opts = parser.parse_args()
    quality()
    if not opts.skip_real:
        real_corpus()
    if not opts.skip_speed:
        speed(opts.articles)


if __name__ == "__main__":
    main()
