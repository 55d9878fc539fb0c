"""Scale-out: articles per second with 1, 2 and 4 celery workers vs the local engine.

Every system reads the same generated feeds, served by one asyncio server
process on 32 loopback addresses (127.0.0.1-32, so per-host politeness is
realistic rather than one host throttling everything), into its own fresh
PostgreSQL database, and publishes JSON Lines at the end. Times are end to
end: from `newsmill run` until the batch is stored and published (workers are
started and warm beforehand, as they are in a deployment). For each run it
prints articles/s, peak RSS of each worker process, and the database's
commits and row writes per second (pg_stat_database).

    python bench/scale.py [--feeds 2000] [--items 10] [--workers 1,2,4] [--broker redis://...]

Needs PostgreSQL on 127.0.0.1:5432 and the broker (Redis by default).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import tomli_w
from sqlalchemy import create_engine, text

PG_ADMIN = os.environ.get("NEWSMILL_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
HOSTS = 32
WORDS = (
    "market policy growth energy 市场 政策 增长 能源 企业 报告 数据 城市 科技 发布 央行 利率 "
    "港口 出口 消费 创新 平台 服务 research data cloud network model chip vote city port"
).split()
# Distinct stories, as real feeds carry: look-alike texts would measure the
# story clustering's worst case (every article compared with every other),
# not the engine.
VOCABULARY = WORDS + [f"{a}{b}" for a in "bcdfghklmnprstvz" for b in WORDS[:40]]


def make_feed(feed: int, items: int) -> bytes:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    parts = []
    for i in range(items):
        pick = random.Random(feed * 100_003 + i)
        words = [pick.choice(VOCABULARY) for _ in range(60)]
        body = "".join(f"<p>{' '.join(words[k : k + 12])}。</p>" for k in range(0, 60, 12))
        when = format_datetime(start + timedelta(minutes=feed * items + i))
        parts.append(
            f"<item><title>Feed {feed} item {i}: {' '.join(words[:6])}</title>"
            f"<link>http://example.org/{feed}/{i}</link><guid>f{feed}-i{i}</guid>"
            f"<pubDate>{when}</pubDate><description>{escape(body)}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Feed {feed}</title><link>http://example.org/</link>{''.join(parts)}"
        "</channel></rss>"
    ).encode()


# -- the feed server (its own process, so it does not share the bench's GIL) --


def serve_main(port: int, feeds: int, items: int) -> None:
    bodies = {f"/f/{n}".encode(): make_feed(n, items) for n in range(feeds)}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1]
                body = bodies.get(path)
                status = b"200 OK" if body is not None else b"404 Not Found"
                body = body or b"not found"
                writer.write(
                    b"HTTP/1.1 " + status + b"\r\nContent-Type: application/rss+xml\r\n"
                    b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        servers = [
            await asyncio.start_server(handle, f"127.0.0.{h}", port) for h in range(1, HOSTS + 1)
        ]
        print("ready", flush=True)
        await asyncio.gather(*(s.serve_forever() for s in servers))

    asyncio.run(main())


# -- one measured run -------------------------------------------------------


@dataclass
class Result:
    system: str
    articles: int
    seconds: float
    peak_mb: list[float]
    commits: int
    row_writes: int
    publish_seconds: float | None = None  # celery: last source stored -> batch published

    @property
    def per_second(self) -> float:
        return self.articles / self.seconds


def write_config(
    folder: Path, db_url: str, broker: str, feeds: int, port: int, engine: str
) -> Path:
    sources = [
        {
            "name": f"feed-{n:05d}",
            "url": f"http://127.0.0.{n % HOSTS + 1}:{port}/f/{n}",
            "categories": ["bench"],
        }
        for n in range(feeds)
    ]
    data = {
        "store": {"url": db_url},
        "fetch": {"allow_private_networks": True, "per_host": 2, "concurrency": 16},
        "run": {"engine": engine, "broker": broker},
        "sources": sources,
        "publish": {"jsonl": {"path": "articles.jsonl"}},
    }
    path = folder / "newsmill.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def db_stats(admin_url: str, name: str) -> tuple[int, int]:
    engine = create_engine(admin_url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_stat_clear_snapshot()"))
            row = conn.execute(
                text(
                    "SELECT xact_commit, tup_inserted + tup_updated + tup_deleted "
                    "FROM pg_stat_database WHERE datname = :n"
                ),
                {"n": name},
            ).one()
        return int(row[0]), int(row[1])
    finally:
        engine.dispose()


def run_system(
    system: str, workers: int, feeds: int, items: int, port: int, broker: str, tmp: Path
) -> Result:
    name = f"newsmill_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db_url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    folder = tmp / f"{system}-{workers}"
    folder.mkdir()
    engine_kind = "local" if workers == 0 else "celery"
    config = write_config(folder, db_url, broker, feeds, port, engine_kind)
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    newsmill = [sys.executable, "-m", "newsmill", "-q"]
    procs: list[subprocess.Popen[bytes]] = []
    try:
        subprocess.run(
            [*newsmill, "status", "-c", str(config), "--json"], check=True, capture_output=True
        )  # create and migrate the schema first
        for _ in range(workers):
            procs.append(
                subprocess.Popen(
                    [*newsmill, "worker", "-c", str(config), "--queue", queue],
                    stdout=subprocess.DEVNULL,
                    stderr=(folder / f"worker-{len(procs)}.log").open("wb"),
                )
            )
        if workers:
            wait_for_workers(db_url, {p.pid for p in procs})
        commits0, writes0 = db_stats(PG_ADMIN, name)
        started = time.perf_counter()
        done = subprocess.run(
            [*newsmill, "run", "-c", str(config), "--queue", queue],
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"{system} run failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
        time.sleep(1.0)  # let the backends flush their statistics
        commits1, writes1 = db_stats(PG_ADMIN, name)
        peaks = [peak_rss_mb(p.pid) for p in procs]
        lines = (folder / "articles.jsonl").read_text("utf-8").count("\n")
        if lines != feeds * items:
            raise SystemExit(f"{system}: {lines} articles published, expected {feeds * items}")
        tail = publish_tail(db_url) if workers else None
        return Result(system, lines, seconds, peaks, commits1 - commits0, writes1 - writes0, tail)
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
        if workers:
            from newsmill.config import load_config
            from newsmill.run.celery import purge_queue

            purge_queue(load_config(config), queue, delete=True)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def publish_tail(db_url: str) -> float:
    """Seconds from the batch's last stored source to its publishing: the serial part."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT EXTRACT(EPOCH FROM b.published_at - max(t.finished_at)) "
                    "FROM run_batches b JOIN run_tasks t ON t.batch = b.id GROUP BY b.id"
                )
            ).one()
        return float(row[0])
    finally:
        engine.dispose()


