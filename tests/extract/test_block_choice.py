"""Choosing the article block by more than its length: closeness to the headline,
teaser lists and comment or related-news markers (issue 16).

The pages are written for these tests, in the layout of Chinese news portals:
a short article under its headline, and a longer block elsewhere on the page.
"""

from __future__ import annotations

import json
from pathlib import Path

from helpers.common import run_cli
from pytest_httpserver import HTTPServer

from newsmill.extract import explain_page, extract_page

ARTICLE = (
    "<p>江州讯 本报记者从临澜市交通局获悉，青川大桥维修工程将于下周一开工，预计工期三个月，"
    "施工期间大桥实行单向通行，请过往车辆提前规划路线。</p>"
    "<p>据介绍，此次维修主要更换桥面伸缩缝并加固部分桥墩，工程完工后大桥通行能力将明显提升。</p>"
)
HEAD = (
    "<html><head><title>青川大桥下周一起维修_江州新闻网</title></head><body>"
    '<div class="top"><a href="/">首页</a> <a href="/news">新闻</a></div>'
    '<div class="main"><h1 id="h1title">青川大桥下周一起维修</h1>'
    '<div class="info">2026-05-20 09:30:00　来源：江州日报</div>'
    f'<div id="endText">{ARTICLE}</div></div>'
)
COMMENT = (
    "<p>这座桥早该修了，每天上下班都堵在桥头，希望施工单位抓紧时间，保证质量，"
    "不要拖延工期，也希望交警在高峰时段多安排人手疏导交通，方便大家出行。</p>"
)


def _page(extra: str) -> str:
    return HEAD + extra + "</body></html>"


def test_a_short_article_beats_a_longer_comment_thread() -> None:
    comments = "".join(
        f'<div class="item"><span class="user">江州网友{n}</span>{COMMENT}</div>' for n in range(12)
    )
    html = _page(f'<div class="ep-box"><h3>网友跟贴</h3><div class="list">{comments}</div></div>')
    text = extract_page(html, "https://news.example.cn/a.html").text
    assert "青川大桥维修工程将于下周一开工" in text
    assert "江州网友" not in text and "每天上下班" not in text


def test_a_short_article_beats_a_strip_of_news_summaries() -> None:
    summary = (
        "<p>南屿县今年新建乡村公路一百二十公里，沿线村民出行更加便利，农产品运输成本明显下降，"
        "当地特色水果通过公路运往全国各地，带动了农民增收和产业发展。</p>"
    )
    items = "".join(
        f'<li class="line"><a href="/pic/{n}.html">南屿新闻图片{n}</a>{summary}'
        f"<span>2026-05-2{n % 10} 08:00</span></li>"
        for n in range(10)
    )
    html = _page(f'<div class="page_left"><ul class="cj_list">{items}</ul></div>')
    text = extract_page(html, "https://news.example.cn/a.html").text
    assert "青川大桥维修工程将于下周一开工" in text
    assert "乡村公路" not in text


def test_a_short_article_beats_a_marked_related_box_above_the_headline() -> None:
    related = "".join(
        f"<p>临澜市举办第{n}届读书节，市民踊跃参加，图书馆、书店和社区阅读点共举办讲座、"
        "展览和亲子阅读活动三百余场，吸引数万人次参与。</p>"
        for n in range(10)
    )
    html = (
        "<html><head><title>青川大桥下周一起维修</title></head><body>"
        f'<div class="recommend-box">{related}</div>'
        + HEAD.split("<body>", 1)[1]
        + "</body></html>"
    )
    text = extract_page(html, "https://news.example.cn/a.html").text
    assert "青川大桥维修工程将于下周一开工" in text
    assert "读书节" not in text


def test_explain_lists_scored_candidates_best_first() -> None:
    comments = "".join(f'<div class="reply">{COMMENT}</div>' for n in range(12))
    html = _page(f'<div id="comments">{comments}</div>')
    explanation = explain_page(html, "https://news.example.cn/a.html")
    assert explanation.title == "青川大桥下周一起维修"
    assert explanation.headline == "h1#h1title"
    assert explanation.chosen == ["div#endText"]
    best = explanation.candidates[0]
    assert best.path == "div#endText" and best.distance is not None and best.distance < 200
    scores = [candidate.score for candidate in explanation.candidates]
    assert scores == sorted(scores, reverse=True)
    replies = [c for c in explanation.candidates if c.path.startswith("div#comments")]
    assert replies and all("comments" in c.markers for c in replies)


def test_explain_reads_a_saved_page_as_extraction_does() -> None:
    """--explain on a saved file reports the page's own address and the very block
    `extract` keeps, not a guess of its own."""
    comments = "".join(f'<div class="reply">{COMMENT}</div>' for n in range(12))
    html = _page(f'<div id="comments">{comments}</div>').replace(
        "<head>", '<head><link rel="canonical" href="https://news.example.cn/2024/a.html">', 1
    )
    explanation = explain_page(html, "file:///tmp/saved.html")
    page = extract_page(html, "file:///tmp/saved.html")
    assert explanation.url == page.url == "https://news.example.cn/2024/a.html"
    assert explanation.chosen == ["div#endText"]


def _thread_page() -> str:
    comments = "".join(f'<div class="reply">{COMMENT}</div>' for n in range(12))
    return _page(f'<div id="comments">{comments}</div>')


