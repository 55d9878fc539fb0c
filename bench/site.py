"""The site build at scale: newsmill vs Hugo (and Pagefind) over the same generated articles.

    python bench/site.py [--articles 10000,100000] [--added 100] [--one-source 20]
                          [--no-pagefind] [--no-quality]

Articles are generated (half Chinese, half English, Zipf-distributed words
so the vocabulary looks like news, a lead image and three category levels
each) and stored in SQLite. Each system runs in its own child process, so
its peak memory (max RSS, children included) is its own:

- newsmill: whole `newsmill build` processes (what a scheduled build costs,
  start-up included): a full build of the site, search index included; a
  build with nothing new; a build after adding `--added` articles. Beside
  the +100 build, the floor of any build that changes the same files:
  writing them again with newsmill's atomic write, nothing rendered. Then a
  build after `--one-source` new articles of one source, what a scheduled
  run often brings. With several sizes, each is measured in turn and the
  +100 builds are compared at the end: the cost should follow the change,
  not the archive.
- Hugo: `hugo` over the same articles written by newsmill's Hugo writer,
  with the minimal theme of tests/data/hugo-site (no search).
- Pagefind (`pip install 'pagefind[extended]'`): indexing newsmill's article
  pages, as a Hugo site would add search.

Result quality: the same queries (mid-frequency Chinese and English words)
go to both search clients, run for real in headless Chromium; the ground
truth is every article whose title or text holds the word.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from bisect import bisect
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HUGO_SITE = REPO / "tests" / "data" / "hugo-site"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]  # fmt: skip


# -- generated articles ---------------------------------------------------------------------


class Vocabulary:
    def __init__(self, rnd: random.Random, words: list[str]) -> None:
        self.rnd = rnd
        self.words = words
        self.cum = list(accumulate(1.0 / (rank + 1) ** 1.05 for rank in range(len(words))))

    def pick(self, k: int) -> list[str]:
        total = self.cum[-1]
        return [self.words[bisect(self.cum, self.rnd.random() * total)] for _ in range(k)]


def vocabularies(seed: int) -> tuple[Vocabulary, Vocabulary]:
    rnd = random.Random(seed)
    chars = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    zh = list(
        dict.fromkeys(
            "".join(rnd.choices(chars, k=rnd.choice((2, 2, 2, 3, 4)))) for _ in range(9000)
        )
    )
    syllables = [
        a + b
        for a in "bcdfghklmnprstvwz"
        for b in ("a", "e", "i", "o", "u", "ai", "ou", "ar", "er", "in")
    ]
    en = list(
        dict.fromkeys(
            "".join(rnd.choices(syllables, k=rnd.choice((1, 2, 2, 3)))) for _ in range(12000)
        )
    )
    return Vocabulary(rnd, zh), Vocabulary(rnd, en)


def generate(count: int, start_index: int = 0, seed: int = 7):  # -> list[Article]
    from newsmill.dedupe import content_hash
    from newsmill.model import Article

    zh, en = vocabularies(seed)
    rnd = random.Random(seed * 1000 + start_index)
    zh.rnd = en.rnd = rnd
    start = datetime(2025, 1, 1, tzinfo=UTC)
    out = []
    for i in range(start_index, start_index + count):
        chinese = i % 2 == 0
        group, source, channel = i % 6, (i // 6) % 3, (i // 18) % 3
        src = f"src-{group}-{source}"
        categories = [
            f"频道组{group}" if chinese else f"Group {group}",
            f"来源{source}",
            f"栏目{channel}",
        ]
        if chinese:
            title = "".join(zh.pick(rnd.randint(5, 9)))
            paragraphs = ["，".join("".join(zh.pick(rnd.randint(3, 7))) for _ in range(rnd.randint(4, 8))) + "。"
                          for _ in range(rnd.randint(4, 8))]  # fmt: skip
        else:
            title = " ".join(en.pick(rnd.randint(5, 10))).capitalize()
            paragraphs = [". ".join(" ".join(en.pick(rnd.randint(8, 16))).capitalize() for _ in range(rnd.randint(3, 6))) + "."
                          for _ in range(rnd.randint(4, 8))]  # fmt: skip
        image = f"https://img.example/{i}.jpg"
        body = [f"<p>{p}</p>" for p in paragraphs]
        body.insert(
            1, f'<p><img src="{image}" alt="" referrerpolicy="no-referrer" loading="lazy"></p>'
        )
        text = "\n".join(paragraphs)
        published = start + timedelta(minutes=47 * i)
        out.append(Article(
            id=Article.make_id(src, f"g{i}"), source=src, guid=f"g{i}",
            url=f"https://news.example/{src}/{i}.html", canonical_url=f"https://news.example/{src}/{i}.html",
            title=title, author="记者" if chinese else "Staff", categories=categories,
            tags=(zh if chinese else en).pick(2), published=published, updated=None, fetched=published,
            date_is_fallback=False, lead_image=image, content_html="".join(body), text=text,
            summary=text[:120], language="zh" if chinese else "en", publisher="新华社" if chinese else None,
            editor=None, content_hash=content_hash(title, text),
        ))  # fmt: skip
    return out


def store_articles(db: Path, articles) -> None:
    from newsmill.store import Store

    store = Store(f"sqlite:///{db}")
    by_source: dict[str, list] = {}
    for a in articles:
        by_source.setdefault(a.source, []).append(a)
    for source, batch in by_source.items():
        store.upsert_articles(source, batch)
    store.close()


# -- measuring ------------------------------------------------------------------------------


def measured(cmd: list[str], cwd: Path | None = None) -> dict[str, float]:
    """Run `cmd` under a small watcher process; wall time and the peak RSS of its process tree
    (the largest process in it: what RUSAGE_CHILDREN reports)."""
    watcher = (
        "import json,resource,subprocess,sys,time\n"
        "t=time.perf_counter(); r=subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)\n"
        "w=time.perf_counter()-t\n"
        "u=resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(json.dumps({'rc': r.returncode, 'wall': w, 'cpu': u.ru_utime + u.ru_stime, 'rss_mb': u.ru_maxrss/1024, 'out': r.stdout[-4000:]}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", watcher, *cmd], capture_output=True, text=True, cwd=cwd
    )
    data = json.loads(result.stdout.strip().splitlines()[-1])
    if data["rc"] != 0:
        raise SystemExit(f"{cmd[0]} failed:\n{data['out']}")
    return data


def child_build(db: Path, site: Path) -> dict[str, float]:
    """One whole `newsmill build` process, start-up included: what a scheduled build
    costs. Deduplication is off: this measures the site, not the deduper."""
    config = site.parent / "bench.toml"
    config.write_text(
        f'[store]\nurl = "sqlite:///{db}"\n'
        '[site]\ntitle = "Bench"\ntimezone = "Asia/Shanghai"\n'
        "[dedupe]\nenabled = false\n"
        f'[publish.site]\ndir = "{site}"\n',
        "utf-8",
    )
    data = measured([sys.executable, "-m", "newsmill", "build", "-c", str(config)])
    found = re.search(r"site: (\d+) written, (\d+) unchanged, (\d+) removed", data.pop("out"))
    if found is None:
        raise SystemExit("newsmill build printed no site report")
    data["written"], data["removed"] = int(found[1]), int(found[3])
    return data


def startup_seconds() -> float:
    """A whole `newsmill --version` process: the interpreter and the command line."""
    return min(measured([sys.executable, "-m", "newsmill", "--version"])["wall"] for _ in range(3))


def modification_times(folder: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def rewrite_seconds(paths: list[Path]) -> float:
    """The least any build that writes these files pays: writing their bytes again the
    way newsmill writes a file (`replace_atomically`), with nothing rendered or read."""
    from newsmill.files import replace_atomically

    contents = [(str(p.parent), p.name, p.read_bytes()) for p in paths]
    t = time.perf_counter()
    for folder, name, data in contents:
        replace_atomically(folder, name, data)
    return time.perf_counter() - t


# -- search quality -------------------------------------------------------------------------


def quality(site: Path, articles, with_pagefind: bool) -> dict[str, dict[str, float]]:
    """Recall and precision of the top 10 for mid-frequency words, both clients in Chromium."""
    from zoneinfo import ZoneInfo

    from playwright.sync_api import sync_playwright

    from newsmill.publish.site.paths import article_path
    from newsmill.publish.site.search import normalize
    from newsmill.publish.site.serve import serve_in_thread

    tz = ZoneInfo("Asia/Shanghai")
    texts = {
        article_path(a.id, a.title, a.published.astimezone(tz)): normalize(f"{a.title}\n{a.text}")
        for a in articles
    }
    zh, en = vocabularies(7)
    queries = zh.words[40:400:36] + en.words[40:400:36]

    def truth(word: str) -> set[str]:
        if re.fullmatch(r"[a-z]+", word):
            pattern = re.compile(rf"\b{word}\b")
            return {p for p, t in texts.items() if pattern.search(t)}
        return {p for p, t in texts.items() if word in t}

    ours_js = """async q => { const ix = new window.newsmillSearch.Index('/search/');
        const t = performance.now(); const top = await ix.search(q, 10); const ms = performance.now() - t;
        const all = await ix.search(q, 100000);
        return {top: top.hits.map(h => h.path), all: all.hits.map(h => h.path), ms: ms}; }"""
    pagefind_js = """async q => { const pf = await import('/pagefind/pagefind.js'); await pf.init();
        const path = d => decodeURI(d.url).replace(/^\\//, '');
        const t = performance.now(); const r = await pf.search(q);
        const top = await Promise.all(r.results.slice(0, 10).map(x => x.data()));
        const ms = performance.now() - t;
        const all = await Promise.all(r.results.map(x => x.data()));
        return {top: top.map(path), all: all.map(path), ms: ms}; }"""
    scores: dict[str, dict[str, list[float]]] = {"newsmill": {}, "pagefind": {}}
    server, url = serve_in_thread(site)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page()
            # Neutral pages (no CSP, which would stop Pagefind's WebAssembly) with our client.
            # Pagefind keeps one index per page language and searches the one matching the
            # page it runs on, so each query runs from a page in the query's language.
            for lang in ("zh", "en"):
                (site / f"bench-{lang}.html").write_text(
                    f'<!doctype html><html lang="{lang}"><title>bench</title>'
                    '<script src="/static/search.js"></script></html>'
                )
            current = ""
            for word in queries:
                expected = truth(word)
                if not expected:
                    continue
                lang = "en" if re.fullmatch(r"[a-z]+", word) else "zh"
                if lang != current:
                    page.goto(url + f"bench-{lang}.html")
                    current = lang
                for name, js in (("newsmill", ours_js), ("pagefind", pagefind_js)):
                    if name == "pagefind" and not with_pagefind:
                        continue
                    r = page.evaluate(js, word)
                    top, found = set(r["top"]), set(r["all"])
                    s = scores[name]
                    s.setdefault("recall", []).append(len(found & expected) / len(expected))
                    s.setdefault("precision", []).append(len(found & expected) / max(1, len(found)))
                    s.setdefault("p@10", []).append(len(top & expected) / max(1, len(top)))
                    s.setdefault("ms", []).append(r["ms"])
            browser.close()
    finally:
        server.shutdown()
    return {name: {k: sum(v) / len(v) for k, v in s.items()} for name, s in scores.items() if s}


# -- main -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--articles",
        default="10000",
        help="Archive sizes, comma-separated (10000,100000): each is measured in turn.",
    )
    parser.add_argument("--added", type=int, default=100)
    parser.add_argument(
        "--one-source",
        type=int,
        default=20,
        help="Then this many new articles of one source, as a scheduled run brings.",
    )
    parser.add_argument("--no-pagefind", action="store_true")
    parser.add_argument("--no-quality", action="store_true")
    parser.add_argument("--keep", type=Path, default=None, help="Work in this folder and keep it.")
    args = parser.parse_args()
    sizes = [int(n) for n in str(args.articles).split(",")]
    results = {n: one_size(n, args) for n in sizes}
    if len(sizes) > 1:
        print("\nthe cost follows the change: a build after "
              f"+{args.added} articles, whole processes")  # fmt: skip
        for n, r in results.items():
            print(
                f"  {n:>7} articles: {r['incremental']:.2f}s, {r['fraction']:.3f} of the full build"
            )


def one_size(count: int, args: argparse.Namespace) -> dict[str, float]:
    """Every figure for an archive of `count` articles; returns the +added build's."""
    print(f"\n== {count} articles")

    work = (args.keep or Path(tempfile.mkdtemp(prefix="newsmill-site-bench-"))) / str(count)
    work.mkdir(parents=True, exist_ok=True)
    db, site = work / "bench.db", work / "site"
    for leftover in (db, site, work / "hugo"):
        if leftover.is_dir():
            shutil.rmtree(leftover)
        elif leftover.exists():
            leftover.unlink()

    t = time.perf_counter()
    articles = generate(count)
    store_articles(db, articles)
    chars = sum(len(a.text) for a in articles) / len(articles)
    print(f"{count} articles generated and stored in {time.perf_counter() - t:.1f}s "
          f"(mean text {chars:.0f} characters; half Chinese, half English)")  # fmt: skip

    full = child_build(db, site)
    quiet = child_build(db, site)
    added = generate(args.added, start_index=count)
    store_articles(db, added)
    before = modification_times(site)
    incremental = child_build(db, site)
    changed = [p for p, mtime in modification_times(site).items() if before.get(p) != mtime]
    floor = rewrite_seconds(changed)
    # Every 18th generated article is of the same source (over its three channels).
    one_source = generate(18 * args.one_source, start_index=count + args.added)[::18]
    store_articles(db, one_source)
    typical = child_build(db, site)
    added += one_source
    files = sum(1 for _ in site.rglob("*") if _.is_file())
    index_mb = sum(p.stat().st_size for p in (site / "search").rglob("*") if p.is_file()) / 1e6

    hugo_root = work / "hugo"
    shutil.copytree(HUGO_SITE, hugo_root)
    from zoneinfo import ZoneInfo

    from newsmill.publish.hugo import HugoWriter

    t = time.perf_counter()
    HugoWriter(hugo_root / "content" / "posts", ZoneInfo("Asia/Shanghai"), {}).publish(
        articles + added
    )
    hugo_posts = time.perf_counter() - t
    hugo = measured(
        ["hugo", "--source", str(hugo_root), "--destination", str(hugo_root / "public"), "--quiet"]
    )

    pagefind = None
    if not args.no_pagefind:
        pagefind = measured(
            [sys.executable, "-m", "pagefind", "--site", str(site), "--glob", "a/**/*.html"]
        )

    print()
    print(f"{'':34}{'seconds':>10}{'CPU s':>10}{'peak MB':>10}")
    rows = [
        ("newsmill full build (+search)", full["wall"], full),
        ("newsmill build, nothing new", quiet["wall"], quiet),
        (f"newsmill build, +{args.added} articles", incremental["wall"], incremental),
        (f"  then +{args.one_source} of one source", typical["wall"], typical),
        ("hugo (no search)", hugo["wall"], hugo),
    ]
    if pagefind:
        rows.append(("pagefind over the same pages", pagefind["wall"], pagefind))
    for label, seconds, m in rows:
        print(f"{label:34}{seconds:>10.2f}{m['cpu']:>10.2f}{m['rss_mb']:>10.0f}")
    if pagefind:
        print(f"{'hugo + pagefind':34}{hugo['wall'] + pagefind['wall']:>10.2f}")
    print()
    print(
        f"site: {files} files, search index {index_mb:.1f} MB; files written: full build "
        f"{full['written']}, quiet build {quiet['written']}, incremental {incremental['written']}, "
        f"one source {typical['written']}"
    )
    print(
        f"newsmill times are whole `newsmill build` processes (a `newsmill --version` process "
        f"takes {startup_seconds():.2f}s); CPU and peak memory are the whole process tree's "
        f"(peak: its largest process). Writing the Hugo posts took {hugo_posts:.2f}s."
    )
    print()
    print(f"full build vs hugo:   {full['wall'] / hugo['wall']:.2f}x the time   (target <= 1)")
    # The targets: 400 MB and a tenth at 10,000 articles; 1.5 GB and 3% at 100,000.
    memory_target, fraction_target = (1500, 0.03) if count >= 100_000 else (400, 0.1)
    print(f"peak memory:          {full['rss_mb']:.0f} MB   (target < {memory_target})")
    print(
        f"incremental vs full:  {incremental['wall'] / full['wall']:.3f} of the time, "
        f"{incremental['cpu'] / full['cpu']:.3f} of the CPU   (target < {fraction_target})"
    )
    print(
        f"  its floor: writing again the {len(changed)} files it changed, nothing rendered, "
        f"{floor:.2f}s ({floor / full['wall']:.3f} of the full build)"
    )
    if pagefind:
        print(
            f"pagefind vs newsmill full build: {pagefind['wall'] / full['wall']:.1f}x the time, "
            f"{pagefind['rss_mb'] / full['rss_mb']:.1f}x the memory"
        )
    if not args.no_quality:
        q = quality(site, articles + added, pagefind is not None)
        print()
        print("search over mid-frequency words (10 Chinese, 10 English), top 10, in Chromium:")
        for name, s in q.items():
            print(
                f"  {name:9} recall {s['recall']:.3f}  precision {s['precision']:.3f}  "
                f"precision@10 {s['p@10']:.3f}  top-10 query {s['ms']:.0f} ms"
            )
    if not args.keep:
        shutil.rmtree(work.parent)
    return {
        "incremental": incremental["wall"],
        "fraction": incremental["wall"] / full["wall"],
    }


if __name__ == "__main__":
    main()