def wait_for_workers(db_url: str, pids: set[int], timeout: float = 60) -> None:
    engine = create_engine(db_url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                seen = set(conn.execute(text("SELECT pid FROM run_workers")).scalars())
            if pids <= seen:
                return
            time.sleep(0.2)
    finally:
        engine.dispose()
    raise SystemExit("workers did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=2000)
    parser.add_argument("--items", type=int, default=10)
    parser.add_argument("--workers", default="1,2,4", help="worker process counts to measure")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--keep", type=Path, help="keep configs and worker logs in this folder")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.serve:
        serve_main(opts.serve, opts.feeds, opts.items)
        return

    port = 18000 + os.getpid() % 1000
    server = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve",
            str(port),
            "--feeds",
            str(opts.feeds),
            "--items",
            str(opts.items),
        ],
        stdout=subprocess.PIPE,
    )
    assert server.stdout is not None
    server.stdout.readline()  # "ready"
    counts = [int(c) for c in opts.workers.split(",") if c.strip()]
    print(
        f"{opts.feeds} feeds x {opts.items} items = {opts.feeds * opts.items} articles, "
        f"{HOSTS} loopback hosts, per_host 2; broker {opts.broker}; {os.cpu_count()} cores; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    results: list[Result] = []
    try:
        with tempfile.TemporaryDirectory() as scratch:
            tmp = opts.keep or scratch
            Path(tmp).mkdir(parents=True, exist_ok=True)
            results.append(
                run_system("local", 0, opts.feeds, opts.items, port, opts.broker, Path(tmp))
            )
            for n in counts:
                results.append(
                    run_system(
                        f"celery x{n}", n, opts.feeds, opts.items, port, opts.broker, Path(tmp)
                    )
                )
    finally:
        server.terminate()
        server.wait()

    base = results[0].per_second
    print(
        f"{'system':11} {'articles':>8} {'seconds':>8} {'articles/s':>11} {'vs local':>9} "
        f"{'commits/s':>10} {'row writes/s':>13} {'publish s':>9}  peak MB per worker"
    )
    for r in results:
        peaks = ", ".join(f"{p:.0f}" for p in r.peak_mb) or "(one process)"
        print(
            f"{r.system:11} {r.articles:>8} {r.seconds:>8.1f} {r.per_second:>11.0f} "
            f"{r.per_second / base:>8.2f}x {r.commits / r.seconds:>10.0f} "
            f"{r.row_writes / r.seconds:>13.0f} "
            f"{'-' if r.publish_seconds is None else f'{r.publish_seconds:.1f}':>9}  {peaks}"
        )
    print("(end to end: enqueue, fetch, parse, clean, upsert, record, publish JSON Lines once)")
    print(
        "load average at the end (1, 5, 15 min): " + ", ".join(f"{x:.1f}" for x in os.getloadavg())
    )


if __name__ == "__main__":
    main()
