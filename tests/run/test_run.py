"""`newsmill run` end to end against loopback servers: failures stay per source."""

from __future__ import annotations

import json
import time
import tomllib
from datetime import datetime
from pathlib import Path

from helpers.common import run_cli, status_json, write_config
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

GOOD_FEED = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Good</title>
<item><title>First: "one"</title><link>{base}/a/1</link><pubDate>Fri, 27 Nov 2026 10:00:00 +0800</pubDate>
<description>&lt;p&gt;Alpha body.&lt;/p&gt;</description></item>
<item><title>Second</title><link>{base}/a/2?utm_source=rss</link><pubDate>Sat, 28 Nov 2026 10:00:00 GMT</pubDate>
<description>&lt;p&gt;Beta body about markets.&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;</description></item>
</channel></rss>"""


def serve_sources(httpserver: HTTPServer) -> list[dict[str, object]]:
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/good").respond_with_data(
        GOOD_FEED.format(base=base), content_type="application/rss+xml"
    )
    httpserver.expect_request("/broken").respond_with_data("oops", status=500)
    httpserver.expect_request("/garbage").respond_with_data(b"\x89PNG\r\n\x1a\n\x00\x00 not a feed")

    def slow(request: Request) -> Response:
        time.sleep(6)
        return Response("<rss/>")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    names = ["good", "broken", "garbage", "slow"]
    return [{"name": n, "url": f"{base}/{n}", "categories": ["测试", n]} for n in names]


def test_failing_sources_are_reported_and_the_rest_published(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    config = write_config(tmp_path, serve_sources(httpserver))
    result = run_cli("run", "-c", str(config))
    assert result.exit_code == 1, result.output

    records = [
        json.loads(line) for line in (tmp_path / "articles.jsonl").read_text("utf-8").splitlines()
    ]
    assert [r["title"] for r in records] == ["Second", 'First: "one"']
    second = records[0]
    assert second["source"] == "good" and second["categories"] == ["测试", "good"]
    assert second["canonical_url"].endswith("/a/2") and "script" not in second["content_html"]
    assert len(list((tmp_path / "posts").glob("*.md"))) == 2

    assert run_cli("status", "-c", str(config), "--json").exit_code == 0
    rows, outputs = status_json("-c", str(config))
    assert outputs["hexo"]["last_error"] is None and outputs["hexo"]["written"] == 2
    assert rows["good"]["articles"] == 2 and rows["good"]["consecutive_failures"] == 0
    assert rows["broken"]["last_error"].startswith("HTTP 500")
    assert "not a readable feed" in rows["garbage"]["last_error"]
    assert "within" in rows["slow"]["last_error"] or "timed out" in rows["slow"]["last_error"]
    for name in ("broken", "garbage", "slow"):
        assert rows[name]["consecutive_failures"] == 1 and rows[name]["articles"] == 0

    table = run_cli("status", "-c", str(config))
    assert "HTTP 500" in table.output and "good" in table.output


def test_second_run_changes_nothing(tmp_path: Path, httpserver: HTTPServer) -> None:
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/good").respond_with_data(GOOD_FEED.format(base=base))
    config = write_config(tmp_path, [{"name": "good", "url": f"{base}/good", "categories": ["a"]}])
    assert run_cli("run", "-c", str(config)).exit_code == 0
    outputs = [*tmp_path.joinpath("posts").glob("*.md"), tmp_path / "articles.jsonl"]
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in outputs}
    again = run_cli("run", "--all", "-c", str(config))
    assert again.exit_code == 0
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in outputs} == before
    assert "0 new articles" in again.output


def test_filters_keep_only_wanted_items(tmp_path: Path, httpserver: HTTPServer) -> None:
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/good").respond_with_data(GOOD_FEED.format(base=base))
    config = write_config(
        tmp_path,
        [{"name": "good", "url": f"{base}/good", "categories": ["a"], "exclude": ["/MARKETS?/"]}],
    )
    assert run_cli("run", "-c", str(config)).exit_code == 0
    titles = [
        json.loads(x)["title"] for x in (tmp_path / "articles.jsonl").read_text().splitlines()
    ]
    assert titles == ['First: "one"']


def test_build_republishes_from_the_store_without_fetching(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/good").respond_with_data(GOOD_FEED.format(base=base))
    config = write_config(tmp_path, [{"name": "good", "url": f"{base}/good", "categories": ["a"]}])
    assert run_cli("run", "-c", str(config)).exit_code == 0
    for post in tmp_path.joinpath("posts").glob("*.md"):
        post.unlink()
    httpserver.clear()  # no server answers now
    built = run_cli("build", "-c", str(config))
    assert built.exit_code == 0 and "hexo: 2 written" in built.output
    assert len(list(tmp_path.joinpath("posts").glob("*.md"))) == 2


def test_json_logs_are_one_object_per_line(tmp_path: Path, httpserver: HTTPServer) -> None:
    import subprocess
    import sys

    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/good").respond_with_data(GOOD_FEED.format(base=base))
    httpserver.expect_request("/broken").respond_with_data("no", status=404)
    config = write_config(
        tmp_path,
        [
            {"name": "good", "url": f"{base}/good", "categories": ["a"]},
            {"name": "broken", "url": f"{base}/broken", "categories": ["a"]},
        ],
    )
    result = subprocess.run(
        [sys.executable, "-m", "newsmill", "--json-logs", "run", "-c", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    records = [json.loads(line) for line in result.stderr.splitlines()]
    failed = [r for r in records if r["level"] == "warning"]
    assert failed and "broken" in failed[0]["message"] and "HTTP 404" in failed[0]["message"]
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)


UNDATED_FEED = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Old</title>
<item><title>Kein Datum {n}</title><link>{base}/old/{n}</link><description>{text}</description></item>
</channel></rss>"""