def test_extract_explain_on_a_file(tmp_path: Path) -> None:
    page = tmp_path / "bridge.html"
    page.write_text(_thread_page(), encoding="utf-8")
    result = run_cli("extract", "--explain", str(page), "--url", "https://news.example.cn/a.html")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == str(page)
    assert "headline: h1#h1title" in result.output
    assert "chosen:   div#endText" in result.output
    rows = [line for line in lines if line.lstrip("* ").split(" ")[0].isdigit()]
    assert rows[0].startswith("*") and rows[0].split()[1] == "1" and "div#endText" in rows[0]
    assert any("[reply, comments]" in row for row in rows)
    assert not any(line.startswith("{") for line in lines)  # no JSON record


def test_extract_explain_on_a_url_and_json_unchanged(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a.html").respond_with_data(
        _thread_page(), content_type="text/html; charset=utf-8"
    )
    url = httpserver.url_for("/a.html")
    result = run_cli("extract", "--explain", url, "--allow-private-networks")
    assert result.exit_code == 0, result.output
    assert url in result.output.splitlines() and "chosen:   div#endText" in result.output
    plain = run_cli("extract", url, "--allow-private-networks", "--json")
    record = json.loads(next(x for x in plain.output.splitlines() if x.startswith("{")))
    assert record["input"] == url and "青川大桥维修工程" in record["text"]
    assert "score" not in record and "每天上下班" not in record["text"]


def test_headline_links_set_straight_into_the_body_are_dropped() -> None:
    """A 相关阅读 list written as bare links between <br>s inside the body box goes;
    a sentence with a link in it, and a single linked line, stay."""
    links = "".join(
        f"<br><br>　　<b><a href='/news/{n}.html'><font color='#0000ff'>江州{n}号线开通运营"
        "&nbsp;</font></a></b>"
        for n in range(5)
    )
    body = (
        '<div id="p_content"><p>　　江州讯 青川大桥维修工程将于下周一开工，预计工期三个月，'
        "施工期间大桥实行单向通行，请过往车辆提前规划路线，市民可拨打热线电话咨询。</p>"
        '<p>　　据<a href="/jt.html">市交通局</a>介绍，此次维修主要更换桥面伸缩缝并加固部分桥墩，'
        "工程完工后大桥通行能力将明显提升。</p>"
        f"<br><br><a href='/more.html'>更多江州交通新闻</a>{links}</div>"
    )
    html = (
        "<html><head><title>青川大桥下周一起维修</title></head><body>"
        f"<h1>青川大桥下周一起维修</h1>{body}</body></html>"
    )
    text = extract_page(html, "https://news.example.cn/a.html").text
    assert "青川大桥维修工程" in text and "据市交通局介绍" in text
    assert "号线开通运营" not in text


def test_a_video_players_controls_are_not_article_text() -> None:
    player = (
        '<div class="video-player"><div class="playerContainer">'
        "<div>正在为您切换到高清 480P,请稍候...</div><div>播放速度：2X</div>"
        "<ul><li>2.0X</li><li>1.5X</li><li>1.0X</li></ul><div>很抱歉，当前视频播放失败</div>"
        '</div><div class="mplayer"><span>00:00/00:00</span><span>循环播放</span></div></div>'
    )
    html = (
        "<html><head><title>青川大桥下周一起维修</title></head><body>"
        f'<h1>青川大桥下周一起维修</h1><div id="contentNews">{player}{ARTICLE}</div>'
        "</body></html>"
    )
    text = extract_page(html, "https://news.example.cn/a.html").text
    assert "青川大桥维修工程" in text
    for control in ("播放速度", "480P", "00:00", "循环播放", "播放失败"):
        assert control not in text, control


def _section(text: str, extra_class: str = "") -> str:
    return (
        f'<section class="outer"><div class="flex-auto"><div class="post__section {extra_class}">'
        f'<div class="post__content">{text}</div></div></div></section>'
    )


def test_an_article_cut_into_far_apart_sections_is_read_whole() -> None:
    # The template closes the article's wrapper around a full-width figure and a
    # newsletter box, then opens the same wrapper again for the rest of the text.
    first = (
        "<p>Tuft cells line the gut and the airways, and for decades they puzzled everyone.</p>"
        * 12
    )
    second = (
        "<p>The cells sense a parasite's waste and call the immune system within hours.</p>" * 12
    )
    third = (
        "<p>Whether the same alarm sounds in human lungs is the next question for the lab.</p>" * 12
    )
    filler = "<p>Sign up for our weekly newsletter about the science of living things.</p>"
    html = (
        "<html><head><title>Cells that taste danger | Harbor Science</title></head><body>"
        "<div class='mha'><h1>Cells that taste danger</h1></div>"
        f"{_section(first)}"
        "<figure class='wide'><img src='/tuft.jpg'><figcaption>A tuft cell.</figcaption></figure>"
        f"<div class='promo'>{filler}</div>"
        f"{_section(second, 'version-2')}"
        f"<aside class='pullquote'><p>They were hiding in plain sight.</p></aside>"
        f"{_section(third)}"
        f"<div class='comments'>{_section('<p>Great read, thanks for writing it.</p>' * 3)}</div>"
        "</body></html>"
    )
    page = extract_page(html, "https://science.harbor.example/tuft-cells")
    for part in ("puzzled everyone", "within hours", "next question for the lab"):
        assert part in page.text, part
    assert (
        page.text.index("puzzled")
        < page.text.index("within hours")
        < page.text.index("next question")
    )
    assert "Great read" not in page.text and "newsletter" not in page.text
    explained = explain_page(html, "https://science.harbor.example/tuft-cells")
    assert len(explained.chosen) == 3 and len(explained.chosen_ranks) == 3
    assert "Great read" not in " ".join(
        explained.candidates[rank].element.text_content() for rank in explained.chosen_ranks
    )
