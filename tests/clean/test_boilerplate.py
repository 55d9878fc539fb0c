"""Cleaning feed HTML: sanitizing, boilerplate, lazy images, pixels, URLs."""

from __future__ import annotations

from newsmill.clean import clean_fragment, sanitize_html
from newsmill.clean.rules import default_rules, load_rules

BASE = "https://news.example/2026/11/story.html"


def clean(html: str) -> str:
    return clean_fragment(html, BASE, default_rules().for_url(BASE))


def test_active_content_never_survives() -> None:
    hostile = (
        '<p onclick="x()">Hi<script>alert(1)</script></p><a href="javascript:alert(1)">j</a>'
        '<a href="vbscript:x">v</a><img src="data:image/png;base64,AAAA"><object data="x"></object>'
        '<svg><script>alert(1)</script></svg><form><input value="x"></form>'
        '<div style="width: expression(alert(1))">css</div><meta http-equiv="refresh" content="0;url=x">'
    )
    out = sanitize_html(hostile, BASE)
    for bad in ("onclick", "<script", "javascript:", "vbscript:", "data:", "<object", "<svg",
                "<form", "<input", "expression", "style=", "<meta"):  # fmt: skip
        assert bad not in out, bad
    assert "Hi" in out and "css" in out


def test_relative_urls_absolute_and_tracking_parameters_removed() -> None:
    out = clean(
        '<p><a href="/next?id=3&utm_source=rss&fbclid=x">n</a> <img src="../pic.jpg" width="640"></p>'
    )
    assert 'href="https://news.example/next?id=3"' in out
    assert 'src="https://news.example/2026/pic.jpg"' in out
    assert 'referrerpolicy="no-referrer"' in out


def test_lazy_images_and_pixels() -> None:
    out = clean(
        '<p>text</p><img data-original="/a.jpg" src="/grey.gif">'
        '<img srcset="/s.jpg 320w, /l.jpg 1280w"><img data-actualsrc="/z.jpg">'
        '<img src="/t.gif" width="1" height="1"><img src="https://hm.baidu.com/hm.gif?x=1">'
    )
    assert "/a.jpg" in out and "/l.jpg" in out and "/z.jpg" in out
    assert "grey.gif" not in out and "t.gif" not in out and "baidu" not in out


def test_chinese_boilerplate_and_video_embeds() -> None:
    out = clean(
        "<p>　　正文第一段。</p><!-- 正文下iframe -->"
        '<iframe src="https://player.bilibili.com/player.html?bvid=1"></iframe>'
        '<iframe src="https://ads.example/x"></iframe>'
        '<div class="appendQr_wrap"><img src="/qr.png"><div>海量资讯、精准解读，尽在新浪财经APP</div></div>'
        '<p class="article-editor">责任编辑：刘万里 SF014</p><p></p><div> </div>'
    )
    assert "正文第一段" in out and "player.bilibili.com" in out
    for junk in ("ads.example", "qr.png", "海量资讯", "责任编辑", "<!--", "<p></p>"):
        assert junk not in out, junk


def test_user_rules_extend_the_shipped_ones() -> None:
    rules = load_rules(
        {"news.example": {"drop": ["div.promo-box"], "drop_text": ["^Advertisement$"]}}
    )
    rule = rules.for_url(BASE)
    out = clean_fragment(
        '<p>Keep me.</p><div class="promo-box">Buy now</div><p>Advertisement</p>', BASE, rule
    )
    assert out == "<p>Keep me.</p>"
    assert (
        rules.for_url("https://other.example/").drop
        == default_rules().for_url("https://other.example/").drop
    )


def test_chinese_boilerplate_lines_inside_the_article_box() -> None:
    """Credit, dateline, promo, related and rights lines in the forms portals print
    them (issue 16); article sentences that mention the same words stay."""
    junk = [
        "编辑/周小川",
        "编辑 周小川 ｜ 排版 林青",
        "总监制：邹小明",
        "监 制：高小勇",
        "审 读：崔小升",
        "责任编辑：",
        "（编辑：小何）返回江州网，查看更多",
        "（本文来源：江州日报 作者：青川研究院研究员王五）",
        "时间：2026年05月20日 08:12:35 江州网",
        "关键字： LPR",
        "关注公众号：江州财经",
        "下载江州新闻客户端，看更多独家报道",
        "转播到江州微博",
        "【相关新闻】",
        "精彩视频推荐",
        "本文为江州网授权青川财经发布，转载请注明出处。本文仅为作者观点，不代表本站立场。",
        "【本文中文相关权益归江州公司独家所有。未经授权，不得转载、摘编等。】",
    ]
    kept = [
        "编辑部收到读者来信后，立即联系了青川县交通局。",
        "时间紧迫，工作人员连夜赶到现场。",
        "市民可以关注公众号了解最新的停水通知，也可以拨打热线电话咨询。",
        "下载量最大的三款应用都来自江州本地企业，其中一款客户端月活跃用户超过百万。",
        "本文提到的数据来自江州市统计局。",
        "审核通过后，申请人可在五个工作日内领取证件。",
    ]
    html = "".join(f"<p>{line}</p>" for line in ["正文第一段，江州今日晴。", *junk, *kept])
    out = clean(html)
    assert "正文第一段" in out
    for line in junk:
        assert line.split("，")[0][:8] not in out, line
    for line in kept:
        assert line in out, line


def test_a_source_line_stays_and_a_registration_line_goes() -> None:
    # 来源 credits the original publisher: the seed's README counts it as article text.
    out = clean(
        "<p>江州今日晴。</p><p>来源：江州日报</p><p>国内统一刊号 CN51-0127 全国邮发代号 61-149</p>"
    )
    assert "来源：江州日报" in out and "刊号" not in out


def test_boilerplate_lines_between_br_in_one_box_go_and_article_lines_stay() -> None:
    # Older portals set the whole article, its source and proof-reader lines in one
    # box of <br> lines: each line is judged as a line.
    html = (
        "<div>　　江州港今年的集装箱吞吐量预计突破五百万标准箱。<br><br>"
        "　　港口集团表示，新泊位投用后效率明显提升。<br>"
        "　　校对:Mac<br>"
        "来源：《江州经济报》<br>国内统一刊号 CN51-0127　全国邮发代号 61-149<br>"
        "　　编辑部收到读者来信后，立即联系了港口集团。<br>"
        "<a href='/more'>更多</a>报道请见<b>专题</b>页面。</div>"
    )
    out = clean(html)
    for line in ("校对", "刊号"):
        assert line not in out, line
    for line in ("五百万标准箱", "效率明显提升", "来源：《江州经济报》", "编辑部收到读者来信后",
                 "报道请见<b>专题</b>页面"):  # fmt: skip
        assert line in out, line
    assert out.index("效率明显提升") < out.index("编辑部收到读者来信后")
