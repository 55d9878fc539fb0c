"""What rendering the site's templates costs: per template, and over a full site build.

    python bench/render.py [--articles 2000] [--repeat 5] [--baseline OLD_RENDER_PY]

Articles come from bench/site.py's generator and are stored in SQLite. One build
records every context the templates are rendered with (in the build's own process;
its helper's half of the article pages is not seen). Then, in this one process,
each variant renders the same recorded contexts, best of `--repeat`, timed in the
thread's CPU time so that other work on the machine inflates it less; every
variant's output is compared with the first's. Then full builds of the site, each
into an empty folder, best of `--builds`, wall time and CPU time (the build's
helper process included); their files are compared too. The variants take turns,
in a different order each round, so that none is always first.

Variants:
- `newsmill`: `make_environment` as it is in src/.
- `jinja`: Jinja's own Environment and Template classes with the same options.
- `baseline`: `make_environment` of another render.py (`--baseline`), e.g. an older
  one: `git show REV:src/newsmill/publish/site/render.py > /tmp/old_render.py`.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import importlib.util
import os
import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2

from newsmill.config import SiteConfig, SiteOutputConfig
from newsmill.publish.site import SiteWriter, pages, render
from newsmill.store import Store

Make = Callable[[Path | None], jinja2.Environment]


def load(path: Path, name: str) -> Any:
    """A module from a file: bench/site.py's name is taken by the standard library's."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def variants(baseline: Path | None) -> dict[str, Make]:
    def plain(user_templates: Path | None) -> jinja2.Environment:
        env = render.make_environment(user_templates)
        return jinja2.Environment(
            loader=env.loader, autoescape=env.autoescape, undefined=env.undefined,
            trim_blocks=env.trim_blocks, lstrip_blocks=env.lstrip_blocks,
            keep_trailing_newline=env.keep_trailing_newline, auto_reload=env.auto_reload,
            bytecode_cache=env.bytecode_cache,
        )  # fmt: skip

    found: dict[str, Make] = {"newsmill": render.make_environment, "jinja": plain}
    if baseline is not None:
        found["baseline"] = load(baseline, "baseline_render").make_environment
    return found


def build(db: Path, site: Path) -> tuple[float, float]:
    """Wall seconds, and CPU seconds of this process and its helper."""
    writer = SiteWriter(
        SiteOutputConfig(dir=site), SiteConfig(title="Bench", timezone="Asia/Shanghai"), {}
    )
    store = Store(f"sqlite:///{db}")
    before, started = os.times(), time.perf_counter()
    writer.publish_store(store)
    seconds, after = time.perf_counter() - started, os.times()
    store.close()
    cpu = sum(after[:4]) - sum(before[:4])  # user and system, own and of waited children
    return seconds, cpu


def record(db: Path, work: Path) -> list[tuple[str, dict[str, Any]]]:
    """Every (template, context) one build renders in this process."""
    seen: list[tuple[str, dict[str, Any]]] = []
    original = jinja2.Template.render

    def recording(self: jinja2.Template, *args: Any, **kwargs: Any) -> str:
        seen.append((str(self.name), dict(*args, **kwargs)))
        return original(self, *args, **kwargs)

    jinja2.Template.render = recording  # type: ignore[method-assign]
    try:
        build(db, work / "recorded")
    finally:
        jinja2.Template.render = original  # type: ignore[method-assign]
    return seen


def turns(variants: list[str], round_: int) -> list[str]:
    """The variants in a different order each round, so none is always first."""
    shift = round_ % len(variants)
    return variants[shift:] + variants[:shift]


