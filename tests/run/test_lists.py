"""List sources end to end on loopback: a site with no feed, read from its list pages.

The site is written here: a GBK channel page of 15 articles and its second page
of 15, article pages in GBK and UTF-8, dates in the forms Chinese sites show."""

from __future__ import annotations

import asyncio
import json
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from helpers.common import run_cli, status_json, write_config
from pytest_httpserver import HTTPServer

from newsmill.config import FetchConfig
from newsmill.fetch import render

SHANGHAI = ZoneInfo("Asia/Shanghai")
PLACES = ["江州", "临川", "青石", "云岭", "南浦", "白沙"]
TOPICS = [
    "新建公园开放",
    "地铁线路试运行",
    "图书馆延长开放时间",
    "老旧小区改造完成",
    "夜市重新开业",
]


def title(i: int) -> str:
    return f"{PLACES[i % len(PLACES)]}{TOPICS[i % len(TOPICS)]}第{i + 1}期工作通报"


def list_date(i: int) -> tuple[str | None, datetime | None, str]:
    """What the list shows for article i, the moment it means, and where it comes from."""
    day = 20 - i % 15
    kind = i % 4
    if kind == 0:
        return f"2024-05-{day:02d} 13:15", datetime(2024, 5, day, 13, 15, tzinfo=SHANGHAI), "list"
    if kind == 1:
        return f"2024年5月{day}日", datetime(2024, 5, day, tzinfo=SHANGHAI), "list"
    if kind == 2:  # no year: the most recent May before the run
        year = datetime.now(SHANGHAI).year
        return f"05-{day:02d} 08:30", datetime(year, 5, day, 8, 30, tzinfo=SHANGHAI), "list"
    if i % 8 == 3:  # none on the list, one on the page
        return None, datetime(2024, 4, day, 9, 0, tzinfo=SHANGHAI), "page"
    return None, None, "first_seen"


def article_page(i: int) -> bytes:
    shown = list_date(i)
    stamp = shown[1].strftime("%Y-%m-%d %H:%M") if shown[2] == "page" and shown[1] else ""
    body = "".join(
        f"<p>{PLACES[(i + k) % len(PLACES)]}市有关部门介绍，第{k + 1}项工作已经按计划完成，"
        "群众反映良好，下一步将继续做好后续服务保障，确保各项措施落到实处。</p>"
        for k in range(5)
    )
    charset = "gbk" if i % 2 else "utf-8"
    html = (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title(i)}_示例政务网</title>'
        "</head><body><div class='nav'><a href='/'>首页</a><a href='/zwgk/'>政务公开</a></div>"
        f"<div class='article'><h1>{title(i)}</h1>"
        f"<div class='info'><span class='time'>{stamp}</span> 来源：示例政务网</div>"
        f"<div class='content'>{body}</div></div>"
        "<div class='footer'>版权所有 示例政务网</div></body></html>"
    )
    return html.encode(charset)


def list_page(items: list[int], next_page: str | None) -> bytes:
    rows = []
    for i in items:
        shown = list_date(i)[0]
        date = f"<span class='date'>{shown}</span>" if shown else ""
        rows.append(f"<li><a href='/zwgk/art_{i}.html' target='_blank'>{title(i)}</a>{date}</li>")
    paging = f"<a href='{next_page}'>下一页</a>" if next_page else ""
    html = (
        "<html><head><meta http-equiv='Content-Type' content='text/html; charset=gb2312'>"
        "<title>政务公开_示例政务网</title></head><body>"
        "<ul class='menu'><li><a href='/'>首页</a></li><li><a href='/zwgk/'>政务公开</a></li>"
        "<li><a href='/bsfw/'>办事服务</a></li></ul>"
        "<div class='hot'><h3>热点</h3><a href='/zt/1.html'>专题一</a><a href='/zt/2.html'>专题二</a></div>"
        f"<ul class='list'>{''.join(rows)}</ul><div class='page'>{paging}</div>"
        "<div class='footer'><a href='/about.html'>关于我们</a></div></body></html>"
    )
    return html.encode("gbk")


def serve(server: HTTPServer, first: list[int], second: list[int]) -> None:
    server.clear()
    server.expect_request("/robots.txt").respond_with_data("", status=404)
    server.expect_request("/zwgk/").respond_with_data(
        list_page(first, "/zwgk/index_2.html"), content_type="text/html"
    )
    server.expect_request("/zwgk/index_2.html").respond_with_data(
        list_page(second, None), content_type="text/html"
    )
    for i in range(31):
        server.expect_request(f"/zwgk/art_{i}.html").respond_with_data(
            article_page(i), content_type="text/html"
        )


def pages_fetched(server: HTTPServer) -> list[str]:
    return [req.path for req, _ in server.log if "/art_" in req.path]


