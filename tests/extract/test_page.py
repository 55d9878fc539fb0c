"""Page extraction on fixture pages written in the markup of real news sites."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from helpers.common import DATA, run_cli
from pytest_httpserver import HTTPServer

from newsmill.extract import extract_page
from newsmill.extract.dates import SHANGHAI, find_date_in_text, parse_date

PAGES = DATA / "pages"
SINA_URL = "https://finance.sina.com.cn/china/2026-11-27/doc-port.shtml"


def test_gbk_portal_page_body_metadata_and_no_chrome() -> None:
    page = extract_page((PAGES / "sina-gbk.html").read_bytes(), SINA_URL)
    assert page.title == "江州港冬季航线加密 朱镕基路码头启用新泊位"  # no site suffix
    assert page.published == datetime(2026, 11, 27, 9, 35, tzinfo=SHANGHAI)
    assert page.editor == "王小明"
    assert page.language == "zh"
    assert page.lead_image == "https://n.sinaimg.example/finance/2026/port-lead.jpg"
    lines = page.text.split("\n")
    assert lines[0].startswith("11月26日，江州港集团宣布") and lines[-1].endswith("500万标准箱。")
    assert "朱镕基路的码头" in page.text  # GB18030-only character decoded right
    for junk in ("海量资讯", "责任编辑", "相关阅读", "分享到", "我来说两句", "版权所有", "首页"):
        assert junk not in page.text, junk
    assert "https://n.sinaimg.example/finance/2026/berth.jpg" in page.content_html
    assert "qr.png" not in page.content_html and "beacon" not in page.content_html
    assert "<iframe" not in page.content_html and "<script" not in page.content_html


def test_english_page_lazy_images_video_embed_and_json_ld() -> None:
    page = extract_page(
        (PAGES / "harbor-en.html").read_bytes(), "https://www.harbor.example/city/night-bus"
    )
    assert page.title == "City opens night bus network"
    assert page.author == "Maya Okafor"
    assert page.published == datetime(2026, 11, 21, 3, 15, tzinfo=UTC)
    assert 'src="https://www.harbor.example/media/night-bus.jpg"' in page.content_html
    assert "<figcaption>A night bus at the central depot.</figcaption>" in page.content_html
    assert 'href="https://www.youtube.com/embed/abc123"' in page.content_html
    assert "track.gif" not in page.content_html
    for junk in ("Sign up for", "Share this article", "Most read", "Home", "© 2026"):
        assert junk not in page.text, junk
    assert page.text.count("\n") >= 4 and page.text.endswith("twelve months of service.")


def test_chinese_date_forms() -> None:
    assert find_date_in_text("来源：新华社 发布时间：2026-11-28 08:07:44", SHANGHAI) == datetime(
        2026, 11, 28, 8, 7, 44, tzinfo=SHANGHAI
    )
    assert find_date_in_text("2026/11/28 08:07 人民网", SHANGHAI) == datetime(
        2026, 11, 28, 8, 7, tzinfo=SHANGHAI
    )
    assert find_date_in_text("11-28 08:07 来源：澎湃", SHANGHAI, year=2026) == datetime(
        2026, 11, 28, 8, 7, tzinfo=SHANGHAI
    )
    assert parse_date("2026-11-28T08:07:00Z") == datetime(2026, 11, 28, 8, 7, tzinfo=UTC)
    assert parse_date("1795000000") is not None and parse_date("not a date") is None


def test_extract_command_on_files_gz_and_bad_input(tmp_path: Path) -> None:
    result = run_cli(
        "extract", str(PAGES / "harbor-en.html.gz"), str(tmp_path / "missing.html"),
        "--url", "https://www.harbor.example/city/night-bus", "--json",
    )  # fmt: skip
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("{")]
    record = json.loads(lines[0])
    assert record["input"].endswith("harbor-en.html.gz")
    assert record["title"] == "City opens night bus network"
    expected = {"input", "title", "author", "published", "lead_image", "publisher", "editor",
                "language", "content_html", "text"}  # fmt: skip
    assert expected <= set(record)
    assert "missing.html" in result.output and "No such file" in result.output


def test_extract_command_on_a_loopback_gbk_url(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/china/doc-port.shtml").respond_with_data(
        (PAGES / "sina-gbk.html").read_bytes(),
        content_type="text/html",  # charset only in <meta>
    )
    url = httpserver.url_for("/china/doc-port.shtml")
    refused = run_cli("extract", url)
    assert refused.exit_code == 1 and "private or local address" in refused.output
    result = run_cli("extract", url, "--allow-private-networks", "--json")
    assert result.exit_code == 0, result.output
    record = json.loads(next(x for x in result.output.splitlines() if x.startswith("{")))
    assert record["title"] == "江州港冬季航线加密 朱镕基路码头启用新泊位"
    assert record["editor"] == "王小明" and "朱镕基路" in record["text"]
