"""Source health, filters recorded, keyword tags: end to end on loopback."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from helpers.common import run_cli, status_json, write_config
from pytest_httpserver import HTTPServer

FEED = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>F</title>
<item><title>Fresh English story about harbour cranes</title><link>{base}/1</link>
<pubDate>{fresh}</pubDate><description>&lt;p&gt;The harbour authority installed four electric cranes at the container terminal this week, doubling the number of ships it can unload at night. Crane operators were trained for six weeks.&lt;/p&gt;</description></item>
<item><title>江州港新增四台电动岸桥</title><link>{base}/2</link><pubDate>{fresh}</pubDate>
<description>&lt;p&gt;江州港集装箱码头本周新增四台电动岸桥，夜间卸船能力提高一倍。港口集团表示，岸桥司机已完成为期六周的培训，新设备将于下月全面投入使用。&lt;/p&gt;</description></item>
<item><title>An old story</title><link>{base}/3</link><pubDate>Mon, 02 Jan 2006 10:00:00 GMT</pubDate>
<description>Ancient news.</description></item>
<item><title>Sponsored: buy cranes now</title><link>{base}/4</link><pubDate>{fresh}</pubDate>
<description>An advertisement for cranes.</description></item>
</channel></rss>"""


def fresh_date() -> str:
    from datetime import UTC, datetime
    from email.utils import format_datetime

    return format_datetime(datetime.now(UTC))


def test_failures_back_off_then_disable_and_enable_restores(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/down").respond_with_data("no", status=500)
    base = httpserver.url_for("").rstrip("/")
    config = write_config(
        tmp_path,
        [{"name": "down", "url": f"{base}/down", "categories": ["x"]}],
        schedule={"disable_after": 2, "min_interval": "1h"},
    )
    first = run_cli("run", "-c", str(config))
    assert first.exit_code == 1
    status, _ = status_json("-c", str(config))
    assert status["down"]["consecutive_failures"] == 1 and status["down"]["next_due"] is not None
    assert status["down"]["disabled_reason"] is None

    # Not due yet: a plain run leaves it alone (the backoff holds).
    assert "0 sources" in run_cli("run", "-c", str(config)).output
    # Forced, it fails again and reaches disable_after.
    assert run_cli("run", "--all", "-c", str(config)).exit_code == 1
    status, _ = status_json("-c", str(config))
    assert status["down"]["disabled_reason"].startswith("disabled after 2 consecutive failures")
    assert "HTTP 500" in status["down"]["disabled_reason"]
    table = run_cli("status", "-c", str(config)).output
    assert "disabled" in table

    # Disabled sources are skipped even by --all, until enabled again.
    skipped = run_cli("run", "--all", "-c", str(config))
    assert skipped.exit_code == 0 and "0 sources" in skipped.output
    httpserver.clear()
    httpserver.expect_request("/down").respond_with_data(FEED.format(base=base, fresh=fresh_date()))
    assert run_cli("sources", "enable", "down", "-c", str(config)).exit_code == 0
    back = run_cli("run", "-c", str(config))
    assert back.exit_code == 0, back.output
    status, _ = status_json("-c", str(config))
    assert status["down"]["disabled_reason"] is None and status["down"]["consecutive_failures"] == 0
    assert run_cli("sources", "enable", "nope", "-c", str(config)).exit_code == 2


def test_filters_are_recorded_and_tags_extracted(tmp_path: Path, httpserver: HTTPServer) -> None:
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/f").respond_with_data(FEED.format(base=base, fresh=fresh_date()))
    config = write_config(
        tmp_path,
        [
            {
                "name": "f",
                "url": f"{base}/f",
                "categories": ["x"],
                "max_age": "30d",
                "exclude": ["/^Sponsored/"],
            }
        ],
        filters={"languages": ["en", "zh"]},
    )
    result = run_cli("run", "-c", str(config))
    assert result.exit_code == 0, result.output
    records = [json.loads(x) for x in (tmp_path / "articles.jsonl").read_text("utf-8").splitlines()]
    assert sorted(r["title"] for r in records) == [
        "Fresh English story about harbour cranes",
        "江州港新增四台电动岸桥",
    ]
    for record in records:
        assert 1 <= len(record["tags"]) <= 5
    zh = next(r for r in records if r["language"] == "zh")
    assert any("岸桥" in t or "江州" in t for t in zh["tags"])

    db = sqlite3.connect(tmp_path / "newsmill.db")
    reasons = dict(db.execute("select guid, reason from filtered_items").fetchall())
    assert reasons[f"{base}/3"].startswith("older than 30 days")
    assert "exclude rule" in reasons[f"{base}/4"]
    # Recorded, so a second pass neither reprocesses nor re-records them.
    assert run_cli("run", "--all", "-c", str(config)).exit_code == 0
    assert db.execute("select count(*) from filtered_items").fetchone() == (2,)

    english_only = tmp_path / "en"
    english_only.mkdir()
    only_en = write_config(
        english_only, [{"name": "f", "url": f"{base}/f", "categories": ["x"], "languages": ["en"]}]
    )
    assert run_cli("run", "-c", str(only_en)).exit_code == 0
    titles = [
        json.loads(x)["title"]
        for x in (only_en.parent / "articles.jsonl").read_text("utf-8").splitlines()
    ]
    assert (
        "江州港新增四台电动岸桥" not in titles
        and "Fresh English story about harbour cranes" in titles
    )


def test_a_feed_cut_short_is_reported_and_what_was_read_is_kept(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    base = httpserver.url_for("").rstrip("/")
    whole = FEED.format(base=base, fresh=fresh_date())
    httpserver.expect_request("/cut").respond_with_data(
        whole[: whole.index("<item><title>An old story")], content_type="application/rss+xml"
    )
    config = write_config(tmp_path, [{"name": "cut", "url": f"{base}/cut", "categories": ["x"]}])
    result = run_cli("run", "-c", str(config))
    assert result.exit_code == 0  # read, not failed
    assert "ok, but cut short" in result.output.replace("\n", " ").replace("│", "")
    status, _ = status_json("-c", str(config))
    assert status["cut"]["articles"] == 2
    assert status["cut"]["last_warning"].startswith("cut short")
    table = run_cli("status", "-c", str(config)).output
    assert "warning:" in table and "cut" in table