def test_undated_items_show_as_undated_and_sit_after_the_dated_ones(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    """Items without a date once took the fetch time and topped the home page as the
    newest; an undated item is shown as such, with when it was first seen."""
    from lxml import html

    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/good").respond_with_data(GOOD_FEED.format(base=base))
    for n in range(3):
        text = (
            "Der Hafen bekommt neue Kräne.",
            "Die Bäckerei am Markt schließt.",
            "Im Park blüht der Flieder.",
        )[n]
        httpserver.expect_request(f"/old{n}").respond_with_data(
            UNDATED_FEED.format(base=base, n=n, text=text)
        )
    sources = [{"name": "good", "url": f"{base}/good", "categories": ["测试"]}] + [
        {"name": f"old{n}", "url": f"{base}/old{n}", "categories": ["测试"]} for n in range(3)
    ]
    config = write_config(
        tmp_path,
        sources,
        publish={
            "hexo": {"dir": "posts"},
            "jsonl": {"path": "articles.jsonl"},
            "site": {"dir": "site"},
        },
    )
    assert run_cli("run", "-c", str(config)).exit_code == 0
    records = [json.loads(x) for x in (tmp_path / "articles.jsonl").read_text("utf-8").splitlines()]
    dated = [r for r in records if not r["date_is_fallback"]]
    undated = [r for r in records if r["date_is_fallback"]]
    assert len(dated) == 2 and len(undated) == 3
    assert max(r["published"] for r in undated) < min(r["published"] for r in dated)
    assert all(r["fetched"] > max(d["published"] for d in dated) for r in undated)  # first seen now
    home = html.fromstring((tmp_path / "site" / "index.html").read_bytes())
    cards = home.xpath("//li[contains(@class,'item')]")
    assert [bool(c.xpath(".//*[@class='undated']")) for c in cards] == [
        False,
        False,
        True,
        True,
        True,
    ]
    seen = datetime.fromisoformat(cards[-1].xpath(".//time/@datetime")[0])
    assert abs(seen - datetime.fromisoformat(undated[0]["fetched"])).total_seconds() < 60
    shown = {  # what search results show as each article's date
        doc[1]: doc[2]
        for chunk in (tmp_path / "site" / "search").glob("*/d*.json")
        for doc in json.loads(chunk.read_text("utf-8"))
    }
    # The site speaks its articles' language (English words for these German ones).
    assert home.get("lang") == "en"
    assert sum(when.startswith("Undated · first seen ") for when in shown.values()) == 3
    assert all(when[:4].isdigit() for title, when in shown.items() if "Kein" not in title)
    post = next(p for p in (tmp_path / "posts").glob("*.md") if "kein-datum" in p.name.lower())
    front = post.read_text("utf-8").split("---\n")[1]
    assert "undated: true" in front and "first_seen:" in front
    # A second run changes nothing: they stay where they were put.
    assert run_cli("run", "--all", "-c", str(config)).exit_code == 0
    again = [json.loads(x) for x in (tmp_path / "articles.jsonl").read_text("utf-8").splitlines()]
    assert again == records


def test_a_source_dropped_from_the_config_stops_being_published(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    """Its articles stay in the store (adding it back, or keep_articles, brings them
    back), but no output shows them once it is no longer configured."""
    import sqlite3

    import tomli_w

    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/good").respond_with_data(
        GOOD_FEED.format(base=base), content_type="application/rss+xml"
    )
    other = GOOD_FEED.replace("/a/", "/b/").replace("First", "Other first")
    httpserver.expect_request("/other").respond_with_data(
        other.replace("Second", "Other second").format(base=base),
        content_type="application/rss+xml",
    )
    sources = [
        {"name": n, "url": f"{base}/{n}", "categories": ["c"], "full_text": "never"}
        for n in ("good", "other")
    ]
    config = write_config(tmp_path, sources, publish={"site": {"dir": "site"}})
    assert run_cli("run", "-c", str(config)).exit_code == 0

    def shown() -> dict[str, set[str]]:
        lines = (tmp_path / "articles.jsonl").read_text("utf-8").splitlines()
        site = "".join(p.read_text("utf-8") for p in (tmp_path / "site" / "a").rglob("*.html"))
        return {
            "jsonl": {json.loads(line)["source"] for line in lines},
            "posts": {"other" if "Other" in p.read_text("utf-8") else "good"
                      for p in (tmp_path / "posts").glob("*.md")},
            "site": {n for n, word in (("good", "Second<"), ("other", "Other second")) if word in site},
        }  # fmt: skip

    both = {"jsonl": {"good", "other"}, "posts": {"good", "other"}, "site": {"good", "other"}}
    assert shown() == both
    config.write_text(tomli_w.dumps(
        {**tomllib.loads(config.read_text("utf-8")), "sources": sources[:1]}), "utf-8"
    )  # fmt: skip
    dropped = run_cli("build", "-c", str(config))
    assert dropped.exit_code == 0, dropped.output
    assert shown() == {"jsonl": {"good"}, "posts": {"good"}, "site": {"good"}}
    stored = sqlite3.connect(tmp_path / "newsmill.db").execute(
        "select count(*) from articles where source = 'other'"
    )
    assert stored.fetchone()[0] == 2  # still stored
    data = tomllib.loads(config.read_text("utf-8"))
    data["publish"]["keep_articles"] = True
    config.write_text(tomli_w.dumps(data), "utf-8")
    assert run_cli("build", "-c", str(config)).exit_code == 0
    assert shown() == both
