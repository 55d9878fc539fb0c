"""List finding over the real list pages of ../shared/data/lists-dev/.

With no selectors: precision and recall of the article URLs found against the
hand-labelled gold items (items_optional count neither way), per document and
overall (micro over all items, macro over documents), F1 per document, time per
page. In the same run: a baseline (every link whose text has at least 8
characters), next-page accuracy, and how well the reference selectors reproduce
gold through `select_list`.

    python bench/lists.py [--json] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from lxml.html import document_fromstring

from newsmill.decoding import decode_document
from newsmill.parse import ListError, ListSelect, find_list, select_list

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "lists-dev"


@dataclass
class Score:
    found: int
    gold: int
    hits: int

    @property
    def precision(self) -> float:
        return self.hits / self.found if self.found else (1.0 if not self.gold else 0.0)

    @property
    def recall(self) -> float:
        return self.hits / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score(found: list[str], doc: dict) -> Score:
    gold = {i["url"] for i in doc["items"]}
    optional = {i["url"] for i in doc.get("items_optional") or []}
    counted = [u for u in dict.fromkeys(found) if u not in optional or u in gold]
    return Score(len(counted), len(gold), len(set(counted) & gold))


def baseline(body: bytes, base_url: str) -> list[str]:
    """Every link whose text is at least 8 characters."""
    from urllib.parse import urljoin

    root = document_fromstring(decode_document(body)[0])
    urls = []
    for a in root.iter("a"):
        href = a.get("href")
        text = "".join(a.text_content().split())
        if href and len(text) >= 8 and not href.startswith(("javascript:", "#")):
            urls.append(urljoin(base_url, href))
    return urls


_HINT = re.compile(r"\s*\(.*\)\s*$")


def reference_select(doc: dict) -> ListSelect | None:
    """The manifest's reference selectors or json_path as a ListSelect."""
    if doc["kind"] in ("json", "jsonp"):
        path = doc["json_path"]

        def clean(name: str | None) -> str:
            return (name or "").split(" ")[0]

        return ListSelect(
            path["array"], clean(path["url"]), clean(path["title"]), clean(path["date"])
        )
    sel = doc.get("selectors")
    if not sel:
        return None
    date = sel.get("date") or ""
    if "(" in date or " in " in date:
        date = ""
    return ListSelect(
        _HINT.sub("", sel["item"]), sel.get("link") or "", sel.get("title") or "", date
    )


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--json", action="store_true", help="one JSON object instead of the table")
    args.add_argument("--repeat", type=int, default=1)
    opts = args.parse_args()
    manifest = json.loads((DATA / "manifest.json").read_text())
    rows = []
    for doc in manifest["docs"]:
        body = (DATA / doc["file"]).read_bytes()
        start = time.perf_counter()
        for _ in range(opts.repeat):
            try:
                found = find_list(body, doc["page_url"])
                urls, next_page, kind = [i.url for i in found.items], found.next_page, found.kind
            except ListError as error:
                found, urls, next_page, kind = None, [], None, f"error: {error}"
        ms = (time.perf_counter() - start) * 1000 / opts.repeat
        base = (
            None
            if doc["kind"] in ("json", "jsonp")
            else score(baseline(body, doc["page_url"]), doc)
        )
        ref = reference_select(doc)
        try:
            ref_score = (
                score([i.url for i in select_list(body, doc["page_url"], ref).items], doc)
                if ref
                else None
            )
        except ListError as error:
            print(f"  {doc['id']}: reference selectors fail: {error}")
            ref_score = Score(0, len(doc["items"]), 0)
        titles_ok, dates_ok, replay = fields_right(found, doc), dates_right(found, doc), None
        if found is not None:
            try:
                again = select_list(body, doc["page_url"], found.select)
                replay = score([i.url for i in again.items], doc)
            except ListError:
                replay = Score(0, len(doc["items"]), 0)
        rows.append(
            {
                "titles_ok": titles_ok,
                "dates_ok": dates_ok,
                "replay": replay,
                "id": doc["id"],
                "kind": kind,
                "ours": score(urls, doc),
                "baseline": base,
                "reference": ref_score,
                "next_ok": next_page == doc["next_page"],
                "has_next": doc["next_page"] is not None,
                "next_found": next_page,
                "ms": ms,
            }
        )
    report(rows, opts.json)


def fields_right(found: object, doc: dict) -> int:
    """Gold items found with the gold title (or its other reading)."""
    got = {i.url: i for i in getattr(found, "items", [])}
    return sum(
        1
        for g in doc["items"]
        if g["url"] in got and got[g["url"]].title in (g["title"], g.get("title_alt"))
    )


