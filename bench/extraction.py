"""Article extraction: newsmill vs trafilatura vs readability-lxml, in one run.

English: the 181 pages of ../shared/data/aeb, scored with its own score.py
(4-token shingles; precision, recall, F1) plus documents per second.
Chinese: the fixture pages in tests/data/extract (written for this project in
the markup of real Chinese news sites), scored on body-text character F1,
exact title, publish time to the minute, author-or-publisher, and boilerplate
lines leaked into the text.

    python bench/extraction.py [--repeat 2]

Needs `pip install trafilatura readability-lxml lxml_html_clean` for the
comparison columns.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from newsmill.extract import extract_page
from newsmill.extract.evaluate import score_fixtures

REPO = Path(__file__).resolve().parents[1]
AEB = REPO.parent / "shared" / "data" / "aeb"
FIXTURES = REPO / "tests" / "data" / "extract"

warnings.simplefilter("ignore")


def load_scorer() -> Any:
    spec = importlib.util.spec_from_file_location("aeb_score", AEB / "score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def newsmill_text(html: bytes, url: str) -> str:
    return extract_page(html, url).text


def trafilatura_text(html: bytes, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url) or ""


def readability_text(html: bytes, url: str) -> str:
    import lxml.html
    from readability import Document

    summary = Document(html).summary(html_partial=True)
    return lxml.html.fromstring(summary).text_content() if summary.strip() else ""


SYSTEMS: dict[str, Callable[[bytes, str], str]] = {
    "newsmill": newsmill_text,
    "trafilatura": trafilatura_text,
    "readability-lxml": readability_text,
}


def available(name: str) -> bool:
    module = {"trafilatura": "trafilatura", "readability-lxml": "readability"}.get(name)
    return module is None or importlib.util.find_spec(module) is not None


def english(repeat: int) -> None:
    scorer = load_scorer()
    truth = json.loads((AEB / "ground-truth.json").read_text("utf-8"))
    docs = {
        p.name.split(".")[0]: gzip.decompress(p.read_bytes())
        for p in sorted((AEB / "html").iterdir())
    }
    print(f"AEB: {len(docs)} English-language pages (many languages), repeat {repeat}")
    print(f"{'system':18} {'F1':>6} {'prec':>6} {'recall':>6} {'docs/s':>8}")
    speeds = {}
    for name, extract in SYSTEMS.items():
        if not available(name):
            print(f"{name:18} (not installed)")
            continue
        best = float("inf")
        for _ in range(repeat):
            started = time.perf_counter()
            pred = {k: {"articleBody": extract(v, truth[k]["url"])} for k, v in docs.items()}
            best = min(best, time.perf_counter() - started)
        metrics, _ = scorer.evaluate(truth, pred, n_bootstrap=0)
        speeds[name] = len(docs) / best
        print(
            f"{name:18} {metrics['f1']:6.3f} {metrics['precision']:6.3f} {metrics['recall']:6.3f} "
            f"{speeds[name]:8.1f}"
        )
    if "trafilatura" in speeds:
        print(f"newsmill speed / trafilatura: {speeds['newsmill'] / speeds['trafilatura']:.2f}x")


def fixtures() -> None:
    for lang, label in (("zh", "Chinese"), ("en", "English")):
        s = score_fixtures(FIXTURES, lang)
        if s is None:
            print("no fixtures (tests/data/extract/truth.json)")
            return
        print(f"\n{label} fixture pages: {s['pages']:.0f} ({s['ms_per_page']:.1f} ms/page)")
        print(f"  body character F1        {s['char_f1']:.3f}   (target >= 0.98)")
        print(f"  exact title              {s['title']:.1%}   (target >= 97%)")
        print(f"  publish time to minute   {s['time']:.1%}   (target >= 95%)")
        print(f"  author or publisher      {s['people']:.1%}   (target >= 80%)")
        print(f"  lead image               {s['lead_image']:.1%}")
        print(
            f"  boilerplate lines leaked {s['leaked_lines']:.0f}/{s['boilerplate_lines']:.0f}"
            f" = {s['leaked']:.1%}   (target <= 5%)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=1)
    opts = parser.parse_args()
    english(opts.repeat)
    fixtures()


if __name__ == "__main__":
    main()
