"""The command line as people and scripts use it: flags anywhere, quiet meaning quiet,
output that pipes, exit codes that say what happened."""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.common import run_cli, write_config
from pytest_httpserver import HTTPServer

from newsmill.configfile import ConfigError
from newsmill.run.stopping import stop_on_signals

FEED = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed</title>
<item><title>One</title><link>{base}/a/1</link><pubDate>Fri, 27 Nov 2026 10:00:00 +0800</pubDate>
<description>&lt;p&gt;Alpha body.&lt;/p&gt;</description></item></channel></rss>"""


def newsmill(*args: str, cwd: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """A whole `newsmill` process, as cron or a script runs it (nothing on a terminal)."""
    return subprocess.run(
        [sys.executable, "-m", "newsmill", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,  # type: ignore[call-overload]
    )


@pytest.fixture
def two_sources(tmp_path: Path, httpserver: HTTPServer) -> Path:
    """A config with a working feed and a failing one."""
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/good").respond_with_data(
        FEED.format(base=base), content_type="application/rss+xml"
    )
    httpserver.expect_request("/broken").respond_with_data("oops", status=500)
    sources = [
        {"name": name, "url": f"{base}/{name}", "categories": ["test"]}
        for name in ("good", "broken")
    ]
    return write_config(tmp_path, sources)


def test_global_flags_work_after_the_command_too(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.toml")
    plain = run_cli("build", "-c", missing)
    assert plain.exit_code == 2 and "missing.toml: file not found" in plain.output
    # --debug after the command is --debug: the traceback, not the one-line message
    with pytest.raises(ConfigError):
        run_cli("build", "--debug", "-c", missing)
    with pytest.raises(ConfigError):
        run_cli("sources", "export", "-c", missing, "--debug")
    assert "--debug" in run_cli("run", "--help").output


def test_quiet_and_json_logs_print_nothing_on_stdout(two_sources: Path) -> None:
    folder = two_sources.parent
    for flags in (["-q"], ["--json-logs"]):
        for where in ("before", "after"):
            args = [*flags, "run", "--all"] if where == "before" else ["run", "--all", *flags]
            done = newsmill(*args, "-c", str(two_sources), cwd=folder)
            assert done.returncode == 1  # one source failed
            assert done.stdout == "", (flags, where, done.stdout)
            assert "broken" in done.stderr and "500" in done.stderr  # what failed is said
    lines = newsmill("--json-logs", "run", "--all", "-c", str(two_sources), cwd=folder).stderr
    assert all(json.loads(line)["message"] for line in lines.splitlines())


def test_run_json_prints_one_summary_object(two_sources: Path) -> None:
    done = newsmill("run", "--json", "-c", str(two_sources), cwd=two_sources.parent)
    assert done.returncode == 1
    (line,) = done.stdout.splitlines()
    summary = json.loads(line)
    assert summary["exit_code"] == 1 and summary["stopped_by"] is None
    assert summary["totals"] == {
        "sources": 2, "failed": 1, "new": 1, "updated": 0, "pages_lost": 0, "outputs_failed": 0,
    }  # fmt: skip
    by_name = {s["name"]: s for s in summary["sources"]}
    assert by_name["good"]["ok"] and by_name["good"]["inserted"] == 1
    assert not by_name["broken"]["ok"] and "500" in by_name["broken"]["error"]
    outputs = {o["output"]: o for o in summary["outputs"]}
    assert outputs["hexo"]["ok"] and outputs["hexo"]["written"] == 1
    assert outputs["jsonl"]["ok"]


def test_status_off_a_terminal_is_one_whole_line_per_source(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    base = httpserver.url_for("").rstrip("/")
    long_name = "server-equipment-and-datacenter-news-" + "x" * 60
    httpserver.expect_request("/gone").respond_with_data("no\nsuch\npage", status=404)
    config = write_config(
        tmp_path, [{"name": long_name, "url": f"{base}/gone", "categories": ["t"]}]
    )
    run_cli("run", "-c", str(config))
    done = newsmill("status", "-c", str(config), cwd=tmp_path)
    assert done.returncode == 0
    header, *rows = done.stdout.splitlines()
    assert header.split("\t")[:3] == ["source", "last fetch", "status"]
    (row,) = [r for r in rows if long_name in r]
    fields = row.split("\t")
    assert fields[0] == long_name  # nothing cut
    assert len(fields[1]) == len("2026-12-02 10:00:00 UTC")  # the whole time
    assert fields[-1].startswith("HTTP 404")
    # grep finds the source by name
    grep = subprocess.run(
        f"{sys.executable} -m newsmill status -c {config} | grep {long_name}",
        shell=True, cwd=tmp_path, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert grep.stdout.strip() == row


def test_a_closed_pipe_is_a_quiet_exit_0(tmp_path: Path) -> None:
    sources = [
        {"name": f"s{n}", "url": f"http://127.0.0.1:9/{n}/" + "p" * 150, "categories": ["t"]}
        for n in range(600)
    ]  # more than a pipe holds, so that writing meets the closed end
    config = write_config(tmp_path, sources)
    for args in (["status", "--json"], ["status"]):
        process = subprocess.Popen(
            [sys.executable, "-m", "newsmill", *args, "-c", str(config)],
            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline()
        process.stdout.close()  # what `| head -1` does
        assert first.strip()
        assert process.wait(timeout=60) == 0, args
        assert process.stderr.read() == b"", args


def test_a_store_in_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "no" / "such"
    config = write_config(tmp_path, [], store={"url": f"sqlite:///{folder}/newsmill.db"})
    done = newsmill("status", "-c", str(config), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"newsmill: store sqlite:///{folder}/newsmill.db: the folder {folder} does not exist"
    )
    assert not (tmp_path / "no").exists()


def test_nothing_to_fetch_or_build_is_said(tmp_path: Path) -> None:
    config = write_config(tmp_path, [])
    done = newsmill("run", "-c", str(config), cwd=tmp_path)
    assert done.returncode == 0
    assert f"{config}: no sources configured: nothing to fetch" in done.stderr
    config.write_text('[store]\nurl = "sqlite:///newsmill.db"\n', "utf-8")
    done = newsmill("build", "-c", str(config), cwd=tmp_path)
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        == f"newsmill: {config}: publish: no outputs configured: nothing to build"
    )


def test_the_celery_engine_needs_its_extra_and_postgresql(tmp_path: Path) -> None:
    config = write_config(tmp_path, [], run={"engine": "celery"})
    done = newsmill("run", "-c", str(config), cwd=tmp_path)
    assert done.returncode == 2
    assert "store.url: the celery engine needs a PostgreSQL store" in done.stderr
    config = write_config(
        tmp_path, [], run={"engine": "celery"}, store={"url": "postgresql+psycopg://u@127.0.0.1/x"}
    )
    # An installation without the extra: importing celery fails as it would there.
    without_celery = (
        "import sys; sys.modules['celery'] = None; sys.argv[0] = 'newsmill'; "
        "from newsmill.cli import main; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", without_celery, "run", "--no-wait", "-c", str(config)],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == (
        "newsmill: the Python package celery is not installed: pip install 'newsmill[celery]'"
    )


@pytest.fixture
def silent_server() -> Iterator[socket.socket]:
    """A server that takes connections and never answers: every request waits for the
    fetch timeout."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    yield server
    server.close()


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_a_run_at_once_with_its_exit_code(
    tmp_path: Path, silent_server: socket.socket, signum: int, code: int
) -> None:
    port = silent_server.getsockname()[1]
    sources = [
        {"name": f"s{n}", "url": f"http://127.0.0.1:{port}/{n}", "categories": ["t"]}
        for n in range(3)
    ]
    config = write_config(tmp_path, sources, fetch={"timeout": "60s", "total_timeout": "120s"})
    process = subprocess.Popen(
        [sys.executable, "-m", "newsmill", "run", "-c", str(config)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    # Wait until the run's requests are waiting on the server.
    readable, _, _ = select.select([silent_server], [], [], 30)
    assert readable, "the run never connected"
    time.sleep(0.3)
    process.send_signal(signum)
    sent = time.monotonic()
    _out, err = process.communicate(timeout=60)
    stopped_in = time.monotonic() - sent
    assert process.returncode == code, err
    assert stopped_in < 2.0, f"took {stopped_in:.1f}s to stop"
    assert f"stopped by {signal.Signals(signum).name}" in err
    assert "Traceback" not in err


def test_a_second_signal_does_not_wait_for_the_first() -> None:
    from newsmill.run.stopping import Interrupted

    with stop_on_signals() as stop:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)
        assert stop and stop.exit_code == 130  # the first asks the run to stop
        with pytest.raises(Interrupted) as raised:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.5)
        assert raised.value.exit_code == 143