def time_renders(
    makes: dict[str, Make], calls: list[tuple[str, dict[str, Any]]], repeat: int
) -> dict[str, dict[str, float]]:
    """µs per render, by variant and template; raises if any variant's output differs."""
    best: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(lambda: float("inf")))
    counts: dict[str, int] = defaultdict(int)
    for name, _ in calls:
        counts[name] += 1
    envs = {variant: make(None) for variant, make in makes.items()}
    templates = {v: {name: env.get_template(name) for name in counts} for v, env in envs.items()}
    reference: list[str] | None = None
    for variant in makes:  # first renders load the templates they extend and include
        out = [templates[variant][name].render(ctx) for name, ctx in calls]
        if reference is None:
            reference = out
        elif out != reference:
            raise SystemExit(f"{variant}: rendered output differs from {next(iter(makes))}'s")
    for round_ in range(repeat):
        for variant in turns(list(makes), round_):
            spent: dict[str, float] = defaultdict(float)
            for name, ctx in calls:
                template = templates[variant][name]
                started = time.thread_time()
                template.render(ctx)
                spent[name] += time.thread_time() - started
            for name, seconds in spent.items():
                best[variant][name] = min(best[variant][name], seconds)
            best[variant]["(all)"] = min(best[variant]["(all)"], sum(spent.values()))
    counts["(all)"] = len(calls)
    return {v: {n: s / counts[n] * 1e6 for n, s in by.items()} for v, by in best.items()}


def digest(folder: Path) -> str:
    h = hashlib.blake2b(digest_size=16)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def time_builds(
    makes: dict[str, Make], db: Path, work: Path, repeat: int
) -> dict[str, tuple[float, float]]:
    """Best wall and best CPU seconds of a full build, by variant."""
    best: dict[str, tuple[float, float]] = defaultdict(lambda: (float("inf"), float("inf")))
    digests: dict[str, str] = {}
    for round_ in range(repeat):
        for variant in turns(list(makes), round_):
            make = makes[variant]
            site = work / f"site-{variant}"
            shutil.rmtree(site, ignore_errors=True)
            pages.make_environment = make  # type: ignore[assignment]
            try:
                wall, cpu = build(db, site)
                best[variant] = (min(best[variant][0], wall), min(best[variant][1], cpu))
            finally:
                pages.make_environment = render.make_environment
            digests.setdefault(variant, digest(site))
    if len(set(digests.values())) != 1:
        raise SystemExit(f"the builds' files differ: {digests}")
    return dict(best)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--builds", type=int, default=3, help="Full builds per variant.")
    parser.add_argument("--baseline", type=Path, default=None)
    args = parser.parse_args()
    makes = variants(args.baseline)
    work = Path(tempfile.mkdtemp(prefix="newsmill-render-bench-"))
    try:
        db = work / "bench.db"
        site_bench = load(Path(__file__).resolve().parent / "site.py", "site_bench")
        site_bench.store_articles(db, site_bench.generate(args.articles))
        calls = record(db, work)
        # The recorded contexts stay alive to the end: out of the collector's sight, so
        # that its full passes cost what they would in a build, not more.
        gc.collect()
        gc.freeze()
        per_render = time_renders(makes, calls, args.repeat)
        names = sorted({n for by in per_render.values() for n in by})
        print(f"{args.articles} articles, {len(calls)} renders recorded; CPU µs per render, "
              f"best of {args.repeat}; outputs identical across variants")  # fmt: skip
        print(f"{'template':<14}" + "".join(f"{v:>11}" for v in makes))
        for name in names:
            print(f"{name:<14}" + "".join(f"{per_render[v][name]:>11.1f}" for v in makes))
        total = {v: per_render[v]["(all)"] * len(calls) / 1e6 for v in makes}
        print(f"{'all, CPU s':<14}" + "".join(f"{total[v]:>11.3f}" for v in makes))
        builds = time_builds(makes, db, work, args.builds)
        print(f"full build, best of {args.builds} (files identical across variants)")
        print(f"{'wall s':<14}" + "".join(f"{builds[v][0]:>11.3f}" for v in makes))
        print(f"{'CPU s':<14}" + "".join(f"{builds[v][1]:>11.3f}" for v in makes))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
