"""Scoring the extractor on labelled pages (truth.json beside them).

Used by the test suite as a quality gate and by bench/extraction.py; the
truth format is described in tests/data/extract/README.md.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

from newsmill.extract.page import extract_page


def char_f1(predicted: str, expected: str) -> float:
    """F1 of non-space characters as multisets: order-free, fair to Chinese."""
    p = Counter(c for c in predicted if not c.isspace())
    t = Counter(c for c in expected if not c.isspace())
    overlap = sum((p & t).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(p.values()), overlap / sum(t.values())
    return 2 * precision * recall / (precision + recall)


def score_fixtures(folder: Path, lang: str) -> dict[str, float] | None:
    """Scores of the extractor on the fixture pages of one language in `folder`."""
    truth_path = folder / "truth.json"
    if not truth_path.exists():
        return None
    truth = json.loads(truth_path.read_text("utf-8"))
    rows = {k: v for k, v in truth.items() if v.get("lang") == lang}
    f1s, titles, times, people, images, leaks, lines = [], 0, 0, 0, 0, 0, 0
    started = time.perf_counter()
    for name, expected in rows.items():
        page = extract_page((folder / name).read_bytes(), expected["url"])
        f1s.append(char_f1(page.text, "\n".join(expected["paragraphs"])))
        titles += page.title == expected["title"]
        zone = ZoneInfo(expected.get("timezone") or "UTC")
        got = page.published.astimezone(zone).strftime("%Y-%m-%d %H:%M") if page.published else ""
        times += got == expected["published"]
        wanted = {expected.get("author"), expected.get("publisher")} - {None}
        people += bool(wanted & {page.author, page.publisher}) or not wanted
        images += page.lead_image == expected.get("lead_image")
        for line in expected.get("boilerplate", []):
            lines += 1
            leaks += line in page.text
    n = len(rows)
    return {
        "pages": n,
        "ms_per_page": (time.perf_counter() - started) / n * 1000,
        "char_f1": sum(f1s) / n,
        "title": titles / n,
        "time": times / n,
        "people": people / n,
        "lead_image": images / n,
        "leaked": leaks / max(lines, 1),
        "leaked_lines": leaks,
        "boilerplate_lines": lines,
    }