def test_init_writes_a_starter_config_that_runs(tmp_path: Path) -> None:
    done = newsmill("init", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    config = tmp_path / "newsmill.toml"
    text = config.read_text("utf-8")
    assert "[[sources]]" in text and "newsmill sources add URL" in text  # says where sources go
    built = newsmill("build", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    home = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert "<title>My news" in home and 'lang="en"' in home
    ran = newsmill("run", "-q", cwd=tmp_path)
    assert ran.returncode == 0 and "no sources configured" in ran.stderr
    assert (tmp_path / "newsmill.db").is_file()  # the store beside the config
    # A second init leaves the file alone.
    config.write_text(text + "# mine\n", "utf-8")
    again = newsmill("init", cwd=tmp_path)
    assert again.returncode == 2 and "exists already" in again.stderr
    assert config.read_text("utf-8").endswith("# mine\n")
    assert newsmill("init", "--force", cwd=tmp_path).returncode == 0
    assert config.read_text("utf-8") == text


def test_sources_remove_takes_out_one_table_and_nothing_else(tmp_path: Path) -> None:
    config = tmp_path / "newsmill.toml"
    head = '# my sources\n[site]\ntitle = "t"\n\n'
    tables = [
        '# the first\n[[sources]]\nname = "one"\nurl = "https://a.example/f"  # keep\n'
        'categories = ["x"]\n\n',
        '# the second, going\n[[sources]]\nname = "two"\nurl = "https://b.example/f"\n'
        'categories = ["y"]\n\n',
        '[[sources]]\nname = "three"\nlist = "https://c.example/l"\ncategories = ["z"]\n'
        '[sources.select]\nitems = "li.story"\n',
    ]
    config.write_text(head + "".join(tables), "utf-8")
    done = run_cli("sources", "remove", "two", "-c", str(config))
    assert done.exit_code == 0 and done.output == f"removed source two from {config}\n"
    expected = head + tables[0] + tables[2]  # the table, and the comment just above it
    assert config.read_text("utf-8") == expected
    assert run_cli("sources", "remove", "three", "-c", str(config)).exit_code == 0
    expected = head + tables[0]
    assert config.read_text("utf-8") == expected
    unknown = run_cli("sources", "remove", "nine", "-c", str(config))
    assert unknown.exit_code == 2
    assert unknown.output == f"newsmill: {config}: no source named 'nine'\n"
    assert config.read_text("utf-8") == expected


def test_sources_remove_purge_takes_its_articles_out_of_every_output(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    import sqlite3

    from helpers.links import broken_links

    base = httpserver.url_for("").rstrip("/")
    for name in ("keep", "drop"):
        items = "".join(
            f"<item><title>{name} story {n}</title><link>{base}/{name}/{n}</link>"
            f"<pubDate>Fri, 27 Nov 2026 1{n}:00:00 +0800</pubDate>"
            f"<description>&lt;p&gt;The {name} body number {n}.&lt;/p&gt;</description></item>"
            for n in range(3)
        )
        httpserver.expect_request(f"/{name}").respond_with_data(
            f'<rss version="2.0"><channel><title>{name}</title>{items}</channel></rss>',
            content_type="application/rss+xml",
        )
    sources = [
        {"name": n, "url": f"{base}/{n}", "categories": [n], "full_text": "never"}
        for n in ("keep", "drop")
    ]
    config = write_config(tmp_path, sources, publish={"site": {"dir": "site"}})
    assert run_cli("run", "-c", str(config)).exit_code == 0
    assert len(list((tmp_path / "posts").glob("*.md"))) == 6
    done = newsmill("sources", "remove", "drop", "--purge", "-c", str(config), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "purged 3 articles of drop from the store" in done.stdout
    rows = (
        sqlite3.connect(tmp_path / "newsmill.db")
        .execute("select source, count(*) from articles group by source")
        .fetchall()
    )
    assert rows == [("keep", 3)]
    records = [json.loads(line) for line in (tmp_path / "articles.jsonl").read_text().splitlines()]
    assert {r["source"] for r in records} == {"keep"}
    posts = list((tmp_path / "posts").glob("*.md"))
    assert len(posts) == 3 and all("drop story" not in p.read_text("utf-8") for p in posts)
    pages = [p.read_text("utf-8") for p in (tmp_path / "site" / "a").rglob("*.html")]
    assert len(pages) == 3 and not any("drop story" in p for p in pages)
    assert "drop" not in (tmp_path / "site" / "index.html").read_text("utf-8")
    assert broken_links(tmp_path / "site") == []
    assert "drop" not in config.read_text("utf-8")