def records(folder: Path) -> dict[str, dict]:
    lines = (folder / "articles.jsonl").read_text("utf-8").splitlines()
    return {r["url"].rsplit("/", 1)[-1]: r for r in map(json.loads, lines)}


def test_a_list_source_backfills_then_fetches_only_what_is_new(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    serve(httpserver, list(range(15)), list(range(15, 30)))
    config = write_config(
        tmp_path,
        [{"name": "gov", "list": httpserver.url_for("/zwgk/"), "categories": ["政务", "示例"]}],
    )
    started = datetime.now(UTC)
    first = run_cli("run", "-c", str(config))
    assert first.exit_code == 0, first.output
    stored = records(tmp_path)
    assert len(stored) == 30 and sorted(pages_fetched(httpserver)) == sorted(
        f"/zwgk/art_{i}.html" for i in range(30)
    )
    for i in range(30):
        article = stored[f"art_{i}.html"]
        _, when, source = list_date(i)
        assert article["title"] == title(i)
        assert article["date_source"] == source, (i, article["published"])
        if when is None:  # shown as undated, first seen now (and listed after the dated)
            seen = datetime.fromisoformat(article["fetched"])
            assert article["date_is_fallback"] and abs(seen - started) < timedelta(minutes=5)
        else:
            assert datetime.fromisoformat(article["published"]) == when, i
        assert "工作已经按计划完成" in article["text"]
        assert "版权所有" not in article["text"] and "政务公开" not in article["text"]

    # Again: nothing new, no article page fetched, the second list page not read.
    httpserver.clear_log()
    again = run_cli("run", "--all", "-c", str(config))
    assert again.exit_code == 0 and pages_fetched(httpserver) == []
    assert "/zwgk/index_2.html" not in [req.path for req, _ in httpserver.log]

    # A new item on top of the list (and the list reordered): the one new article.
    serve(httpserver, [30, *reversed(range(15))], list(range(15, 30)))
    third = run_cli("run", "--all", "-c", str(config))
    assert third.exit_code == 0 and pages_fetched(httpserver) == ["/zwgk/art_30.html"]
    assert len(records(tmp_path)) == 31
    sources, _ = status_json("-c", str(config))
    assert sources["gov"]["articles"] == 31 and sources["gov"]["last_error"] is None


def test_selectors_that_match_nothing_are_the_source_error(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    serve(httpserver, list(range(5)), [])
    config = write_config(
        tmp_path,
        [
            {
                "name": "gov",
                "list": httpserver.url_for("/zwgk/"),
                "categories": ["政务"],
                "select": {"items": "div.news-list > li", "link": "a@href"},
            }
        ],
    )
    result = run_cli("run", "-c", str(config))
    assert result.exit_code == 1
    sources, _ = status_json("-c", str(config))
    error = sources["gov"]["last_error"]
    assert error.startswith("list: ") and "div.news-list > li" in error


def api_body(items: list[int], wrapper: str) -> bytes:
    """A list API of the kind channel pages load: dates in Unix seconds or milliseconds."""
    rows = [
        {
            "docid": f"d{i}",
            "title": title(i),
            "url": f"/zwgk/art_{i}.html",
            "ctime": 1716182100 + i * 60 if i % 2 else (1716182100 + i * 60) * 1000,
            "digest": f"第{i + 1}期通报摘要：各项工作按计划推进。",
        }
        for i in items
    ]
    data = json.dumps({"code": 0, "data": {"total": len(rows), "list": rows}}, ensure_ascii=False)
    return (wrapper % data).encode("utf-8")


@pytest.mark.parametrize("selected", ["jsonp", "json"])
def test_json_and_jsonp_list_apis_with_and_without_selectors(
    tmp_path: Path, httpserver: HTTPServer, selected: str
) -> None:
    """Each API read once found and once by [sources.select]; the selected one with
    full_text = never, so its article is the list's own summary."""
    serve(httpserver, [], [])
    httpserver.expect_request("/api/list.json").respond_with_data(
        api_body([0, 1, 2], "%s"), content_type="application/json"
    )
    httpserver.expect_request("/api/list.js").respond_with_data(
        api_body([3, 4, 5], "jsonp_cb(%s);"), content_type="application/javascript"
    )
    select = {
        "items": "data.list",
        "link": "url",
        "title": "title",
        "date": "ctime",
        "summary": "digest",
    }
    sources: list[dict[str, object]] = [
        {"name": "json", "list": httpserver.url_for("/api/list.json"), "categories": ["接口"]},
        {"name": "jsonp", "list": httpserver.url_for("/api/list.js"), "categories": ["接口"]},
    ]
    chosen = sources[0] if selected == "json" else sources[1]
    chosen.update(select=select, full_text="never", list_format=selected)
    config = write_config(tmp_path, sources)
    assert run_cli("run", "-c", str(config)).exit_code == 0
    stored = records(tmp_path)
    assert sorted(stored) == [f"art_{i}.html" for i in range(6)]
    summarised = range(3) if selected == "json" else range(3, 6)
    for i in range(6):
        article = stored[f"art_{i}.html"]
        assert article["date_source"] == "list" and article["title"] == title(i)
        expected = datetime.fromtimestamp(1716182100 + i * 60, UTC)
        assert datetime.fromisoformat(article["published"]) == expected
        if i in summarised:
            assert article["text"] == f"第{i + 1}期通报摘要：各项工作按计划推进。"
        else:
            assert "工作已经按计划完成" in article["text"]


def test_sources_add_on_a_list_page_writes_a_list_source_that_runs(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    serve(httpserver, list(range(15)), list(range(15, 30)))
    config = write_config(tmp_path, [])
    before = config.read_text("utf-8")
    added = run_cli("sources", "add", httpserver.url_for("/zwgk/"), "-c", str(config))
    assert added.exit_code == 0, added.output
    text = config.read_text("utf-8")
    assert text.startswith(before.rstrip("\n"))
    (table,) = tomllib.loads(text)["sources"]
    assert table["list"] == httpserver.url_for("/zwgk/") and "url" not in table
    assert table["select"]["items"] and table["select"]["link"]
    ran = run_cli("run", "-c", str(config))
    assert ran.exit_code == 0, ran.output
    assert sorted(records(tmp_path)) == sorted(f"art_{i}.html" for i in range(30))


def test_a_list_page_turned_challenge_page_is_a_failing_source_that_says_why(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    serve(httpserver, list(range(5)), [])
    config = write_config(
        tmp_path, [{"name": "gov", "list": httpserver.url_for("/zwgk/"), "categories": ["政务"]}]
    )
    assert run_cli("run", "-c", str(config)).exit_code == 0
    httpserver.clear()
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/zwgk/").respond_with_data(
        "<html><body><p>Checking your browser before accessing...</p></body></html>",
        content_type="text/html",
    )
    assert run_cli("run", "--all", "-c", str(config)).exit_code == 1
    sources, _ = status_json("-c", str(config))
    gov = sources["gov"]
    assert gov["articles"] == 5 and gov["consecutive_failures"] == 1
    assert gov["last_error"].startswith("list: ") and "challenge page" in gov["last_error"]


def scripted_list(items: list[int]) -> bytes:
    """A channel page whose list its script draws: the HTML holds no list, no JSON."""
    rows = ",".join(f"[{i},'{title(i)}','{list_date(i)[0] or ''}']" for i in items)
    html = (
        "<html><head><meta charset='utf-8'><title>政务公开</title></head><body>"
        "<div class='nav'><a href='/'>首页</a></div><ul id='list'></ul><script>"
        f"var rows = [{rows}];"
        "var list = document.getElementById('list');"
        "rows.forEach(function (r) { var li = document.createElement('li');"
        " var a = document.createElement('a'); a.href = '/zwgk/art_' + r[0] + '.html';"
        " a.textContent = r[1]; li.appendChild(a); var s = document.createElement('span');"
        " s.className = 'date'; s.textContent = r[2]; li.appendChild(s); list.appendChild(li); });"
        "</script></body></html>"
    )
    return html.encode("utf-8")


def test_a_list_drawn_by_javascript_is_read_in_a_browser_when_asked(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    serve(httpserver, [], [])
    httpserver.expect_request("/app/").respond_with_data(
        scripted_list(list(range(6))), content_type="text/html"
    )
    source = {"name": "app", "list": httpserver.url_for("/app/"), "categories": ["政务"]}
    plain = write_config(tmp_path, [source])
    assert run_cli("run", "-c", str(plain)).exit_code == 1
    sources, _ = status_json("-c", str(plain))
    assert "drawn by JavaScript" in sources["app"]["last_error"]

    rendered = tmp_path / "rendered"
    rendered.mkdir()
    config = write_config(rendered, [{**source, "render": "auto"}])
    assert run_cli("run", "-c", str(config)).exit_code == 0
    stored = records(rendered)
    assert sorted(stored) == [f"art_{i}.html" for i in range(6)]
    assert all(stored[f"art_{i}.html"]["title"] == title(i) for i in range(6))


def test_a_rendered_page_may_not_reach_a_private_address_unless_allowed(
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request("/app/").respond_with_data(
        scripted_list([0]), content_type="text/html"
    )
    url = httpserver.url_for("/app/")
    blocked = asyncio.run(render(url, FetchConfig(), "test"))
    assert not blocked.ok and blocked.error and blocked.error.startswith("browser: ")
    allowed = asyncio.run(render(url, FetchConfig(allow_private_networks=True), "test"))
    assert allowed.ok and "art_0.html" in allowed.body.decode("utf-8")