def dates_right(found: object, doc: dict) -> int:
    """Gold items found with the date text the page shows (None where it shows none)."""
    got = {i.url: i for i in getattr(found, "items", [])}
    return sum(1 for g in doc["items"] if g["url"] in got and got[g["url"]].date_text == g["date"])


def micro(scores: list[Score]) -> Score:
    return Score(
        sum(s.found for s in scores), sum(s.gold for s in scores), sum(s.hits for s in scores)
    )


def report(rows: list[dict], as_json: bool) -> None:
    ours = [r["ours"] for r in rows]
    bases = [r["baseline"] for r in rows if r["baseline"] is not None]
    refs = [r["reference"] for r in rows if r["reference"] is not None]
    total, btotal, rtotal = micro(ours), micro(bases), micro(refs)
    macro_p = sum(s.precision for s in ours) / len(ours)
    macro_r = sum(s.recall for s in ours) / len(ours)
    low = [r["id"] for r in rows if r["ours"].f1 < 0.5]
    with_next = [r for r in rows if r["has_next"]]
    next_ok = sum(r["next_ok"] for r in with_next)
    false_next = sum(1 for r in rows if not r["has_next"] and r["next_found"])
    ms = sorted(r["ms"] for r in rows)
    replay = micro([r["replay"] for r in rows if r["replay"] is not None])
    gold_items = sum(r["ours"].gold for r in rows)
    titles_ok = sum(r["titles_ok"] for r in rows)
    dates_ok = sum(r["dates_ok"] for r in rows)
    summary = {
        "documents": len(rows),
        "micro_precision": round(total.precision, 3),
        "micro_recall": round(total.recall, 3),
        "macro_precision": round(macro_p, 3),
        "macro_recall": round(macro_r, 3),
        "baseline_micro_precision_html": round(btotal.precision, 3),
        "baseline_micro_recall_html": round(btotal.recall, 3),
        "under_half_f1": low,
        "next_page_right": f"{next_ok}/{len(with_next)}",
        "next_page_false": false_next,
        "reference_micro_precision": round(rtotal.precision, 3),
        "reference_micro_recall": round(rtotal.recall, 3),
        "inferred_select_replay_precision": round(replay.precision, 3),
        "inferred_select_replay_recall": round(replay.recall, 3),
        "titles_right": f"{titles_ok}/{gold_items}",
        "dates_right": f"{dates_ok}/{gold_items}",
        "ms_median": round(ms[len(ms) // 2], 1),
        "ms_max": round(ms[-1], 1),
    }
    if as_json:
        out = [
            {**r, **{k: asdict(r[k]) if r[k] else None for k in ("ours", "baseline", "reference")}}
            for r in rows
        ]
        print(json.dumps({"summary": summary, "documents": out}, ensure_ascii=False, indent=1))
        return
    print(
        f"{'document':22} {'kind':13} {'gold':>4} {'found':>5} {'P':>5} {'R':>5} {'F1':>5}"
        f" {'baseP':>5} {'baseR':>5} {'selF1':>5} {'refF1':>5} {'next':>4} {'ms':>6}"
    )
    for r in rows:
        s, b, ref = r["ours"], r["baseline"], r["reference"]
        nxt = (
            ("ok" if r["next_ok"] else "BAD")
            if r["has_next"]
            else ("-" if not r["next_found"] else "xtra")
        )
        print(
            f"{r['id']:22} {r['kind'][:13]:13} {s.gold:4} {s.found:5} {s.precision:5.2f} {s.recall:5.2f}"
            f" {s.f1:5.2f} {b.precision if b else float('nan'):5.2f} {b.recall if b else float('nan'):5.2f}"
            f" {r['replay'].f1 if r['replay'] else float('nan'):5.2f}"
            f" {ref.f1 if ref else float('nan'):5.2f} {nxt:>4} {r['ms']:6.1f}"
        )
    print(
        f"\nno selectors: micro P {total.precision:.3f} R {total.recall:.3f}"
        f" (baseline, HTML only: P {btotal.precision:.3f} R {btotal.recall:.3f});"
        f" macro P {macro_p:.3f} R {macro_r:.3f}; under 0.5 F1: {', '.join(low) or 'none'};"
        f" next page {next_ok}/{len(with_next)} right, {false_next} found where none;"
        f" titles right {titles_ok}/{gold_items}, dates right {dates_ok}/{gold_items};"
        f" inferred selectors replayed P {replay.precision:.3f} R {replay.recall:.3f};"
        f" reference selectors P {rtotal.precision:.3f} R {rtotal.recall:.3f};"
        f" {summary['ms_median']} ms median, {summary['ms_max']} ms max per page"
    )


if __name__ == "__main__":
    main()
